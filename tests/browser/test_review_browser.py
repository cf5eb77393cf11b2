"""The year-end review in a real browser: log in, review, drill down, file, download the PDF.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright's sync API against pytest-django's
`live_server`; never downloads a browser. Screenshots go to the project's test-output/ folder.
"""

import io
from pathlib import Path

import pytest
from django.db import connections
from pypdf import PdfReader

from ledger.models import TaxYear
from review.page import money
from tests.factories import UserFactory, demo_like_ledger
from tests.review.conftest import form_of

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pw-for-tests-123"  # tests.factories.UserFactory's

pytestmark = pytest.mark.browser


def loaded_image_width(page, selector: str) -> int:
    """The natural width of the image `selector` once the browser is done loading it (an `img`
    is in the page before its picture has arrived, and is 0 wide until then; a broken one is
    done and 0 wide)."""
    done = "s => { const i = document.querySelector(s); return i !== null && i.complete }"
    page.wait_for_function(done, arg=selector)
    return page.evaluate("s => document.querySelector(s).naturalWidth", selector)


@pytest.fixture
def browser_page(chromium_executable, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_review_drill_down_file_and_download(transactional_db, live_server, browser_page):
    try:
        review_drill_down_file_and_download(live_server, browser_page)
    finally:
        # ORM calls made while Playwright's loop runs get their own connection (asgiref's
        # context-local storage); close it so PostgreSQL can drop the test database.
        connections.close_all()


def review_drill_down_file_and_download(live_server, page):
    user = UserFactory(username="reviewer")
    ledger = demo_like_ledger(user)
    tax_year = ledger["years"][2025]
    house = ledger["house"]
    OUTPUT.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    # From the tax-year changelist's Review column to the review page.
    page.goto(f"{live_server.url}/admin/ledger/taxyear/")
    page.click("text=Year-end review 2025")
    page.wait_for_selector("h1:has-text('Year-end review 2025')")
    form = form_of(user, 2025, home=house)  # what the review computes (reads store nothing)
    line_36 = page.locator(f"#h{house.pk}-line-36")
    assert money(form.output["lines"]["36"]) in line_36.inner_text()
    assert page.locator("svg.chart").count() == 4
    page.screenshot(path=str(OUTPUT / "review-2025.png"), full_page=True)

    # Drill down: line 21(b) of the house lists the bills behind it, totalling the line.
    page.locator(f"#h{house.pk}-line-21 a[href*='form_line=21b']").click()
    page.wait_for_selector("#bill-totals")
    assert "form_line=21b" in page.url
    totals = page.locator("#bill-totals").inner_text()
    assert money(form.output["lines"]["21b"]) in totals
    page.go_back()

    # File the year: a confirmation page, then the frozen review.
    page.click("text=File the year…")
    page.wait_for_selector("text=What will be frozen")
    assert money(form.deduction) in page.locator("table.filing").inner_text()
    page.click("input[value='Yes, file 2025']")
    page.wait_for_selector(".status.filed")
    assert TaxYear.objects.get(pk=tax_year.pk).filed
    assert page.locator("text=Reopen…").count() == 1

    # Download the PDF.
    with page.expect_download() as download_info:
        page.click("text=Download PDF")
    download = download_info.value
    assert download.suggested_filename == "form8829-2025.pdf"
    data = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert money(form.output["lines"]["36"]) in text and "Part IV" in text
    page.screenshot(path=str(OUTPUT / "review-2025-filed.png"), full_page=False)
