"""What a new user found on the screening result: emergency number first, a print button, natural
Spanish call sentences, and the 'a companion answers for the person' sign always in view."""

from __future__ import annotations

from typing import Any

import pytest

from heroes.screening.engine import Answers, assess, checklist
from tests.conftest import csrf_of


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("CO", "Llame ahora al 123."),
        ("ES", "Llame ahora al 112."),
        ("GB", "Llame ahora al 999: Servicios de emergencia"),
    ],
)
def test_spanish_says_the_number_once(country: str, expected: str) -> None:
    action = assess(Answers(country=country, danger_now=True), "es").safety_steps[0].action
    assert action.startswith(expected), action
    assert "Llame ahora a " not in action and " al " + action.split()[-1] not in action[len(expected) :]


def test_english_names_the_number_once_too() -> None:
    assert assess(Answers(country="ES", danger_now=True), "en").safety_steps[0].action == "Call 112 now."


@pytest.mark.parametrize("sector", [None, "health", "transport", "labour_inspection"])
def test_the_companion_sign_is_never_folded_away(sector: str | None) -> None:
    for child in (False, True):
        result = checklist("GB", sector, child, "en")
        assert "gen-someone-speaks-for" in [item.id for item in result.key]
        assert all(item.id != "gen-someone-speaks-for" for group in result.groups for item in group.items)


def test_urgent_result_puts_the_emergency_number_above_the_reasons(client: Any) -> None:
    form = {
        "csrf_token": csrf_of(client),
        "country": "ES",
        "age": "adult",
        "danger": ["danger-medical"],
        "consent": "unknown",
    }
    html = client.post("/screening/result", data=form).text
    assert (
        html.index('data-testid="emergency-first"')
        < html.index('data-testid="level"')
        < html.index('data-testid="reasons"')
    )
    box = html[html.index('data-testid="emergency-first"') :]
    assert box.index('href="tel:112"') < box.index("</div>")
    calm = client.post("/screening/result", data={**form, "danger": []}).text
    assert 'data-testid="emergency-first"' not in calm


def test_checklist_sentence_and_note_print_button(client: Any) -> None:
    page = client.get(
        "/screening/checklist", params={"country": "CO", "age": "adult"}, headers={"Accept-Language": "es"}
    )
    assert "Llame ahora al 123." in page.text and "Línea de emergencias 123 al 123" not in page.text
    note = client.post("/screening/note", data={"csrf_token": csrf_of(client), "country": "ES", "age": "adult"})
    assert "data-print" in note.text and "/static/screening/note.js" in note.text
    assert client.get("/static/screening/note.js").status_code == 200
