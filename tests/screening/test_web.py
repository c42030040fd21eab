"""Pages under /screening and the API under /api/screening, through the whole app."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from pypdf import PdfReader

from heroes.screening.content import get_content
from heroes.screening.hsds import seed_directory, to_hsds
from tests.conftest import csrf_of


def _answers_form(client: Any, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": csrf_of(client), **fields}


def test_start_and_checklist_pages_work_without_javascript(client: Any) -> None:
    start = client.get("/screening")
    assert start.status_code == 200 and 'action="/screening/checklist"' in start.text
    assert '<option value="GB">United Kingdom</option>' in start.text
    page = client.get("/screening/checklist", params={"country": "UK", "sector": "health", "age": "child"})
    assert page.status_code == 200
    assert 'href="tel:999"' in page.text
    assert 'name="observed" value="sex-young-child-signs"' in page.text
    assert 'name="consent"' not in page.text  # a child is never asked for consent
    assert 'data-step="gb-child-social-care"' in page.text  # whom to call, on the page itself
    adult = client.get("/screening/checklist", params={"country": "ES", "age": "adult"})
    assert 'name="consent"' in adult.text and 'href="tel:112"' in adult.text


def test_unknown_country_is_a_clear_400(client: Any) -> None:
    response = client.get("/screening/checklist", params={"country": "XX"})
    assert response.status_code == 400 and "unknown country" in response.text


def test_result_page_lists_reasons_and_steps_in_order(client: Any) -> None:
    form = _answers_form(
        client,
        country="GB",
        sector="health",
        age="adult",
        observed=["gen-documents-held", "gen-isolated"],
        danger=["danger-medical"],
        consent="declined",
    )
    response = client.post("/screening/result", data=form)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert 'data-level="urgent"' in html
    safety = html[html.index('data-testid="safety-steps"') :]
    assert safety.index("tel:999") < safety.index("safety-yourself")
    steps = re.findall(r'data-step="(gb-[a-z-]+)"', html)
    assert steps == ["gb-adult-helpline", "gb-adult-duty-to-notify", "gb-adult-police"]
    assert "If the adult does not agree" in html
    assert 'name="observed" value="gen-documents-held"' in html  # carried to the note, not stored


def test_printable_note_and_pdf_in_the_chosen_language(client: Any) -> None:
    base = {"country": "CO", "sector": "education", "age": "child", "observed": ["cri-armed-group"]}
    html = client.post("/screening/note", data=_answers_form(client, **base, note_lang="es", person="", notes=""))
    assert html.status_code == 200 and 'lang="es"' in html.text
    assert "Identificación temprana" in html.text and "tel:141" in html.text
    assert "@media print" in client.get("/static/screening/screening.css").text
    pdf = client.post("/screening/note.pdf", data=_answers_form(client, **base, note_lang="en", person="Ref 7"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Child (under 18) - Ref 7" in text and "ICBF line 141" in text


def test_guide_page_has_no_score(client: Any) -> None:
    response = client.get("/screening/guide")
    assert response.status_code == 200
    assert "Power imbalance" in response.text and 'data-testid="no-score"' in response.text
    assert "score" not in json.dumps(client.get("/api/screening/guide").json()["dimensions"]).lower()


def test_api_checklist_assess_and_pdf(client: Any) -> None:
    countries = client.get("/api/screening/countries").json()
    assert {c["code"] for c in countries} >= {"GB", "ES", "CO", "BD"}
    checklist = client.get(
        "/api/screening/checklist", params={"country": "BD", "sector": "community", "lang": "es"}
    ).json()
    assert checklist["country"] == "BD" and checklist["consent_question"]
    body = {
        "country": "BD",
        "sector": "community",
        "child": True,
        "observed": ["fm-child-marriage"],
        "danger_now": True,
    }
    result = client.post("/api/screening/assess", json=body).json()
    assert result["level"] == "urgent" and result["safety_steps"][0]["service"]["phones"][0]["number"] == "999"
    assert result["consent"]["ask"] is False
    assert [s["id"] for s in result["referral_steps"]] == ["bd-child-1098", "bd-child-police"]
    bad = client.post("/api/screening/assess", json={"country": "BD", "observed": ["nope"]})
    assert bad.status_code == 400 and "unknown indicator" in bad.json()["detail"]
    pdf = client.post("/api/screening/note.pdf", json={**body, "person": ""}, params={"lang": "es"})
    assert pdf.content.startswith(b"%PDF-")


def test_openapi_documents_the_screening_api(client: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/screening/checklist",
        "/api/screening/assess",
        "/api/screening/note.pdf",
        "/api/screening/guide",
        "/api/screening/directory",
        "/api/screening/countries",
    ):
        assert path in paths, path
    assert "/screening/result" not in paths


def test_directory_editing_is_for_admins_only(client: Any, login_as: Any) -> None:
    anonymous = client.get("/screening/directory", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 307) and "/login" in anonymous.headers["location"]
    login_as("caseworker")
    assert client.get("/screening/directory").status_code == 403
    put = client.put("/api/screening/directory", content=b"{}", headers={"X-CSRF-Token": csrf_of(client)})
    assert put.status_code == 403


def test_admin_edits_a_service_and_the_assessment_uses_it(client: Any, login_as: Any) -> None:
    login_as("admin")
    listing = client.get("/screening/directory")
    assert listing.status_code == 200 and 'data-service="gb-msh"' in listing.text
    form = client.get("/screening/directory/gb-msh").text
    assert 'value="Modern Slavery &amp; Exploitation Helpline"' in form
    service = get_content().services()["gb-msh"]
    data = {
        "csrf_token": csrf_of(client),
        **{f"name_{k}": v for k, v in service.name.items()},
        **{f"description_{k}": v for k, v in service.description.items()},
        **{f"hours_{k}": v for k, v in service.hours.items()},
        "phones": "08000 121 700\n+44 20 0000 0000",
        "audience_adult": "yes",
        "audience_child": "yes",
        "verified": "yes",
    }
    saved = client.post("/screening/directory/gb-msh", data=data, follow_redirects=False)
    assert saved.status_code == 303
    result = client.post(
        "/api/screening/assess",
        json={"country": "GB", "observed": ["gen-isolated"]},
        headers={"X-CSRF-Token": csrf_of(client)},
    ).json()
    helpline = next(s for s in result["referral_steps"] if s["id"] == "gb-adult-helpline")
    assert [p["number"] for p in helpline["service"]["phones"]] == ["08000 121 700", "+44 20 0000 0000"]
    bad = client.post("/screening/directory/gb-msh", data={**data, "phones": "call me"})
    assert bad.status_code == 400
    audit = client.get("/admin/audit")
    assert "screening.directory.edit" in audit.text


def test_hsds_import_and_export_through_the_api(client: Any, login_as: Any) -> None:
    exported = client.get("/api/screening/directory").json()
    assert exported == to_hsds(seed_directory(get_content()))
    login_as("admin")
    document = json.loads(json.dumps(exported))
    for phone in document["phone"]:
        if phone["number"] == "1098":
            phone["number"] = "1098 1"
    response = client.put("/api/screening/directory", json=document, headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 200 and response.json()["services"] == len(document["service"])
    again = client.get("/api/screening/directory").json()
    assert "1098 1" in [p["number"] for p in again["phone"]]
    invalid = client.put("/api/screening/directory", json={"service": []}, headers={"X-CSRF-Token": csrf_of(client)})
    assert invalid.status_code == 400


def test_admin_imports_hsds_from_the_directory_page(client: Any, login_as: Any) -> None:
    login_as("admin")
    document = to_hsds(seed_directory(get_content()))
    for service in document["service"]:
        if service["x_heroes"]["key"] == "co-fiscalia-denuncia":
            service["x_heroes"]["verified"] = True
    files = {"file": ("directory.json", json.dumps(document).encode(), "application/json")}
    response = client.post(
        "/screening/directory-import", data={"csrf_token": csrf_of(client)}, files=files, follow_redirects=False
    )
    assert response.status_code == 303
    listing = client.get("/screening/directory").text
    row = listing[listing.index('data-service="co-fiscalia-denuncia"') :]
    assert "<td>yes</td>" in row[: row.index("</tr>")]
    bad = client.post(
        "/screening/directory-import",
        data={"csrf_token": csrf_of(client)},
        files={"file": ("x.json", b"not json", "application/json")},
    )
    assert bad.status_code == 400 and "not valid JSON" in bad.text


def test_nothing_ticked_gives_no_referral_but_advice(client: Any) -> None:
    response = client.post("/screening/result", data=_answers_form(client, country="ES", age="adult"))
    assert 'data-level="none"' in response.text
    assert "No referral step at this level" in response.text
