"""Case pages and API through the whole app: tabs, forms, refusals, PDFs, FHIR, stale edits."""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from heroes.cases import engine
from heroes.core import db
from heroes.core.models import AuditEntry
from tests.conftest import TEST_PASSWORD, csrf_of

from .conftest import World


def _sign_in(client: Any, username: str) -> str:
    client.cookies.clear()
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    return csrf_of(client)


def _case(world: World) -> int:
    with db.session_scope() as s:
        return engine.open_case(
            s,
            world.viewer("ngo", "caseworker"),
            pseudonym="Rosa",
            child=False,
            country="ES",
            languages=["ro"],
            risk="high",
            identity={"legal_name": "Ioana Popescu"},
        ).id


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_every_tab_renders_for_the_owner(world: World, client: Any) -> None:
    case_id = _case(world)
    _sign_in(client, world.users[("ngo", "caseworker")])
    listing = client.get("/cases")
    assert listing.status_code == 200 and f'href="/cases/{case_id}"' in listing.text
    for tab in ("person", "consent", "referrals", "interviews", "plan", "notes", "history"):
        page = client.get(f"/cases/{case_id}", params={"tab": tab})
        assert page.status_code == 200, tab
        assert f'data-testid="tab-{tab}"' in page.text
    person = client.get(f"/cases/{case_id}").text
    assert "Ioana Popescu" in person and 'data-testid="edit-form"' in person
    safeguarding = client.get(f"/cases/{case_id}", params={"reason": "safeguarding"}).text
    assert '<option value="safeguarding" selected>' in safeguarding
    with db.session_scope() as s:
        last = s.execute(
            select(AuditEntry).where(AuditEntry.action == "cases.read").order_by(AuditEntry.id.desc()).limit(1)
        ).scalar_one()
        assert json.loads(last.details)["reason"] == "safeguarding" and last.target == f"case:{case_id}"
    assert client.get(f"/cases/{case_id}", params={"reason": "curiosity"}).status_code == 422
    pathways = client.get(f"/cases/{case_id}", params={"tab": "referrals"}).text
    assert 'data-testid="pathways"' in pathways and "112" in pathways  # Spain's pathway from the screening tool


