"""FCA in a real browser: start an ingest, follow the job, search, browse entities, tag, download the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fca.conftest import make_tree


def test_ingest_follow_search_tag_report(
    page: Any, browser_login: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "intake"
    make_tree(root / "usb")
    monkeypatch.setenv("HEROES_FCA_ROOTS", str(root))
    browser_login(page, "investigator")
    page.goto("/fca")
    assert page.locator("[data-testid=no-cases]").is_visible()
    page.fill("#case", "OP-1")
    page.fill("#path", str(root / "usb"))
    page.fill("#region", "ES")
    page.click("[data-testid=ingest] button[type=submit]")
    # The ingest also encodes passages for semantic search (the model loads in the job): allow a loaded machine.
    page.wait_for_selector("[data-testid=job-state]:has-text('done')", timeout=240_000)
    page.goto("/fca")
    page.click("[data-testid=cases] a")
    assert "deleted" in page.inner_text("[data-testid=summary]")
    page.fill("#q", '"across the border"')
    page.click("[data-testid=search] button[type=submit]")
    assert "docs/page.html" in page.inner_text("[data-testid=results]")
    page.click("a[href='?view=entities']")
    assert "ES9121000418450200051332" in page.inner_text("[data-testid=entities]")
    page.click("a[href='?view=files']")
    page.locator("[data-testid=files] tr").filter(has_text="docs/note.txt").locator("button").click()
    page.wait_for_selector("[data-testid=files] tr:has-text('docs/note.txt'):has-text('tagged')")
    with page.expect_download() as download:
        page.click("a[href$='fmt=html']")
    assert "docs/note.txt" in Path(download.value.path()).read_text(encoding="utf-8")
    assert page.console_errors == []
