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


def test_owner_shares_a_collection_and_takes_it_back(
    page: Any, browser_login: Any, make_user: Any, tmp_path: Any
) -> None:
    import json

    from sqlalchemy import select

    from heroes.core.db import session_scope
    from heroes.core.models import AuditEntry
    from heroes.osint.ads import Ad
    from heroes.osint.store import Viewer, import_files, read_access
    from tests.osint.test_access import _in_organisation

    colleague = make_user("investigator")
    owner = browser_login(page, "investigator")
    unit = _in_organisation(owner, "Unit Browser")
    source = tmp_path / "ads.jsonl"
    source.write_text(json.dumps(Ad("b1", "Bike", "Lugo", None, "A blue bicycle for sale.").to_json()) + "\n")
    import_files([source], "shared1", Viewer(owner, unit))

    page.goto("/osint/collections/shared1/sharing")
    assert page.inner_text("[data-testid=owner]") == owner
    assert "Unit Browser" in page.inner_text("[data-testid=organisation]")
    page.fill("[data-testid=add-member] input[name=username]", colleague)
    page.click("[data-testid=add-member] button[type=submit]")
    assert colleague in page.inner_text("[data-testid=confirm-question]")
    assert read_access("shared1").members == []  # type: ignore[union-attr]  # asked, not yet done
    page.click("[data-testid=confirm]")
    assert colleague in page.inner_text("[data-testid=notice]")
    assert colleague in page.inner_text("[data-testid=members]")

    page.click(f"[data-testid=remove-{colleague}]")
    page.click("[data-testid=confirm]")
    assert "no longer" in page.inner_text("[data-testid=notice]")
    assert colleague not in page.inner_text("[data-testid=members]")

    page.click("[data-testid=organisation-form] button[type=submit]")
    page.click("[data-testid=confirm]")
    assert "not shared" in page.inner_text("[data-testid=organisation]")

    page.goto("/osint/collections/shared1/sharing?lang=es")
    assert "Quién ve shared1" in page.inner_text("h1")
    with session_scope() as session:
        changes = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "osint.collection.share").order_by(AuditEntry.id)
        ).scalars()
        assert [json.loads(d) for d in changes] == [
            {"member_added": colleague},
            {"member_removed": colleague},
            {"organisation": None},
        ]
    assert page.console_errors == []
