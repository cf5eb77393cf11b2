"""The Content-Security-Policy in a real browser: the admin, the year-end review (its CSS and
inline SVG charts), the bill pages and Swagger UI load and draw with no violation."""

import pytest
from django.db import connections

from tests.browser.test_review_browser import ARGS, OUTPUT, PASSWORD
from tests.factories import UserFactory, demo_like_ledger

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # about 15 s: make test-slow

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile));
"""


@pytest.fixture
def page(chromium_executable, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(WATCH)
        page = context.new_page()
        page.set_default_timeout(20_000)
        console = []
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.console_errors = console
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_pages_work_under_the_content_security_policy(transactional_db, live_server, page):
    try:
        check_pages(live_server.url, page)
    finally:
        connections.close_all()


def violations(page) -> list[str]:
    return page.evaluate("window.__csp") + [
        text for text in page.console_errors if "Content Security Policy" in text
    ]


def check_pages(url, page):
    user = UserFactory(username="csp")
    ledger = demo_like_ledger(user)
    tax_year = ledger["years"][2025]
    page.goto(f"{url}/admin/login/")
    policy = page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")
    seen = {}
    for name, path in [
        ("admin index", "/admin/"),
        ("bills", "/admin/ledger/bill/"),
        ("bill form", "/admin/ledger/bill/add/"),
        ("bill import", "/admin/ledger/bill/import/"),
        ("review", f"/admin/ledger/taxyear/{tax_year.pk}/review/"),
        ("file the year", f"/admin/ledger/taxyear/{tax_year.pk}/review/file/"),
    ]:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        seen[name] = violations(page)
    assert seen == {name: [] for name in seen}

    # The review's styles come from its stylesheet, its charts are drawn.
    page.goto(f"{url}/admin/ledger/taxyear/{tax_year.pk}/review/")
    assert page.locator("svg.chart").count() == 4
    weight = page.evaluate(
        "getComputedStyle(document.querySelector('.review h2.section')).fontWeight"
    )
    assert weight == "600"
    width = page.evaluate("document.querySelector('svg.chart').getBoundingClientRect().width")
    assert 300 < width <= 640
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "review-under-csp.png"), full_page=False)

    # Swagger UI draws the API from the schema, with its setup script as a file.
    page.goto(f"{url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert "homeoffice API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations(page) == []
    page.screenshot(path=str(OUTPUT / "swagger-under-csp.png"), full_page=False)
