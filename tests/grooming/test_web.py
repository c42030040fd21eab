import json

from sqlalchemy import select

from heroes.core import db
from heroes.core.models import AuditEntry
from tests.conftest import csrf_of

from .conftest import GROOMING_CHAT

WHATSAPP = "".join(
    f"12/31/20, 9:{10 + i:02d} PM - {'Sam' if a == 'sam' else 'Alex'}: {t}\n" for i, (a, t) in enumerate(GROOMING_CHAT)
)
BODY = {"id": "web-1", "messages": [{"author": a, "text": t} for a, t in GROOMING_CHAT]}


def test_demo_page_is_public(client):
    page = client.get("/grooming")
    assert page.status_code == 200
    assert "Child&#39;s side" in page.text or "Child's side" in page.text
    assert "/static/grooming/live.js" in page.text
    assert client.get("/static/grooming/live.js").status_code == 200


def test_demo_page_in_spanish(client):
    page = client.get("/grooming?lang=es")
    assert "Lado del menor" in page.text


def test_demo_room_api(client):
    token = csrf_of(client)
    room = client.post("/api/grooming/demo/rooms", headers={"X-CSRF-Token": token}).json()["room"]
    url = f"/api/grooming/demo/rooms/{room}/messages"
    r = client.post(url, json={"side": "adult", "text": "hi"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json() == {"index": 0}
    # The session cookie makes CSRF mandatory.
    assert client.post(url, json={"side": "adult", "text": "hi"}).status_code == 403
    bad = client.post(url, json={"side": "parent", "text": "x"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 422
    gone = client.post(
        "/api/grooming/demo/rooms/nope/messages",
        json={"side": "adult", "text": "x"},
        headers={"X-CSRF-Token": token},
    )
    assert gone.status_code == 404 and "expired" in gone.json()["detail"]


def test_openapi_lists_the_api_and_the_stream(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/grooming/analyze"]
    events = paths["/api/grooming/demo/rooms/{room_id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]


def test_analysis_needs_the_permission(client):
    assert client.post("/api/grooming/analyze", json=BODY).status_code == 401
    page = client.get("/grooming/analyze", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_analyze_api_reports_and_audits_without_content(client, login_as):
    who = login_as("caseworker")
    r = client.post("/api/grooming/analyze", json=BODY, headers={"X-CSRF-Token": csrf_of(client)})
    assert r.status_code == 200, r.text
    (rep,) = r.json()["reports"]
    assert rep["label"] is True and rep["riskiest_author"] == "sam"
    assert {"risk_assessment", "isolation", "approach"} <= {s["stage"] for s in rep["stages"]}
    with db.session_scope() as s:
        entries = s.execute(select(AuditEntry).where(AuditEntry.action == "grooming.analyze")).scalars().all()
        assert [e.actor for e in entries] == [who]
        assert "secret" not in json.dumps(entries[0].details)


def test_staff_page_upload_and_report(client, login_as):
    login_as("investigator")
    assert client.get("/grooming/analyze").status_code == 200
    r = client.post(
        "/grooming/analyze",
        data={"csrf_token": csrf_of(client), "format": ""},
        files={"file": ("chat.txt", WHATSAPP.encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text
    assert "Isolation and secrecy" in r.text and "Sam" in r.text
    assert 'data-testid="report"' in r.text


def test_api_file_upload_and_bad_file(client, login_as):
    login_as("caseworker")
    token = csrf_of(client)
    ok = client.post(
        "/api/grooming/analyze/file",
        files={"file": ("chat.txt", WHATSAPP.encode(), "text/plain")},
        headers={"X-CSRF-Token": token},
    )
    assert ok.status_code == 200 and ok.json()["reports"][0]["alert_at"] is not None
    bad = client.post(
        "/api/grooming/analyze/file",
        data={"format": "whatsapp"},
        files={"file": ("chat.txt", b"not a chat\n12/31/20, 9:41 PM - Sam: hi\n", "text/plain")},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 400
    assert "line 1" in bad.json()["detail"]


def test_parents_check_page_serves_the_scorer_and_never_a_form_that_posts(client):
    page = client.get("/grooming/check?lang=es")
    assert page.status_code == 200
    assert "nunca se nos envía" in page.text  # the chat is never sent
    assert "/static/grooming/engine.js" in page.text and "/static/grooming/check.js" in page.text
    assert 'method="post"' not in page.text.lower() and "<form" in page.text
    assert 'href="/reports/new"' in page.text and 'href="/grooming/guide"' in page.text
    for js in ("engine.js", "check.js"):
        assert client.get(f"/static/grooming/{js}").status_code == 200


def test_model_json_is_cached_by_version(client):
    r = client.get("/grooming/check/model.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["n_features"] == 2**18 and len(data["stacker"]["coef"]) == 6
    assert {s["id"] for s in data["stages"]} >= {"risk_assessment", "isolation", "approach"}
    assert all(set(c["patterns"]) >= {"en", "es"} for c in data["cues"])
    etag = r.headers["etag"]
    again = client.get("/grooming/check/model.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content


def test_guide_for_parents_in_both_languages(client):
    en = client.get("/grooming/guide")
    assert "Checking whether the child is alone or watched by adults" in en.text
    assert "Keep the evidence" in en.text and 'href="/reports/new"' in en.text
    es = client.get("/grooming/guide?lang=es")
    assert "Comprobar si el menor está solo o vigilado por adultos" in es.text
    assert "Conserve las pruebas" in es.text
