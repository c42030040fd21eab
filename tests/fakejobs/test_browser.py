"""The public page in a real browser, with and without JavaScript."""

from .ads import RISKY_EN, RISKY_ES


def test_check_an_ad_and_see_the_marked_words(page):
    page.goto("/fakejobs")
    page.fill("#ad-text", RISKY_EN)
    page.get_by_test_id("check").click()
    verdict = page.get_by_test_id("verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-level") == "high"
    marks = page.locator("[data-testid=highlighted] mark").all_inner_texts()
    assert "keep your passport" in marks
    assert page.locator("[data-indicator=documents_retained]").count() == 1
    href = page.get_by_test_id("report-link").get_attribute("href")
    assert href.startswith("/reports/new?category=sexual_exploitation&text=Urgent+hiring")
    assert page.get_by_test_id("sentences").locator("li").count() >= 1
    assert page.console_errors == []


def test_spanish_page_without_javascript(browser, live_server):
    context = browser.new_context(locale="es-ES", base_url=live_server, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto("/fakejobs")
        assert "¿Es segura esta oferta de empleo?" in tab.content()
        tab.fill("#ad-text", RISKY_ES)
        tab.get_by_test_id("check").click()
        tab.get_by_test_id("verdict").wait_for()
        assert "Riesgo alto" in tab.get_by_test_id("verdict").inner_text()
        assert "guardamos tu pasaporte" in tab.locator("[data-testid=highlighted] mark").all_inner_texts()
        assert "5,0 %" in tab.get_by_test_id("probability").inner_text()
    finally:
        context.close()
