"""Training in a real browser: a full course (pre-test, modules, post-test, certificate PDF, public
verification page), the public guide with progress kept only in the browser, the trainer's page, and an
axe-core accessibility check of every page type with zero serious or critical violations.

axe-core is a test-only tool: `npm install` in tests/training (scripts/setup.sh --dev does it) puts it in
tests/training/node_modules; the test serves it to the page through Playwright's routing, never through the app.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from heroes.training.content import get_content

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test-only__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
checked_pages: dict[str, int] = {}


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Any]:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `npm install` in tests/training (scripts/setup.sh --dev does it)")
    context = browser.new_context(locale="en-GB", base_url=live_server, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    context.route("**" + AXE_URL, lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    assert errors == [], errors
    context.close()


def axe_check(page: Any, name: str) -> None:
    """Run axe-core on the current page: no serious or critical WCAG 2.2 A/AA violation, nothing overflowing."""
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"
    checked_pages[name] = len(result["violations"])
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} overflows the screen"


def _answer(page: Any, answers: dict[str, list[str]]) -> None:
    for qid, options in answers.items():
        for option in options:
            page.check(f"#{qid}-{option}")


def test_full_course_in_the_browser_then_public_verification(
    tab: Any, browser_login: Any, browser: Any, live_server: str
) -> None:
    course = get_content().course("health")
    name = browser_login(tab, "caseworker")
    tab.goto("/training")
    axe_check(tab, "catalogue (signed in)")
    tab.click("[data-course=health] h3 a")
    tab.wait_for_url("**/training/courses/health")
    axe_check(tab, "course overview")
    tab.click("[data-testid=start]")
    tab.wait_for_url("**/training/courses/health/test/pre")
    axe_check(tab, "pre-test")
    # keyboard only: the first answer is reachable and selectable with Tab and Space
    first = course.test("pre")[0]
    tab.focus(f"#{first.id}-{first.options[0].id}")
    tab.keyboard.press("Space")
    assert tab.is_checked(f"#{first.id}-{first.options[0].id}")
    _answer(tab, {q.id: [next(o.id for o in q.options if not o.correct)] for q in course.test("pre")})
    tab.click("[data-testid=test-form] button[type=submit]")
    tab.wait_for_selector("[data-testid=score]")
    axe_check(tab, "test feedback")
    for module in course.modules:
        tab.click("[data-testid=back]")
        tab.click("[data-testid=next]")
        tab.wait_for_url(f"**/modules/{module.id}")
        axe_check(tab, "module page")
        assert tab.locator(".vignette").count() >= 1
        _answer(tab, {q: sorted(course.questions[q].correct) for q in module.quiz})
        tab.click("[data-testid=quiz-form] button[type=submit]")
        tab.wait_for_selector("[data-testid=score]")
    tab.click("[data-testid=back]")
    tab.click("[data-testid=next]")
    tab.wait_for_url("**/test/post")
    _answer(tab, {q.id: sorted(q.correct) for q in course.test("post")})
    tab.click("[data-testid=test-form] button[type=submit]")
    tab.wait_for_selector("[data-testid=passed]")
    tab.click("[data-testid=back]")
    code = tab.inner_text("[data-testid=code]")
    with tab.expect_download() as download_info:
        tab.click("[data-testid=pdf]")
    pdf = Path(download_info.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert code in text and name in text
    # the verification page works for anyone, without signing in
    public = browser.new_context(base_url=live_server, locale="es-ES", viewport={"width": 360, "height": 740})
    public.route("**" + AXE_URL, lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    visitor = public.new_page()
    try:
        visitor.goto("/training/verify")
        visitor.fill("#code", code.lower())
        visitor.keyboard.press("Enter")
        visitor.wait_for_selector("[data-testid=verification]")
        assert visitor.get_attribute("[data-testid=verification]", "data-state") == "valid"
        assert visitor.inner_text("[data-testid=learner]") == name
        assert "Certificado válido" in visitor.inner_text("[data-testid=verification]")
        axe_check(visitor, "verification page")
    finally:
        public.close()


def test_public_guide_keeps_progress_in_the_browser_only(tab: Any, live_server: str) -> None:
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto("/training/guides/parents")
    axe_check(tab, "public guide")
    tab.locator("#report").scroll_into_view_if_needed()
    tab.wait_for_function("() => document.querySelector('[data-testid=guide-progress]').textContent.includes('/ 7')")
    fieldset = tab.locator("[data-question=q-pay]")
    fieldset.locator("input[value=a]").check()
    before = len(requests)
    fieldset.locator(".check-answer").click()
    assert "Right" in fieldset.locator(".answer-result").inner_text()
    assert len(requests) == before  # checking an answer sends nothing anywhere
    stored = tab.evaluate("() => JSON.parse(localStorage.getItem('heroes.training.guide.parents'))")
    assert stored["answers"] == {"q-pay": True} and stored["read"]
    tab.reload()
    assert tab.evaluate("() => localStorage.getItem('heroes.training.guide.parents')") is not None
    tab.click("#forget-progress")
    assert tab.evaluate("() => localStorage.getItem('heroes.training.guide.parents')") is None
    # printable: no navigation or buttons, the answers shown
    tab.emulate_media(media="print")
    assert not tab.locator(".site-header").is_visible()
    assert not tab.locator(".check-answer").first.is_visible()
    tab.emulate_media(media="screen")
    tab.goto("/training")
    axe_check(tab, "catalogue (public)")


def test_trainer_page_is_accessible(tab: Any, browser_login: Any) -> None:
    browser_login(tab, "admin")
    tab.goto("/training/admin")
    assert tab.locator("[data-testid=learners]").is_visible()
    axe_check(tab, "trainer page")
