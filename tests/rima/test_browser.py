"""RIMA in a real browser: upload an export, follow the job, read, search and tag, download the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_upload_follow_read_search_tag_and_report(page: Any, browser_login: Any, phone_dump: Path) -> None:
    browser_login(page, "investigator")
    page.goto("/rima")
    assert page.locator("[data-testid=no-packages]").is_visible()
    page.fill("#case", "2024/17")
    page.fill("#examiner", "Ana")
    page.fill("#tz", "Europe/Madrid")
    page.set_input_files("#files", [str(phone_dump / "WhatsApp Chat with Lucía.zip"), str(phone_dump / "result.json")])
    page.click("[data-testid=acquire] button[type=submit]")
    page.wait_for_selector("[data-testid=job-state]:has-text('done')", timeout=30_000)
    page.goto("/rima")
    page.click("[data-testid=packages] a")
    page.wait_for_selector("[data-testid=verified]")
    assert "WhatsApp Chat with Lucía" in page.inner_text("[data-testid=conversations]")
    page.fill("#q", "manana")
    page.click("[data-testid=search] button[type=submit]")
    assert "nos vemos" in page.inner_text("[data-testid=results]")
    page.click("[data-testid=results] a")
    message = page.locator("[data-message]").filter(has_text="nos vemos")
    message.locator("input[name=tag]").fill("meeting")
    message.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=tag]:has-text('meeting')")
    page.goto("/rima")
    page.click("[data-testid=packages] a")
    with page.expect_download() as download:
        page.click("a[href$='fmt=csv']")
    assert "M0000001" in Path(download.value.path()).read_text(encoding="utf-8")
    assert page.console_errors == []
