"""Pages and API of citizen reports through the whole app (TestClient)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from heroes.core.db import session_scope
from heroes.core.models import AuditEntry
from heroes.core.settings import Settings
from heroes.core.web.app import api_routes, declared_permission
from heroes.reports import proof
from heroes.reports.models import Report
from tests.conftest import csrf_of

from .helpers import FARM, GROOMING, submit
from .imagegen import jpeg_with_gps

RECEIPT = re.compile(r'data-testid="receipt" data-code="([0-9]+)"')


def _form_tokens(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]+)"', html))


def test_guided_form_shows_emergency_number_first_when_in_danger(client: TestClient) -> None:
    start = client.get("/reports/new?category=sextortion", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert start.status_code == 200
    assert re.search(r'value="sextortion"[^>]*\s+checked>', start.text)
    assert '<option value="MX" selected>' in start.text  # country guessed from the language tag
    details = client.get("/reports/new?step=details&danger=yes&category=sextortion&country=MX")
    html = details.text
    assert html.index('data-testid="emergency"') < html.index("<h1>")
    assert 'data-testid="emergency-number">911<' in html
    calm = client.get("/reports/new?step=details&danger=no&category=sextortion&country=MX")
    assert 'data-testid="emergency"' not in calm.text


def test_csam_category_hides_uploads_and_warns(client: TestClient) -> None:
    page = client.get("/reports/new?step=details&category=csam_online")
    assert 'data-testid="never-upload"' in page.text
    assert 'type="file"' not in page.text
    other = client.get("/reports/new?step=details&category=labour_exploitation")
    assert 'type="file"' in other.text and 'data-testid="never-upload"' in other.text


def test_form_in_spanish(client: TestClient) -> None:
    page = client.get("/reports/new?lang=es")
    assert "¿Hay alguien en peligro ahora mismo?" in page.text
    assert "Trata con fines de explotación sexual" in page.text


def test_submit_form_with_attachment_then_follow_up(client: TestClient, heroes_db: Settings) -> None:
    form = client.get("/reports/new?step=details&category=labour_exploitation&country=ES")
    tokens = _form_tokens(form.text)
    response = client.post(
        "/reports/new",
        data={
            **tokens,
            "description": FARM,
            "category": "labour_exploitation",
            "country": "ES",
            "phones": "612 345 678",
        },
        files=[("attachments", ("photo.jpg", jpeg_with_gps(), "image/jpeg"))],
    )
    assert response.status_code == 200, response.text
    match = RECEIPT.search(response.text)
    assert match
    receipt = match.group(1)
    again = client.post("/reports/new", data={**tokens, "description": FARM})
    assert again.status_code == 409  # the same form sent twice is stored once
    with session_scope() as session:
        reports = session.execute(select(Report)).scalars().all()
        assert len(reports) == 1 and len(reports[0].attachments) == 1
    status = client.post("/reports/receipt", data={"csrf_token": tokens["csrf_token"], "receipt": receipt})
    assert status.status_code == 200
    assert 'data-testid="report-status">New<' in status.text
    added = client.post(
        "/reports/receipt/add",
        data={"csrf_token": tokens["csrf_token"], "receipt": receipt, "information": "They also use 699 111 222."},
    )
    assert added.status_code == 200 and 'data-testid="notice"' in added.text


def test_bad_form_input_keeps_what_was_typed(client: TestClient) -> None:
    tokens = _form_tokens(client.get("/reports/new?step=details").text)
    response = client.post(
        "/reports/new",
        data={**tokens, "description": "A long enough description of the situation", "location": "Calle Mayor 5"},
        files=[("attachments", ("tool.exe", b"MZ\x90\x00" + bytes(200), "image/jpeg"))],
    )
    assert response.status_code == 400
    assert "tool.exe: This type of file is not accepted" in response.text
    assert "A long enough description of the situation" in response.text and 'value="Calle Mayor 5"' in response.text


def test_public_api_submit_and_reporter_view(app: Any, heroes_db: Settings) -> None:
    api = TestClient(app)  # no session cookie: a plain API client needs no CSRF token
    photo = base64.b64encode(jpeg_with_gps()).decode()
    response = api.post(
        "/api/reports",
        json={
            "description": GROOMING,
            "danger_now": True,
            "country": "GB",
            "usernames": ["instagram: some.one"],
            "attachments": [{"filename": "shot.jpg", "content_base64": photo}],
        },
        headers={"Idempotency-Key": "api-1"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["receipt"]) == 20 and body["emergency"]["emergency"] == "999"
    view = api.get(f"/api/reports/{body['receipt']}")
    assert view.status_code == 200 and view.json()["status"] == "new" and view.json()["attachments"] == 1
    assert (
        api.post("/api/reports", json={"description": GROOMING}, headers={"Idempotency-Key": "api-1"}).status_code
        == 409
    )
    assert api.post("/api/reports", json={"description": "short"}).status_code == 400
    assert api.post("/api/reports", json={"description": FARM, "category": "nope"}).status_code == 400


def test_wrong_receipts_are_rate_limited(app: Any, heroes_db: Settings) -> None:
    api = TestClient(app)
    done = submit(FARM)
    from heroes.reports.receipts import luhn_digit

    body = done.receipt[:6] + "0000000000000"
    wrong = body + luhn_digit(body)
    assert wrong != done.receipt
    codes = [api.get(f"/api/reports/{wrong}").status_code for _ in range(6)]
    assert codes == [404, 404, 404, 404, 404, 429]
    limited = api.get(f"/api/reports/{done.receipt}")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    # Not a lock: the reporter solves the challenge the answer carries and is let in.
    challenge = limited.json()["challenge"]
    assert challenge["lookup"] == done.receipt[:6] and challenge["bits"] >= 16
    assert challenge["algorithm"] == "sha256-leading-zero-bits"
    headers = {
        "Receipt-Proof": proof.solve(challenge["challenge"], challenge["bits"]),
        "Receipt-Client": challenge["client"],
    }
    view = api.get(f"/api/reports/{done.receipt}", headers=headers)
    assert view.status_code == 200, view.text
    # Its Receipt-Opened header lets the next calls with this code skip the work.
    again = api.get(f"/api/reports/{done.receipt}", headers={"Receipt-Opened": view.headers["Receipt-Opened"]})
    assert again.status_code == 200
    assert (
        api.get(f"/api/reports/{wrong}", headers={"Receipt-Opened": view.headers["Receipt-Opened"]}).status_code == 429
    )
    # A challenge can also be asked for ahead (the lookup is the code's first 6 digits).
    ahead = api.post("/api/reports/challenge", json={"lookup": done.receipt[:6]})
    assert ahead.status_code == 200 and ahead.json()["bits"] >= 16 and len(ahead.json()["client"]) >= 16
    fresh = api.post("/api/reports/challenge", json={"lookup": "000000"})
    assert fresh.json()["bits"] == 0  # an untouched lookup needs no work
    assert api.post("/api/reports/challenge", json={"lookup": "12345"}).status_code == 422
    typo = done.receipt[:-1] + str((int(done.receipt[-1]) + 1) % 10)
    assert api.get(f"/api/reports/{typo}").status_code == 400  # a typo does not count as a guess


def _staff_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in api_routes(app.routes):
        if not (route.path.startswith("/reports") or route.path.startswith("/api/reports")):
            continue
        (permission,) = set(declared_permission(route))
        if permission != "public":
            found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))
    return found


def test_public_cannot_reach_any_staff_route(app: Any, client: TestClient, login_as: Callable[..., str]) -> None:
    done = submit(FARM, uploads=[])
    routes = _staff_routes(app)
    assert len(routes) >= 12
    anonymous = TestClient(app)
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", str(done.report_id), path)
        response = anonymous.request(method, url, follow_redirects=False)
        expected = 401 if path.startswith("/api/") else 303
        assert response.status_code == expected, (method, path, response.status_code)
        assert "never paid" not in response.text
    login_as("caseworker")  # staff, but without reports:* permissions
    token = csrf_of(client)
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", str(done.report_id), path)
        response = client.request(method, url, headers={"X-CSRF-Token": token}, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)


def test_investigator_pages_and_api(client: TestClient, login_as: Callable[..., str], heroes_db: Settings) -> None:
    first = submit(FARM, country="ES", phones=["612 345 678"], uploads=[])
    second = submit("They call from +34 612 34 56 78 to offer farm work that is never paid.", country="ES")
    name = login_as("investigator")
    token = csrf_of(client)
    queue = client.get("/reports/queue")
    assert queue.status_code == 200 and queue.text.count('data-testid="queue-row"') == 2
    page = client.get(f"/reports/{first.report_id}")
    assert page.status_code == 200
    assert f'href="/reports/{second.report_id}"' in page.text and "+34612345678" in page.text
    assert "took their passports" in page.text  # the phrase behind the category is shown
    headers = {"X-CSRF-Token": token}
    assert (
        client.post(
            f"/api/reports/cases/{first.report_id}/questions", json={"text": "Where is the farm?"}, headers=headers
        ).status_code
        == 201
    )
    assert (
        client.post(f"/api/reports/cases/{first.report_id}/assignee", json={"username": name}, headers=headers).json()[
            "assigned_to"
        ]
        == name
    )
    status = client.post(f"/api/reports/cases/{first.report_id}/status", json={"status": "referred"}, headers=headers)
    assert status.json() == {"id": first.report_id, "status": "referred", "outcome": None}
    bad = client.post(f"/api/reports/cases/{first.report_id}/status", json={"status": "closed"}, headers=headers)
    assert bad.status_code == 400
    listed = client.get("/api/reports").json()
    assert {item["id"] for item in listed} == {first.report_id, second.report_id}
    assert all(item["linked_reports"] == 1 for item in listed)
    detail = client.get(f"/api/reports/cases/{first.report_id}").json()
    assert detail["messages"][0]["body"] == "Where is the farm?" and detail["assigned_to"] == name
    csv_export = client.post("/reports/export", data={"csrf_token": token, "ids": [first.report_id], "format": "csv"})
    assert csv_export.status_code == 200 and csv_export.headers["content-type"].startswith("text/csv")
    assert csv_export.text.splitlines()[1].startswith(f"{first.report_id},")
    json_export = client.post("/api/reports/export", json={"format": "json"}, headers=headers)
    assert len(json_export.json()["reports"]) == 2
    reporter = client.get(f"/api/reports/{first.receipt}")
    assert reporter.json()["questions"][0]["question"] == "Where is the farm?"
    with session_scope() as session:
        staff_actions = set(session.execute(select(AuditEntry.action).where(AuditEntry.actor == name)).scalars())
    assert {
        "reports.queue",
        "reports.view",
        "reports.question",
        "reports.assign",
        "reports.status",
        "reports.export",
    } <= staff_actions


@pytest.mark.parametrize("path", ["/reports", "/reports/receipt", "/reports/new?step=details"])
def test_public_pages_render(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_receipt_page_rate_limits_wrong_codes(client: TestClient, heroes_db: Settings) -> None:
    done = submit(FARM)
    from heroes.reports.receipts import format_receipt, luhn_digit

    body = done.receipt[:6] + "1234512345123"
    wrong = format_receipt(body + luhn_digit(body))
    token = csrf_of(client)
    statuses = [
        client.post("/reports/receipt", data={"csrf_token": token, "receipt": wrong}).status_code for _ in range(6)
    ]
    assert statuses == [404] * 5 + [429]
    blocked = client.post("/reports/receipt", data={"csrf_token": token, "receipt": done.receipt})
    assert blocked.status_code == 429 and "Too many wrong receipt codes" in blocked.text
    assert int(blocked.headers["Retry-After"]) > 0
    # The page keeps the typed code and carries the challenge for the browser (proof.js) to solve.
    assert f'value="{done.receipt}"' in blocked.text and "/static/reports/proof.js" in blocked.text
    found = re.search(r'data-challenge="([^"]+)" data-bits="(\d+)"', blocked.text)
    client_token = re.search(r'name="client" value="([^"]+)"', blocked.text)
    assert found and client_token
    solution = proof.solve(html.unescape(found.group(1)), int(found.group(2)))
    form = {"csrf_token": token, "receipt": done.receipt, "client": client_token.group(1), "proof": solution}
    opened = client.post("/reports/receipt", data=form)
    assert opened.status_code == 200 and 'name="opened"' in opened.text
    # The reporter's next form (an addition) needs no new work: the page's opened token covers it.
    token_value = re.search(r'name="opened" value="([^"]+)"', opened.text)
    assert token_value
    added = client.post(
        "/reports/receipt/add",
        data={
            "csrf_token": token,
            "receipt": done.receipt,
            "opened": token_value.group(1),
            "client": client_token.group(1),
            "information": "One more detail.",
        },
    )
    assert added.status_code == 200 and "Your information was added" in added.text


def test_the_receipt_proof_of_work_is_documented_in_the_openapi_schema(app: Any, heroes_db: Settings) -> None:
    from heroes.reports.web_common import ReceiptLimitedOut

    schema = app.openapi()
    for path, method in [
        ("/api/reports/{receipt}", "get"),
        ("/api/reports/{receipt}/answers", "post"),
        ("/api/reports/{receipt}/information", "post"),
    ]:
        operation = schema["paths"][path][method]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"Receipt-Proof", "Receipt-Client", "Receipt-Opened"} <= headers, path
        limited = operation["responses"]["429"]["content"]["application/json"]["schema"]
        assert limited["$ref"].endswith("/ReceiptLimitedOut")
    challenge = schema["paths"]["/api/reports/challenge"]["post"]
    assert challenge["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ChallengeOut")
    described = schema["components"]["schemas"]["ChallengeOut"]["description"]
    assert "SHA-256" in described and "Receipt-Proof" in described
    # A real 429 answer matches its documented model.
    api = TestClient(app)
    done = submit(FARM)
    from heroes.reports.receipts import luhn_digit

    body = done.receipt[:6] + "0000000000000"
    wrong = body + luhn_digit(body)
    for _ in range(6):
        answer = api.get(f"/api/reports/{wrong}")
    assert answer.status_code == 429
    parsed = ReceiptLimitedOut.model_validate(answer.json())
    assert parsed.challenge is not None and parsed.challenge.bits > 0


def test_receipt_errors_are_in_the_readers_language_and_keep_the_typed_code(client: TestClient) -> None:
    token = csrf_of(client)
    typo = "1234 5678 9012 3456 7890"  # the check digit is wrong for these 19
    from heroes.reports.receipts import luhn_digit

    assert luhn_digit("1234567890123456789") != "0"
    page = client.post(
        "/reports/receipt", data={"csrf_token": token, "receipt": typo}, headers={"accept-language": "es"}
    )
    assert page.status_code == 400 and 'lang="es"' in page.text
    assert "error de escritura" in page.text and f'value="{typo}"' in page.text  # a way back: fix and send
