"""In real Chromium: a screening ends in a case, the case is referred under a guardian's consent, and
the receiving organisation accepts it; on a phone the emergency number comes first; the note prints."""

from __future__ import annotations

from typing import Any

from tests.conftest import TEST_PASSWORD

from .conftest import World


def _sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")


def test_from_a_screening_to_a_referral_to_a_case(page: Any, world: World) -> None:
    _sign_in(page, world.users[("ngo", "caseworker")])
    page.goto("/screening")
    page.select_option("#country", "ES")
    page.check("input[name=age][value=child]")
    page.click("[data-testid=start-form] button[type=submit]")
    page.check("#danger-threat-now")
    page.check("#sex-child-exchange")
    page.click("[data-testid=checklist-form] button[type=submit]")
    page.wait_for_url("**/screening/result")
    page.click("[data-testid=open-case] button")
    assert "urgent" in page.locator("[data-testid=from-screening]").inner_text().lower()
    page.fill("#pseudonym", "Lina")
    page.click("[data-testid=create-case]")
    page.wait_for_selector("[data-testid=case]")
    case_id = page.get_attribute("[data-testid=case]", "data-case")
    assert page.locator("[data-testid=risk]").inner_text() == "urgent"
    assert page.locator("[data-testid=screening-link]").count() == 1

    page.click("[data-testid=tab-consent]")
    page.select_option("#c-purpose", "share_org")
    page.select_option("#c-org", label="Social services")
    assert page.locator("#c-by option[value=person]").count() == 0  # a child's consent comes from a guardian
    page.select_option("#c-by", "guardian")
    page.fill("#c-detail", "aunt, legal guardian")
    page.click("[data-testid=record-consent]")
    assert "aunt, legal guardian" in page.locator("[data-testid=consents]").inner_text()

    page.click("[data-testid=tab-referrals]")
    assert page.locator("[data-testid=pathways] li").count() > 0  # Spain's pathway, from the screening tool
    page.select_option("#r-org", label="Social services")
    page.check("input[name=needs][value=shelter]")
    page.fill("#r-message", "Needs a safe place tonight")
    page.click("[data-testid=refer]")
    assert page.locator("[data-testid=referrals] tr[data-state=pending]").count() == 1

    page.click("[data-testid=logout]")
    _sign_in(page, world.users[("social", "caseworker")])
    page.goto("/cases")
    assert "Needs a safe place tonight" in page.locator("[data-testid=incoming]").inner_text()
    page.locator("[data-testid=incoming] button[value=accept]").click()
    page.wait_for_url(f"**/cases/{case_id}?reason=referral")
    assert page.locator("[data-testid=case]").get_attribute("data-case") == case_id
    assert page.locator("[data-testid=risk]").inner_text() == "urgent"
    assert page.locator("[data-testid=edit-form]").count() == 0  # a partner reads, the owner edits
    assert not page.console_errors


def test_on_a_phone_the_emergency_number_is_first_and_the_note_prints(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, locale="es-ES", viewport={"width": 375, "height": 740})
    page = context.new_page()
    try:
        page.goto("/screening/checklist?country=CO&age=adult")
        assert "Llame ahora al 123." in page.locator("[data-testid=emergency]").inner_text()
        page.check("#danger_now")
        page.click("[data-testid=checklist-form] button[type=submit]")
        page.wait_for_url("**/screening/result")
        call = page.locator("[data-testid=emergency-first] a[href^='tel:']")
        box = call.bounding_box()
        assert call.is_visible() and box is not None and box["y"] + box["height"] < 740  # seen without scrolling
        assert box["y"] < page.locator("[data-testid=reasons]").bounding_box()["y"]
        page.click("[data-testid=print-note]")
        page.wait_for_selector("[data-testid=note]")
        page.evaluate("window.print = () => { window.printed = true; }")
        page.click("[data-testid=print-button]")
        assert page.evaluate("window.printed") is True
    finally:
        context.close()
