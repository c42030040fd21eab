"""Web pages and the JSON API: ingest as a job with progress, case pages, search, entities, tags, report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import csrf_of
from tests.fca.conftest import make_tree


@pytest.fixture
def intake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "intake"
    make_tree(root / "usb")
    monkeypatch.setenv("HEROES_FCA_ROOTS", str(root))
    return root


def test_api_ingest_job_search_entities_tag_report(client, login_as, intake: Path) -> None:
    login_as("investigator")
    headers = {"X-CSRF-Token": csrf_of(client)}
    answer = client.post(
        "/api/fca/ingest", json={"paths": [str(intake / "usb")], "case": "web", "region": "ES"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    job = client.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "done", job
    (case,) = client.get("/api/fca/cases").json()
    files = client.get(f"/api/fca/cases/{case['id']}/files").json()
    assert {f["path"] for f in files} >= {"docs/note.txt", "photo.jpg", "gone.txt"}
    search = f"/api/fca/cases/{case['id']}/search"
    hits = client.get(search, params={"q": '"across the border"'}).json()
    assert hits and "[" in hits[0]["snippet"]
    assert [h["path"] for h in client.get(search, params={"q": "border", "path": "page"}).json()] == ["docs/page.html"]
    by_entity = client.get(search, params={"q": "cuenta", "entity": "+34612345678"}).json()
    assert [h["path"] for h in by_entity] == ["docs/note.txt"]
    assert client.get(search, params={"q": "cuenta", "entity": "+34600000000"}).json() == []
    assert client.get(search, params={"q": "cuenta", "since": "2001-01-01T00:00:00"}).json()
    assert client.get(search, params={"q": "cuenta", "until": "2001-01-01T00:00:00"}).json() == []
    entities = client.get(f"/api/fca/cases/{case['id']}/entities", params={"kind": "iban"}).json()
    assert [e["value"] for e in entities] == ["ES9121000418450200051332"]
    note = next(f for f in files if f["path"] == "docs/note.txt")
    assert (
        client.post(f"/api/fca/items/{note['id']}/tags", json={"tag": "relevant"}, headers=headers).status_code == 200
    )
    assert client.get(f"/api/fca/cases/{case['id']}/timeline").json()
    sources = client.get(f"/api/fca/cases/{case['id']}/sources").json()
    assert sources[0]["status"] == "done"


def test_ingest_outside_intake_roots_is_refused(client, login_as, intake: Path) -> None:
    login_as("investigator")
    answer = client.post(
        "/api/fca/ingest", json={"paths": ["/etc"], "case": "x"}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert answer.status_code == 400


def test_pages(client, login_as, intake: Path) -> None:
    from heroes.fca import engine

    engine.ingest(intake / "usb", "pages", actor=login_as("investigator"), region="ES")
    page = client.get("/fca")
    assert page.status_code == 200 and "pages" in page.text
    case_id = int(page.text.split("/fca/cases/")[1].split('"')[0])
    for view in ("files", "entities", "timeline"):
        assert client.get(f"/fca/cases/{case_id}", params={"view": view}).status_code == 200
    found = client.get(f"/fca/cases/{case_id}", params={"q": "cuent*"})
    assert "docs/note.txt" in found.text
    report = client.get(f"/fca/cases/{case_id}/report", params={"fmt": "pdf"})
    assert report.content.startswith(b"%PDF")


def test_corrupt_image_fails_the_job_with_the_reason(client, login_as, intake: Path) -> None:
    (intake / "broken.E01").write_bytes(b"EVF\x09\x0d\x0a\xff\x00" + b"\x00" * 500)
    login_as("investigator")
    answer = client.post(
        "/api/fca/ingest",
        json={"paths": [str(intake / "broken.E01")], "case": "bad"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    job = client.get(f"/api/jobs/{answer.json()['job_id']}").json()
    assert job["state"] == "failed" and "broken.E01" in job["error"]
    (case,) = client.get("/api/fca/cases").json()
    (source,) = client.get(f"/api/fca/cases/{case['id']}/sources").json()
    assert source["status"] == "failed" and source["error"]
    assert client.get(f"/api/fca/cases/{case['id']}/files").json() == []


def _photo_taken(when: str) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", (20, 20), (200, 30, 30))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_date_filters_on_the_search_and_timeline_pages(client, login_as, tmp_path: Path) -> None:
    import os
    from datetime import UTC, datetime

    from heroes.fca import engine

    root = tmp_path / "dated"
    root.mkdir()
    (root / "old.txt").write_text("the border crossing plan", encoding="utf-8")
    (root / "old.html").write_text("<html><body><p>border crossing, old page</p></body></html>", encoding="utf-8")
    (root / "new.txt").write_text("the border crossing plan, new", encoding="utf-8")
    (root / "camera.jpg").write_bytes(_photo_taken("2019:05:04 10:30:00"))
    old = datetime(2015, 6, 1, 12, 0, tzinfo=UTC).timestamp()
    for name in ("old.txt", "old.html"):
        os.utime(root / name, (old, old))
    engine.ingest(root, "dated", actor=login_as("investigator"))
    (case,) = client.get("/api/fca/cases").json()
    page = f"/fca/cases/{case['id']}"

    def results(**params: str) -> str:
        answer = client.get(page, params={"view": "search", "q": "border", **params})
        assert answer.status_code == 200
        return answer.text.split('data-testid="results"')[1].split("</ol>")[0]

    everything = results()
    assert "old.txt" in everything and "new.txt" in everything
    in_2015 = results(since="2015-01-01", until="2015-12-31", times="mtime")
    assert "old.txt" in in_2015 and "old.html" in in_2015 and "new.txt" not in in_2015
    # the type facet counts the dated hits, and choosing a type keeps the dates
    answer = client.get(page, params={"view": "search", "q": "border", "since": "2015-01-01", "until": "2015-12-31"})
    facets = answer.text.split('data-testid="facets"')[1].split("</ul>")[0]
    assert "html (1)" in facets and "txt (1)" in facets and "since=2015-01-01" in facets
    only_html = results(since="2015-01-01", until="2015-12-31", kind="html")
    assert "old.html" in only_html and "old.txt" not in only_html
    assert "new.txt" in results(since=datetime.now(UTC).date().isoformat())
    bad = client.get(page, params={"view": "search", "q": "border", "since": "01/02/2015"})
    assert bad.status_code == 200 and 'data-testid="error"' in bad.text

    def timeline(**params: str) -> str:
        answer = client.get(page, params={"view": "timeline", **params})
        assert answer.status_code == 200
        return answer.text.split('data-testid="timeline"')[-1].split("</table>")[0]

    taken = timeline(since="2019-05-04", until="2019-05-04", times="exif")
    assert "camera.jpg" in taken and "EXIF" in taken and "old.txt" not in taken
    assert "camera.jpg" not in timeline(since="2019-05-04", until="2019-05-04", times="mtime")
    assert "old.txt" in timeline(since="2015-06-01", until="2015-06-01")
    assert "new.txt" not in timeline(until="2016-01-01")
    # the API: search by any time, timeline between two times
    api = f"/api/fca/cases/{case['id']}"
    hits = client.get(f"{api}/search", params={"q": "border", "until": "2016-01-01T00:00:00", "times": "any"}).json()
    assert sorted(h["path"] for h in hits) == ["old.html", "old.txt"]
    events = client.get(f"{api}/timeline", params={"since": "2019-05-04T00:00:00", "times": "exif"}).json()
    assert [(e["path"], e["macb"]) for e in events] == [("camera.jpg", "EXIF")]
