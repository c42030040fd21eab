"""RIMA's pages and JSON API through the whole app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from heroes.core import audit
from heroes.core.db import session_scope
from heroes.core.models import AuditEntry
from heroes.core.settings import get_settings
from tests.conftest import csrf_of


@pytest.fixture
def intake(phone_dump: Path, heroes_db, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = get_settings().data_dir / "rima-intake"
    shutil.copytree(phone_dump, root / "phone")
    monkeypatch.delenv("HEROES_RIMA_ROOTS", raising=False)
    return root / "phone"


def test_api_acquire_read_search_tag_verify(client, login_as, intake: Path) -> None:
    login_as("investigator")
    token = csrf_of(client)
    resp = client.post(
        "/api/rima/acquire", json={"paths": [str(intake)], "case": "2024/17", "examiner": "Ana", "tz": "Europe/Madrid"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    job = client.get(f"/api/jobs/{resp.json()['job_id']}").json()
    assert job["state"] == "done", job
    (pkg,) = client.get("/api/rima/packages").json()
    assert pkg["case"] == "2024/17" and pkg["messages"] > 10
    detail = client.get(f"/api/rima/packages/{pkg['id']}").json()
    assert detail["verification"]["ok"] and len(detail["conversations"]) >= 4
    found = client.get(f"/api/rima/packages/{pkg['id']}/messages", params={"q": "PARQUE"}).json()["messages"]
    assert len(found) == 1 and found[0]["sender"] == "Me"
    tagged = client.post(
        f"/api/rima/packages/{pkg['id']}/tags", json={"message_id": found[0]["id"], "tag": "meeting", "note": "n"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert tagged.status_code == 200, tagged.text
    again = client.get(f"/api/rima/packages/{pkg['id']}/messages", params={"q": "parque"}).json()["messages"]
    assert again[0]["tags"][0]["tag"] == "meeting" and again[0]["tags"][0]["note"] == "n"
    line = client.get(f"/api/rima/packages/{pkg['id']}/timeline", params={"limit": 5}).json()
    assert line["total"] == pkg["messages"] and len(line["messages"]) == 5
    contacts = client.get(f"/api/rima/packages/{pkg['id']}/contacts").json()
    assert any(c["value"] == "+34600000001" for c in contacts)
    page = client.get(f"/rima/packages/{pkg['id']}", params={"q": "parque"})
    assert page.status_code == 200 and "nos vemos" in page.text
    grooming = client.get(f"/rima/packages/{pkg['id']}/grooming")
    assert grooming.status_code == 200 and 'data-testid="grooming-result"' in grooming.text
    assert client.get(f"/api/rima/packages/{pkg['id']}/grooming").json()[0]["conversation"].startswith("C")
    pdf = client.get(f"/rima/packages/{pkg['id']}/report", params={"fmt": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Every read of the package's content is audited (from read-only sessions, by the batch writer),
    # and each verification leaves its custody record.
    with session_scope() as session:
        reads = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "rima.read", AuditEntry.target == f"rima:{pkg['id']}")
        ).scalars()
        seen = {json.loads(d)["what"] for d in reads}
        assert seen == {"package", "messages", "timeline", "contacts", "grooming", "report"}
        assert audit.count(session, "custody.rima.verify") == 2  # the API view and the page
        assert audit.verify(session).ok


def test_paths_outside_the_intake_and_other_peoples_packages_are_refused(client, login_as, intake: Path) -> None:
    login_as("investigator")
    token = csrf_of(client)
    resp = client.post(
        "/api/rima/acquire", json={"paths": ["/etc"], "case": "c", "examiner": "e"}, headers={"X-CSRF-Token": token}
    )
    assert resp.status_code == 400 and "outside the folders" in resp.json()["detail"]
    resp = client.post(
        "/api/rima/acquire", json={"paths": [str(intake)], "case": "c", "examiner": "e"},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    (pkg,) = client.get("/api/rima/packages").json()
    client.post("/logout", data={"csrf_token": token})
    login_as("investigator")
    assert client.get("/api/rima/packages").json() == []
    assert client.get(f"/api/rima/packages/{pkg['id']}").status_code == 404
