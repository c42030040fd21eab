"""The media pages in a real browser: upload a list, scan a server folder, read the results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heroes.core.settings import get_settings
from heroes.media.scan import hash_file


def test_upload_scan_and_read_results(
    page: Any, browser_login: Any, evidence_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "media_roots", str(evidence_folder.parent))
    one = hash_file(evidence_folder / "one.jpg")
    listed = tmp_path / "national.csv"
    listed.write_text(f"hash_type,hash,category\nmd5,{one.value('md5')},A\n", encoding="utf-8")
    browser_login(page, "investigator")
    page.goto("/media")
    assert page.locator("[data-testid=no-lists]").is_visible()
    page.set_input_files("#list-file", str(listed))
    page.click("[data-testid=upload-list] button[type=submit]")
    page.wait_for_selector("tr[data-list=national]")
    page.fill("#scan-path", str(evidence_folder))
    page.click("[data-testid=start-scan] button[type=submit]")
    page.wait_for_selector("[data-testid=summary]", timeout=30_000)
    assert page.inner_text("[data-testid=matched]") == "2"
    results = page.inner_text("[data-testid=results]")
    assert "one.jpg" in results and "copy-of-one.jpg" in results and one.value("md5") in results
    assert page.locator("main img").count() == 0  # never a picture of a scanned file
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert Path(download.value.path()).read_text(encoding="utf-8").count('"MD5"') >= 1
    assert page.console_errors == []
