"""A reporter and an investigator through the whole flow in a real headless Chromium."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from heroes.core.settings import Settings

from .imagegen import jpeg_with_gps
from .privacy import stored_text

CLIENT_ADDRESS = re.compile(r"127\.0\.0\.1'?[:,] ?(\d{2,5})")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def server_logs() -> Iterator[list[str]]:
    """Every log line of the app and the server during the test, at DEBUG level.

    Not attached to "uvicorn.access" itself: uvicorn switches its access log on whenever that logger
    has a handler, so attaching one here would turn on what the server keeps off (access_log=False).
    """
    handler = _Collect()
    names = ["", "uvicorn", "uvicorn.error", "fastapi", "heroes"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def test_reporter_and_investigator_full_flow(
    page: Any,
    browser: Any,
    live_server: str,
    browser_login: Any,
    heroes_db: Settings,
    server_logs: list[str],
    capfd: Any,
) -> None:
    # --- the reporter: danger now, a category, the form with a photo ----------------------
    page.goto("/reports/new")
    page.check("[data-testid=danger-yes]")
    page.select_option("#country", "ES")
    page.check("[data-testid=category-labour_exploitation]")
    with page.expect_navigation():
        page.click("[data-testid=next-step]")
    assert page.inner_text("[data-testid=emergency-number]") == "112"
    page.fill("#description", "The workers at the farm are never paid and the boss took their passports.")
    page.fill("#location", "Calle Mayor 5, Villanueva")
    page.fill("#phones", "612 345 678")
    page.set_input_files(
        "#attachments", files=[{"name": "farm.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    with page.expect_navigation():
        page.click("[data-testid=submit-report]")
    receipt = page.inner_text("[data-testid=receipt]").strip()
    assert re.fullmatch(r"(\d{4} ){4}\d{4}", receipt)

    # --- the investigator: queue, report, attachment, question, status --------------------
    staff_context = browser.new_context(locale="en-GB", base_url=live_server)
    staff = staff_context.new_page()
    staff_errors: list[str] = []
    staff.on("console", lambda message: staff_errors.append(message.text) if message.type == "error" else None)
    browser_login(staff, "investigator")
    staff.goto("/reports/queue")
    row = staff.locator("[data-testid=queue-row]")
    assert row.count() == 1
    assert "danger now" in row.inner_text()
    staff.click("[data-testid=queue-row] a")
    assert "Labour exploitation" in staff.inner_text("[data-testid=category]")
    reasons = staff.inner_text("[data-testid=reasons]")
    assert "danger now" in reasons and "Calle Mayor 5, Villanueva" in reasons
    href = staff.get_attribute("[data-testid=attachment]", "href")
    assert href
    photo = staff.request.get(href)
    assert photo.status == 200 and photo.headers["content-type"] == "image/jpeg"
    assert len(Image.open(io.BytesIO(photo.body())).getexif()) == 0  # EXIF and GPS are gone
    staff.fill("#question", "Which farm road is it on?")
    with staff.expect_navigation():
        staff.click("[data-testid=ask]")
    staff.select_option("#new-status", "in_review")
    with staff.expect_navigation():
        staff.click("[data-testid=change-status]")
    assert staff.inner_text("[data-testid=status]") == "In review"

    # --- the reporter comes back with the receipt and answers ------------------------------
    page.goto("/reports/receipt")
    page.fill("#receipt", receipt)
    with page.expect_navigation():
        page.click("[data-testid=open-receipt]")
    assert page.inner_text("[data-testid=report-status]") == "In review"
    assert "Which farm road is it on?" in page.inner_text("[data-testid=question]")
    page.fill("[data-testid=question] textarea", "The old road to the river, second gate.")
    with page.expect_navigation():
        page.click("[data-testid=send-answer]")
    assert "answer was sent" in page.inner_text("[data-testid=notice]")
    assert "second gate" in page.inner_text("[data-testid=answer]")

    # --- the investigator sees the answer and closes with an outcome -----------------------
    staff.reload()
    assert "second gate" in staff.inner_text("[data-testid=message-answer]")
    staff.select_option("#new-status", "closed")
    staff.select_option("#outcome", "referred_elsewhere")
    with staff.expect_navigation():
        staff.click("[data-testid=change-status]")
    assert staff.inner_text("[data-testid=status]") == "Closed (Referred to another service)"
    assert page.console_errors == [] and staff_errors == []
    staff_context.close()

    # --- nothing kept or logged about the reporter's address or browser --------------------
    everything = stored_text()
    assert "second gate" in everything  # the search does see decrypted report data
    for trace in ("127.0.0.1", "HeadlessChrome", "Mozilla/", "::1"):
        assert trace not in everything, trace
    captured = capfd.readouterr()
    logged = "\n".join(server_logs) + captured.out + captured.err
    # A client address is host:port (or ('host', port)) with the browser's port, not the server's.
    server_port = live_server.rsplit(":", 1)[1]
    client_ports = [p for p in CLIENT_ADDRESS.findall(logged) if p != server_port]
    assert client_ports == [] and "HeadlessChrome" not in logged


def test_language_switch_keeps_the_typed_text_and_receipt_never_breaks_a_group(
    page: Any, live_server: str, heroes_db: Settings
) -> None:
    page.goto("/reports/new?step=details&category=labour_exploitation&country=ES")
    text = "The workers at the farm are never paid and the boss keeps their passports."
    page.fill("#description", text)
    page.fill("#location", "Finca Los Olivos")
    with page.expect_navigation():
        page.click(".lang-switch a[data-lang=es]")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert "step=details" in page.url  # still on the form, not back at step 1
    assert page.input_value("#description") == text
    assert page.input_value("#location") == "Finca Los Olivos"
    page.set_viewport_size({"width": 320, "height": 640})
    with page.expect_navigation():
        page.click("[data-testid=submit-report]")
    groups = page.locator(".digit-group")
    assert groups.count() == 5
    tops = {round(box["y"]) for box in (groups.nth(i).bounding_box() for i in range(5)) if box}
    heights = [groups.nth(i).bounding_box()["height"] for i in range(5)]  # type: ignore[index]
    line = max(heights)
    assert all(h <= line * 1.2 for h in heights)  # no group is wrapped over two lines
    assert len(tops) >= 1
    assert page.is_visible("[data-testid=print-receipt]")
    # The draft is gone once the report is received.
    assert page.evaluate("sessionStorage.getItem('heroes-report-draft')") is None


def test_a_reporter_whose_receipt_is_under_a_guessing_attack_gets_in_after_the_browser_check(
    page: Any, live_server: str, heroes_db: Settings
) -> None:
    from heroes.core import audit
    from heroes.core.db import session_scope, utcnow
    from heroes.reports import proof, service
    from heroes.reports.ratelimit import Failure
    from heroes.reports.receipts import format_receipt

    from .helpers import FARM, submit

    done = submit(FARM)
    with session_scope() as session:  # someone has tried 7 wrong codes on this report's lookup
        store = service.AuditFailureStore(session)
        for _ in range(7):
            store.add(Failure(utcnow(), done.receipt[:6], proof.client_digest("guesser-token-0000001"), None))
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/reports/receipt") else None)
    page.goto("/reports/receipt")
    page.fill("#receipt", format_receipt(done.receipt))
    page.click("[data-testid=open-receipt]")
    # The server asks for the work (429); proof.js does it and sends the form again by itself.
    page.wait_for_selector("[data-testid=report-status]", timeout=90_000)
    assert answers == [200, 429, 200], answers
    assert page.inner_text("[data-testid=report-status]") == "New"
    assert [e for e in page.console_errors if "status of 429" not in e] == []  # proof.js ran cleanly
    # The reporter's next form needs no new work, however many wrong codes there were.
    page.fill("#information", "The farm is the one with the blue gate.")
    with page.expect_navigation():
        page.click("[data-testid=send-info]")
    assert "Your information was added" in page.inner_text("[data-testid=notice]")
    with session_scope() as session:  # the reporter's own lookups added no failure
        assert audit.count(session, "reports.receipt_failed") == 7
