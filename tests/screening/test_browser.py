"""The guided screening in a real browser: on a phone-sized screen, without JavaScript, and the
printed and PDF notes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def test_guided_screening_on_a_phone_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, locale="es-ES", viewport={"width": 375, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto("/screening")
        page.select_option("#country", "ES")
        page.select_option("#sector", "health")
        page.check("input[name=age][value=child]")
        page.click("[data-testid=start-form] button[type=submit]")
        page.wait_for_url("**/screening/checklist**")
        assert page.locator("[data-testid=emergency] a[href='tel:112']").is_visible()
        assert page.locator("input[name=consent]").count() == 0
        # once loaded, whom to call stays on the page even without a connection
        context.set_offline(True)
        page.click("[data-testid=overview] summary")
        overview = page.locator("[data-testid=overview]").inner_text()
        assert "900 20 20 10" in overview and "Nunca se pide consentimiento" in overview
        context.set_offline(False)
        # nothing overflows sideways on a narrow screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.check("#danger-threat-now")
        page.check("#sex-child-exchange")
        page.click("[data-testid=checklist-form] button[type=submit]")
        page.wait_for_url("**/screening/result")
        assert page.get_attribute("[data-testid=level]", "data-level") == "urgent"
        first = page.locator("[data-testid=safety-steps] li").first
        assert "112" in first.inner_text() and first.get_attribute("class") == "emergency"
        steps = page.locator("[data-testid=referral-steps] li")
        assert steps.first.get_attribute("data-step") == "es-child-protection"
        assert "No pida consentimiento al menor" in steps.first.inner_text()
    finally:
        context.close()


def test_printable_note_hides_the_site_chrome_and_pdf_downloads(page: Any) -> None:
    page.goto("/screening/checklist?country=GB&sector=labour_inspection&age=adult")
    page.check("#lab-wages-withheld")
    page.check("#lab-no-contract")
    page.click("details[data-form=general] summary")  # more signs are one tap away
    page.check("#gen-isolated")
    page.check("input[name=consent][value=declined]")
    page.click("[data-testid=checklist-form] button[type=submit]")
    page.wait_for_url("**/screening/result")
    assert page.get_attribute("[data-testid=level]", "data-level") == "high"
    page.select_option("#note_lang", "es")
    page.fill("#notes", "Visto en la inspeccion del martes.")
    page.click("[data-testid=print-note]")
    page.wait_for_selector("[data-testid=note]")
    note = page.locator("[data-testid=note]").inner_text()
    assert "Preocupación alta" in note and "Visto en la inspeccion del martes." in note
    assert "Si la persona adulta no está de acuerdo" in note
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("form.no-print").is_visible()
    assert page.locator("[data-testid=note]").is_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download_info:
        page.click("[data-testid=pdf-note]")
    download = download_info.value
    assert download.suggested_filename == "referral-note.pdf"
    data = Path(download.path()).read_bytes()
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Preocupación alta" in text and "MS1" in text and "Visto en la inspeccion del martes." in text


def test_admin_edits_the_directory_in_the_browser(page: Any, browser_login: Any) -> None:
    browser_login(page, "admin")
    page.goto("/screening/directory")
    page.click("tr[data-service='es-016'] a")
    page.fill("#hours_en", "24 hours, every day (checked)")
    page.click("[data-testid=service-form] button[type=submit]")
    page.wait_for_selector("[data-testid=message]")
    assert "24 hours, every day (checked)" in page.locator("tr[data-service='es-016']").inner_text()
