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
