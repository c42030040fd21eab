"""The OSINT pages in a real browser: start a crawl of the local test site, follow it, read the clusters."""

from __future__ import annotations

from typing import Any

from tests.osint.site import Site, serve


def test_crawl_then_read_clusters_and_graph(page: Any, browser_login: Any) -> None:
    browser_login(page, "investigator")
    with serve(Site(pages=2)) as base:
        page.goto("/osint")
        page.fill("textarea[name=seeds]", base + "/")
        page.fill("input[name=domains]", "127.0.0.1")
        page.fill("input[name=collection]", "browser1")
        page.click("form.form button[type=submit]")
        for _ in range(60):
            if "done" in page.inner_text("[data-testid=crawls]"):
                break
            page.wait_for_timeout(500)
            page.reload()
    assert "done" in page.inner_text("[data-testid=crawls]")
    page.click("text=browser1")
    # The clusters come from a background job: until it has stored them the page says so and reloads.
    page.wait_for_selector("[data-testid=cluster]", timeout=60000)
    clusters = page.locator("[data-testid=cluster]")
    assert clusters.count() == 2
    assert "phone:+34612345670" in clusters.first.inner_text() or "phone:+34612345671" in clusters.first.inner_text()
    page.fill("input[name=q]", "Cleaner 1-0")
    page.click("form[role=search] button[type=submit]")
    assert "site-1-0" in page.inner_text("[data-testid=hits]")
    page.click("text=Graph")
    assert "+34612345670" in page.inner_text("[data-testid=shared]")
    assert page.console_errors == []
