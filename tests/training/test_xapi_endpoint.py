"""The /xapi/ endpoint as an LRS client sees it: versions, authentication, storing, voiding, filters, scope."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from heroes.core.auth import create_api_token
from heroes.core.db import session_scope
from heroes.training import engine
from heroes.training.models import Statement

from .conftest import right, user_named, wrong
from .test_xapi_rules import ACTOR, DEFAULT

V1 = {"X-Experience-API-Version": "1.0.3"}


def _token(name: str) -> str:
    with session_scope() as s:
        return create_api_token(s, user_named(s, name), "lrs")


def _basic(name: str, token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{token}".encode()).decode(), **V1}


@pytest.fixture
def lrs_client(client: Any, member: Any) -> tuple[Any, dict[str, str], str]:
    name = member("trainer")
    return client, _basic(name, _token(name)), name


def _statement(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(DEFAULT)), "id": str(uuid.uuid4()), **changes}


def test_about_needs_no_credentials_and_lists_both_versions(client: Any) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"] == ["1.0.3", "2.0.0"]
    assert response.headers["X-Experience-API-Version"]
    head = client.head("/xapi/about")
    assert head.status_code == 200 and head.content == b""


def test_authentication_and_version_header(client: Any, member: Any) -> None:
    refused = client.get("/xapi/statements", headers=V1)
    assert refused.status_code == 401 and refused.headers["X-Experience-API-Version"] == "1.0.3"
    assert refused.headers["WWW-Authenticate"].startswith("Basic")
    trainer = member("trainer")
    token = _token(trainer)
    assert client.get("/xapi/statements", headers=_basic(trainer, "wrong")).status_code == 401
    assert client.get("/xapi/statements", headers=_basic("someone-else", token)).status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    missing = client.get("/xapi/statements", headers=bearer)
    assert missing.status_code == 400 and "X-Experience-API-Version" in missing.json()["error"]
    assert client.get("/xapi/statements", headers={**bearer, "X-Experience-API-Version": "0.9"}).status_code == 400
    ok = client.get("/xapi/statements", headers={**bearer, "X-Experience-API-Version": "2.0.0"})
    assert ok.status_code == 200 and ok.headers["X-Experience-API-Version"] == "2.0.0"
    assert "X-Experience-API-Consistent-Through" in ok.headers
    caseworker = member("caseworker")
    assert client.get("/xapi/statements", headers=_basic(caseworker, _token(caseworker))).status_code == 403


def test_post_put_conflict_and_invalid_statements(lrs_client: Any) -> None:
    client, headers, name = lrs_client
    first, second = _statement(), _statement(id=None)
    second.pop("id")
    response = client.post("/xapi/statements", json=[first, second], headers=headers)
    assert response.status_code == 200, response.text
    ids = response.json()
    assert ids[0] == first["id"] and uuid.UUID(ids[1])
    stored = client.get("/xapi/statements", params={"statementId": first["id"]}, headers=headers)
    assert stored.status_code == 200 and "Last-Modified" in stored.headers
    body = stored.json()
    assert body["authority"]["account"]["name"] == name and body["version"] == "1.0.0" and body["stored"]
    # the same statement again is accepted and changes nothing; a different one with the same id conflicts
    assert (
        client.put("/xapi/statements", params={"statementId": first["id"]}, json=first, headers=headers).status_code
        == 204
    )
    changed = {**first, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    assert (
        client.put("/xapi/statements", params={"statementId": first["id"]}, json=changed, headers=headers).status_code
        == 409
    )
    fresh = _statement()
    assert client.post("/xapi/statements", json=[fresh, changed], headers=headers).status_code == 409
    assert client.get("/xapi/statements", params={"statementId": fresh["id"]}, headers=headers).status_code == 404
    put_id = str(uuid.uuid4())
    assert (
        client.put(
            "/xapi/statements", params={"statementId": put_id}, json=_statement(id=put_id), headers=headers
        ).status_code
        == 204
    )
    mismatch = client.put(
        "/xapi/statements", params={"statementId": str(uuid.uuid4())}, json=_statement(), headers=headers
    )
    assert mismatch.status_code == 400
    # invalid statements are refused whole, naming the rule broken, and nothing of the batch is stored
    bad = _statement(actor={**ACTOR, "openid": "https://o.org/x"})
    good = _statement()
    refused = client.post("/xapi/statements", json=[good, bad], headers=headers)
    assert (
        refused.status_code == 400 and "[1] $.actor: an Agent needs exactly one identifier" in refused.json()["error"]
    )
    assert client.get("/xapi/statements", params={"statementId": good["id"]}, headers=headers).status_code == 404
    assert (
        client.post(
            "/xapi/statements", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post("/xapi/statements", json=_statement(verb=None), headers=headers).status_code == 400
    attachment = {
        "usageType": "https://x.org/u",
        "display": {"en": "a"},
        "contentType": "text/plain",
        "length": 1,
        "sha2": "ab",
    }
    inline = client.post("/xapi/statements", json=_statement(attachments=[attachment]), headers=headers)
    assert inline.status_code == 400 and "fileUrl" in inline.json()["error"]
    linked = _statement(attachments=[{**attachment, "fileUrl": "https://x.org/file.txt"}])
    assert client.post("/xapi/statements", json=linked, headers=headers).status_code == 200


def test_voiding_and_filters(lrs_client: Any) -> None:
    client, headers, name = lrs_client
    registration = str(uuid.uuid4())
    course = "https://heroes.invalid/training/courses/health"
    a = _statement(context={"registration": registration})
    b = _statement(
        actor={"mbox": "mailto:other@example.org"},
        verb={"id": "http://adlnet.gov/expapi/verbs/answered"},
        object={"id": "https://heroes.invalid/q/1"},
        context={"contextActivities": {"grouping": [{"id": course}]}},
    )
    assert client.post("/xapi/statements", json=[a, b], headers=headers).status_code == 200

    def ids(**params: Any) -> list[str]:
        response = client.get("/xapi/statements", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["statements"]]

    assert ids(agent=json.dumps({"mbox": "mailto:learner@example.org"})) == [a["id"]]
    assert ids(verb="http://adlnet.gov/expapi/verbs/answered") == [b["id"]]
    assert ids(activity=course) == [a["id"]]
    assert set(ids(activity=course, related_activities="true")) == {a["id"], b["id"]}
    assert ids(registration=registration) == [a["id"]]
    assert ids(since="2999-01-01T00:00:00Z") == [] and ids(until="2000-01-01T00:00:00Z") == []
    assert set(ids(since="2000-01-01T00:00:00Z")) >= {a["id"], b["id"]}
    trainer_agent = json.dumps({"account": {"homePage": "https://heroes.invalid", "name": name}})
    assert ids(agent=trainer_agent) == []  # the authority is only a related agent
    assert set(ids(agent=trainer_agent, related_agents="true")) >= {a["id"], b["id"]}
    assert client.get("/xapi/statements", params={"since": "yesterday"}, headers=headers).status_code == 400
    canonical = client.get(
        "/xapi/statements",
        params={"statementId": a["id"], "format": "canonical"},
        headers={**headers, "Accept-Language": "es-ES"},
    ).json()
    assert canonical["object"]["definition"]["name"] == {"es-ES": "Curso de salud"}
    assert ids(ascending="true") == list(reversed(ids()))
    page = client.get("/xapi/statements", params={"limit": 1}, headers=headers).json()
    assert len(page["statements"]) == 1 and page["more"].startswith("/xapi/statements?")
    rest = client.get(page["more"], headers=headers).json()
    assert rest["statements"][0]["id"] != page["statements"][0]["id"]
    reduced = client.get("/xapi/statements", params={"statementId": b["id"], "format": "ids"}, headers=headers).json()
    assert "definition" not in reduced["object"]
    assert (
        client.get("/xapi/statements", params={"statementId": a["id"], "verb": "x:y"}, headers=headers).status_code
        == 400
    )
    assert client.get("/xapi/statements", params={"colour": "red"}, headers=headers).status_code == 400
    # voiding: the target disappears from queries and can only be fetched as voided
    voiding = _statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"}, object={"objectType": "StatementRef", "id": a["id"]}
    )
    assert client.post("/xapi/statements", json=voiding, headers=headers).status_code == 200
    assert client.get("/xapi/statements", params={"statementId": a["id"]}, headers=headers).status_code == 404
    assert client.get("/xapi/statements", params={"voidedStatementId": a["id"]}, headers=headers).status_code == 200
    assert a["id"] not in ids() and voiding["id"] in ids()


def test_an_organisation_sees_only_its_own_learners_statements(client: Any, member: Any) -> None:
    learner = member("caseworker", organisation="Hospital A")
    other = member("trainer", organisation="Rail B")
    own = member("trainer", organisation="Hospital A")
    course = engine.get_content().course("transport")
    with session_scope() as s:
        user = user_named(s, learner)
        engine.start(s, user, "transport", "es")
        engine.submit_test(s, user, "transport", "pre", wrong(course.test("pre")), "es")
        engine.submit_quiz(s, user, "transport", "signs", right([course.questions["q-group"]]), "es")
    mine = client.get("/xapi/statements", headers=_basic(own, _token(own))).json()["statements"]
    assert len(mine) == 1 + 4 + 1 + 1 + 1  # attempted, pre answers, pre completed, quiz answer, module completed
    assert {s["actor"]["account"]["name"] for s in mine} == {learner}
    assert all(s["context"]["language"] == "es-ES" for s in mine)
    other_headers = _basic(other, _token(other))
    theirs = client.get("/xapi/statements", headers=other_headers).json()["statements"]
    assert theirs == []
    void = {
        "actor": {"mbox": "mailto:trainer@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": mine[0]["id"]},
    }
    refused = client.post("/xapi/statements", json=void, headers=other_headers)
    assert refused.status_code == 400 and "its own organisation" in refused.json()["error"]


def test_statements_are_forwarded_to_an_external_lrs(heroes_db: Any, member: Any, monkeypatch: Any) -> None:
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(
                (
                    self.path,
                    self.headers["X-Experience-API-Version"],
                    self.headers["Authorization"],
                    json.loads(self.rfile.read(length)),
                )
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args: Any) -> None:
            pass

    from heroes.training.web import forward_now

    monkeypatch.setenv("HEROES_TRAINING_LRS_URL", "http://127.0.0.1:9/unreachable")
    name = member("caseworker")
    with session_scope() as s:
        engine.start(s, user_named(s, name), "mdt", "en")
    assert forward_now() == 0  # an unreachable LRS postpones; nothing is lost
    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HEROES_TRAINING_LRS_URL", f"http://127.0.0.1:{server.server_port}/lrs")
        monkeypatch.setenv("HEROES_TRAINING_LRS_USERNAME", "key")
        monkeypatch.setenv("HEROES_TRAINING_LRS_PASSWORD", "secret")
        assert forward_now() == 1
        assert forward_now() == 0  # nothing is sent twice
        path, version, auth, body = received[0]
        assert path == "/lrs/statements" and version == "1.0.3"
        assert auth == "Basic " + base64.b64encode(b"key:secret").decode()
        assert body[0]["verb"]["id"].endswith("/attempted") and "authority" not in body[0]
        with session_scope() as s:
            assert all(r.forwarded_at for r in s.execute(select(Statement)).scalars())
    finally:
        server.shutdown()