def test_refer_accept_and_the_partner_sees_only_the_shared_fields(world: World, client: Any) -> None:
    case_id = _case(world)
    csrf = _sign_in(client, world.users[("ngo", "caseworker")])
    social = world.orgs["social"]
    refused = client.post(
        f"/cases/{case_id}/referrals", data={"csrf_token": csrf, "to_organisation_id": social, "fields": ["pseudonym"]}
    )
    assert refused.status_code == 400 and "consent" in refused.text
    client.post(
        f"/cases/{case_id}/consents",
        data={
            "csrf_token": csrf,
            "purpose": "share_org",
            "organisation_id": social,
            "given_by": "person",
            "method": "spoken",
        },
    )
    sent = client.post(
        f"/cases/{case_id}/referrals",
        data={
            "csrf_token": csrf,
            "to_organisation_id": social,
            "fields": ["pseudonym", "risk"],
            "needs": ["shelter"],
            "message": "Needs a bed tonight",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    csrf = _sign_in(client, world.users[("social", "caseworker")])
    incoming = client.get("/cases").text
    (referral_id,) = re.findall(r'data-referral="(\d+)"', incoming)
    assert "Needs a bed tonight" in incoming and "Ioana" not in incoming
    client.post(f"/cases/referrals/{referral_id}/answer", data={"csrf_token": csrf, "decision": "accept"})
    page = client.get(f"/cases/{case_id}").text
    assert 'data-testid="risk"' in page and "Ioana" not in page and 'data-testid="edit-form"' not in page


def test_a_stale_form_is_refused_with_a_clear_message(world: World, client: Any) -> None:
    case_id = _case(world)
    csrf = _sign_in(client, world.users[("ngo", "coordinator")])
    page = client.get(f"/cases/{case_id}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "version": version, "has_risk": "1", "risk": "urgent", "change_reason": "threat"}
    assert client.post(f"/cases/{case_id}/edit", data=form, follow_redirects=False).status_code == 303
    second = client.post(f"/cases/{case_id}/edit", data={**form, "risk": "low"})
    assert second.status_code == 409 and "changed by someone else" in second.text
    api = client.patch(
        f"/api/cases/{case_id}",
        json={"version": int(version), "changes": {"risk": "low"}},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 409 and "reload" in api.json()["detail"]


def test_pdfs_in_both_languages_and_the_fhir_bundle(world: World, client: Any) -> None:
    case_id = _case(world)
    owner = world.viewer("ngo", "caseworker")
    with db.session_scope() as s:
        engine.record_consent(
            s,
            case_id,
            owner,
            purpose="share_org",
            organisation_id=world.orgs["health"],
            given_by="person",
            method="interpreted",
        )
        referral_id = engine.refer(
            s,
            case_id,
            owner,
            to_organisation_id=world.orgs["health"],
            fields=["pseudonym", "languages"],
            needs=["health"],
        ).id
    _sign_in(client, world.users[("ngo", "caseworker")])
    english = _pdf_text(client.get(f"/cases/{case_id}/summary.pdf", params={"lang": "en"}).content)
    spanish = _pdf_text(client.get(f"/cases/{case_id}/summary.pdf", params={"lang": "es"}).content)
    assert "Case summary" in english and "Ioana Popescu" in english
    assert "Resumen del caso" in spanish and "Nivel de riesgo" in spanish
    letter = _pdf_text(client.get(f"/cases/referrals/{referral_id}/letter.pdf", params={"lang": "es"}).content)
    assert "Carta de derivación" in letter and "Ioana" not in letter  # the letter carries only shared fields
    bundle = client.get(f"/api/cases/referrals/{referral_id}/fhir").json()
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert bundle["resourceType"] == "Bundle" and {"ServiceRequest", "Consent", "Patient"} <= set(kinds)
    request = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest")
    consent = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Consent")
    assert (
        request["status"] == "active"
        and request["supportingInfo"][0]["reference"]["reference"] == f"Consent/{consent['id']}"
    )
    assert consent["decision"] == "permit" and consent["verification"][0]["verificationType"]["text"] == "interpreted"
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"][0]["text"] == "Rosa"  # identity not shared: the pseudonym only


def test_a_screening_result_opens_a_prefilled_case(world: World, client: Any) -> None:
    csrf = _sign_in(client, world.users[("ngo", "caseworker")])
    answers = {
        "csrf_token": csrf,
        "country": "ES",
        "age": "child",
        "observed": ["sex-child-exchange"],
        "danger": ["danger-threat-now"],
    }
    result = client.post("/screening/result", data=answers).text
    assert 'action="/cases/from-screening"' in result
    form = client.post("/cases/from-screening", data=answers).text
    assert 'data-testid="from-screening"' in form and 'value="sex-child-exchange"' in form
    created = client.post(
        "/cases/new", data={**answers, "pseudonym": "Lina", "child": "yes", "risk": "urgent"}, follow_redirects=False
    )
    case_id = int(created.headers["location"].rsplit("/", 1)[1])
    view = client.get(f"/api/cases/{case_id}").json()
    assert view["screening"]["level"] == "urgent" and "sex-child-exchange" in view["screening"]["indicators"]
    assert view["child"] is True and view["country"] == "ES"


def test_links_and_the_recording_through_the_api_and_pages(world: World, client: Any) -> None:
    from datetime import UTC, datetime

    from heroes.cases import records

    case_id = _case(world)
    with db.session_scope() as s:
        interview_id = records.add_interview(
            s,
            case_id,
            world.viewer("ngo", "caseworker"),
            at=datetime(2026, 3, 1, tzinfo=UTC),
            interviewer="A",
            recording=b"\x00audio",
        ).id
    csrf = _sign_in(client, world.users[("ngo", "investigator")])
    patched = client.patch(
        f"/api/cases/{case_id}",
        json={"version": 1, "changes": {"links": ["report: 4821 1190", "investigation: OP-2026-114"]}},
        headers={"X-CSRF-Token": csrf},
    )
    assert patched.status_code == 200, patched.text
    page = client.get(f"/cases/{case_id}").text
    assert "OP-2026-114" in page and "4821 1190" in page
    bad = client.patch(
        f"/api/cases/{case_id}", json={"version": 2, "changes": {"links": ["diary: x"]}}, headers={"X-CSRF-Token": csrf}
    )
    assert bad.status_code == 400 and "colon" in bad.json()["detail"]
    recording = client.get(f"/cases/{case_id}/interviews/{interview_id}/recording")
    assert recording.status_code == 200 and recording.content == b"\x00audio"


def test_nothing_about_a_case_reaches_the_logs(world: World, client: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    case_id = _case(world)
    csrf = _sign_in(client, world.users[("ngo", "caseworker")])
    client.post(
        f"/cases/{case_id}/notes", data={"csrf_token": csrf, "category": "general", "text": "Sleeps at Calle Luna 3"}
    )
    for tab in ("person", "notes", "history"):
        client.get(f"/cases/{case_id}", params={"tab": tab})
    client.get(f"/api/cases/{case_id}")
    client.post(
        f"/cases/{case_id}/edit", data={"csrf_token": csrf, "version": "1", "has_summary": "1", "summary": "Rosa x"}
    )
    assert caplog.records  # the app did log (requests, errors): just nothing personal
    for secret in ("Rosa", "Ioana", "Popescu", "Calle Luna"):
        assert secret not in caplog.text


def test_staff_without_an_organisation_get_a_clear_answer(client: Any, login_as: Any) -> None:
    login_as("caseworker")
    page = client.get("/cases")
    assert page.status_code == 403 and "no organisation" in page.text
