"""Pages and API under /media, /api/media: roles, upload, background scan, results, export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.models import CustodyRecord
from heroes.core.settings import get_settings
from heroes.media.scan import hash_file
from tests.conftest import csrf_of


@pytest.fixture
def intake(evidence_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_settings(), "media_roots", str(evidence_folder.parent))
    return evidence_folder


def _list_csv(evidence_folder: Path) -> bytes:
    one = hash_file(evidence_folder / "one.jpg")
    two = hash_file(evidence_folder / "two.png")
    return (
        f"hash_type,hash,category,label\nmd5,{one.value('md5')},A,x1\npdq,{two.value('pdq')},B,x2\nsha1,short,A\n"
    ).encode()


def test_roles(client, login_as) -> None:
    assert client.get("/api/media/lists").status_code == 401
    assert client.get("/media", follow_redirects=False).status_code == 303
    login_as("caseworker")
    assert client.get("/media").status_code == 403
    assert client.get("/api/media/lists").status_code == 403


def test_upload_scan_results_export(client, login_as, intake: Path) -> None:
    login_as("investigator")
    token = csrf_of(client)
    headers = {"X-CSRF-Token": token}
    up = client.post(
        "/api/media/lists",
        files={"file": ("national.csv", _list_csv(intake), "text/csv")},
        data={"name": "national"},
        headers=headers,
    )
    assert up.status_code == 201, up.text
    body = up.json()
    assert body["entries"] == 2 and body["errors"] == [{"line": 4, "message": "not a sha1 hash: 'short'"}]

    started = client.post("/api/media/scans", json={"path": str(intake)}, headers=headers)
    assert started.status_code == 202, started.text
    scan_id = started.json()["id"]
    status = client.get(f"/api/media/scans/{scan_id}").json()
    assert status["state"] == "done" and status["job"]["state"] == "done"
    summary = status["summary"]
    assert summary["files"] == 9 and summary["errors"] == 2
    assert summary["by_category"] == {"national / A": 2, "national / B": 2}
    assert summary["too_flat"] == 1 and summary["min_quality"] == 50  # grey.png
    page = client.get(f"/media/scans/{scan_id}")
    assert 'data-testid="too-flat">1<' in page.text

    matched = client.get(f"/api/media/scans/{scan_id}/results").json()
    assert sorted(Path(r["path"]).name for r in matched) == ["copy-of-one.jpg", "holiday.txt", "one.jpg", "two.png"]
    only_b = client.get(f"/api/media/scans/{scan_id}/results", params={"category": "national / B"}).json()
    assert sorted(Path(r["path"]).name for r in only_b) == ["holiday.txt", "two.png"]
    every = client.get(f"/api/media/scans/{scan_id}/results", params={"all": "true"}).json()
    assert len(every) == 9

    export = client.get(f"/api/media/scans/{scan_id}/export")
    assert export.status_code == 200
    media = json.loads(export.text)["value"]
    assert len(media) == 2  # two distinct contents, the copies grouped under MediaFiles

    page = client.get(f"/media/scans/{scan_id}")
    assert page.status_code == 200 and "national / A" in page.text
    assert "<img" not in page.text  # hashes and paths only, never a picture
    assert page.text.count("pdq: corrupt or unsupported image") == 2  # broken.jpg, noise.jpg

    with session_scope() as session:
        custody = session.execute(select(CustodyRecord)).scalars().all()
    actions = sorted(c.action for c in custody)
    assert actions.count("media.match") == 4 and actions.count("media.scan") == 1


def test_pages_upload_delete_and_path_fence(client, login_as, intake: Path, tmp_path: Path) -> None:
    login_as("investigator")
    token = csrf_of(client)
    page = client.get("/media")
    assert page.status_code == 200 and "No hash list yet" in page.text
    up = client.post(
        "/media/lists",
        files={"file": ("known.csv", _list_csv(intake) + b"md5,not-a-hash,A\n", "text/csv")},
        data={"csrf_token": token, "ignore": ""},
        follow_redirects=False,
    )
    assert up.status_code == 200 and 'data-testid="imported"' in up.text
    bad_line = len(_list_csv(intake).splitlines()) + 1
    assert re.search(rf"line {bad_line}: not a md5 hash: .*not-a-hash", up.text)  # the malformed row, by its line
    page = client.get("/media")
    assert 'data-list="known"' in page.text
    list_id = re.search(r'action="/media/lists/(\d+)/delete"', page.text).group(1)

    outside = client.post(
        "/media/scans",
        data={"csrf_token": token, "path": "/etc", "distance": "12", "lists": list_id},
        follow_redirects=False,
    )
    assert outside.status_code == 400 and "outside the folders" in outside.text
    assert str(intake.parent) in outside.text or str(intake) in outside.text  # names the folders allowed
    assert 'name="path" required value="/etc"' in outside.text and 'value="12"' in outside.text  # the form is kept
    assert f'value="{list_id}" checked' in outside.text
    refused = client.post(
        "/media/lists/register", data={"csrf_token": token, "path": "/etc/passwd", "name": "x1"}, follow_redirects=False
    )
    assert refused.status_code == 400 and "outside the folders" in refused.text
    assert 'value="/etc/passwd"' in refused.text and 'value="x1"' in refused.text

    started = client.post("/media/scans", data={"csrf_token": token, "path": str(intake)}, follow_redirects=False)
    assert started.status_code == 303
    scan_page = client.get(started.headers["location"])
    assert scan_page.status_code == 200 and "known / A" in scan_page.text

    gone = client.post(f"/media/lists/{list_id}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 303
    assert 'data-list="known"' not in client.get("/media").text


def test_scans_are_private_to_their_owner(client, login_as, intake: Path) -> None:
    login_as("investigator")
    headers = {"X-CSRF-Token": csrf_of(client)}
    client.post("/api/media/lists", files={"file": ("l.csv", _list_csv(intake), "text/csv")}, headers=headers)
    scan_id = client.post("/api/media/scans", json={"path": str(intake)}, headers=headers).json()["id"]
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_as("investigator")
    assert client.get(f"/api/media/scans/{scan_id}").status_code == 404


def test_interrupted_scan_resumes_without_rehashing(client, login_as, intake: Path, monkeypatch) -> None:
    import heroes.media.scan as scan_module
    from heroes.core import jobs
    from heroes.core.models import Job
    from heroes.media.jobs import RESULTS

    login_as("investigator")
    token = csrf_of(client)
    headers = {"X-CSRF-Token": token}
    client.post("/api/media/lists", files={"file": ("l.csv", _list_csv(intake), "text/csv")}, headers=headers)
    first = client.post("/api/media/scans", json={"path": str(intake)}, headers=headers).json()
    # Make the finished job look like one a server stop interrupted after three files.
    old_job = first["job"]["id"]
    out = jobs.workdir(old_job) / RESULTS
    lines = out.read_text(encoding="utf-8").splitlines()[:3]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with session_scope() as session:
        session.get(Job, old_job).state = "interrupted"
    page = client.get(f"/media/scans/{first['id']}")
    assert 'data-testid="resume"' in page.text

    hashed: list[str] = []
    real = scan_module.hash_stream
    monkeypatch.setattr(scan_module, "hash_stream", lambda p, *a, **k: hashed.append(p) or real(p, *a, **k))
    resumed = client.post(f"/media/scans/{first['id']}/resume", data={"csrf_token": token}, follow_redirects=False)
    assert resumed.status_code == 303
    new_id = int(resumed.headers["location"].rsplit("/", 1)[1])
    status = client.get(f"/api/media/scans/{new_id}").json()
    assert status["state"] == "done" and status["summary"]["resumed"] == 3
    assert status["summary"]["files"] == 9 and len(hashed) == 6
