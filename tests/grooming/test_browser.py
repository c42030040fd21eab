"""The live page in a real browser: the warning appears on the child's side."""

from .conftest import GROOMING_CHAT, GROOMING_CHAT_ES


def test_warning_appears_on_the_childs_side(page):
    page.goto("/grooming")
    # The page's CSP forbids eval, so waits use selectors rather than JS predicates.
    page.wait_for_selector("#grooming-demo[data-ready*=child][data-ready*=adult]", state="attached")
    warning = page.get_by_test_id("warning")
    assert warning.is_hidden()
    assert page.get_by_test_id("level").inner_text() == "No warning signs so far"
    for sent, (who, text) in enumerate(GROOMING_CHAT, start=1):
        side = "adult" if who == "sam" else "child"
        page.fill(f"#text-{side}", text)
        page.get_by_test_id(f"send-{side}").click()
        page.wait_for_selector(f"[data-testid=chat-child] li:nth-child({sent})")
    warning.wait_for(state="visible")
    assert "signs of grooming" in warning.inner_text()
    assert page.get_by_test_id("stages").locator("li").count() >= 3
    # Words, not a number; the child's stage names; the box lists later stages as they come.
    assert "Warning" in page.get_by_test_id("level").inner_text()
    assert page.get_by_test_id("level").get_attribute("data-level") == "warning"
    assert "Asking you to keep secrets" in warning.inner_text()
    assert "Trying to meet you" in warning.inner_text()
    assert page.get_by_test_id("alerts").locator("li").count() >= 2
    # The adult's pane shows the chat but no risk.
    assert page.locator("#pane-adult .g-warning").count() == 0
    assert page.console_errors == []


def test_child_side_in_a_second_window(page):
    page.goto("/grooming")
    page.wait_for_selector("#grooming-demo[data-ready*=child][data-ready*=adult]", state="attached")
    link = page.locator(".g-share-link").get_attribute("href")
    assert link and "side=child" in link
    child = page.context.new_page()
    child.goto(link)
    child.wait_for_selector("#grooming-demo[data-ready*=child]", state="attached")
    assert child.locator("#pane-adult").is_hidden()
    adult_lines = [t for who, t in GROOMING_CHAT if who == "sam"]
    for sent, text in enumerate(adult_lines, start=1):
        page.fill("#text-adult", text)
        page.get_by_test_id("send-adult").click()
        child.wait_for_selector(f"[data-testid=chat-child] li:nth-child({sent})")
    child.get_by_test_id("warning").wait_for(state="visible")
    assert child.get_by_test_id("alerts").inner_text().strip() != ""


def test_spanish_demo_warns_in_spanish_with_words_for_children(page):
    page.goto("/grooming?lang=es")
    page.wait_for_selector("#grooming-demo[data-ready*=child][data-ready*=adult]", state="attached")
    for sent, (who, text) in enumerate(GROOMING_CHAT_ES, start=1):
        side = "adult" if who == "leo" else "child"
        page.fill(f"#text-{side}", text)
        page.get_by_test_id(f"send-{side}").click()
        page.wait_for_selector(f"[data-testid=chat-child] li:nth-child({sent})")
    warning = page.get_by_test_id("warning")
    warning.wait_for(state="visible")
    assert "Aviso" in page.get_by_test_id("level").inner_text()
    assert "Pedirte que guardes secretos" in warning.inner_text()
    assert "Intentar quedar contigo" in warning.inner_text()
    assert "Intentar saber si estás solo o sola" in page.get_by_test_id("stages").inner_text()
