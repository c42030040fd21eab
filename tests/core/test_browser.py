"""The core pages in a real headless Chromium: sign-in, sign-out, language switch, a refused page."""

from __future__ import annotations

from typing import Any

from tests.conftest import TEST_PASSWORD


def test_login_and_logout(page: Any, make_user: Any) -> None:
    name = make_user("investigator")
    page.goto("/jobs")  # a staff page sends an anonymous visitor to sign in first
    assert "/login" in page.url
    page.fill("#username", name)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")
    assert page.url.endswith("/jobs")
    assert name in page.inner_text("[data-testid=whoami]")
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-link]")
    assert page.locator("[data-testid=whoami]").count() == 0
    assert page.console_errors == []


def test_wrong_password_shows_an_error(page: Any, make_user: Any) -> None:
    name = make_user("caseworker")
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.inner_text("[data-testid=login-error]")


def test_language_switch_and_browser_default(browser: Any, live_server: str) -> None:
    context = browser.new_context(locale="es-ES", base_url=live_server)
    tab = context.new_page()
    tab.goto("/")
    assert tab.get_attribute("html", "lang") == "es"
    assert "Acceso de personal" in tab.inner_text("header")
    tab.click("[data-lang=en]")
    tab.wait_for_function("document.documentElement.lang === 'en'")
    assert "Staff sign-in" in tab.inner_text("header")
    tab.goto("/login")  # the choice sticks across pages
    assert tab.get_attribute("html", "lang") == "en"
    context.close()


def test_page_refused_to_the_wrong_role(page: Any, browser_login: Any) -> None:
    browser_login(page, "caseworker")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    assert "Not allowed" in page.inner_text("h1")


def test_admin_adds_an_account(page: Any, browser_login: Any) -> None:
    browser_login(page, "admin")
    page.goto("/admin/users")
    page.fill("#new-username", "new-caseworker")
    page.fill("#new-password", "a-strong-password")
    page.select_option("#new-role", "caseworker")
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_selector("text=new-caseworker")
    assert page.console_errors == []


def test_api_docs_render(page: Any) -> None:
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    assert "HEROES toolkit API" in page.inner_text(".swagger-ui .info")
