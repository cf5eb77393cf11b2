"""A brand-new person in a real browser (issue 13): sign up, follow the first-run path, enter a
home, an office and a year of varying monthly bills through the year grid, attach a receipt
and see its preview, review, file, find the filed bill read-only, delete a reviewed open year;
screenshots at 1366 px and 390 px, and no horizontal overflow on the main pages.

Debian's Chromium through Playwright (tests/browser/test_review_browser.py has the fixture);
skipped locally without chromium, required in CI (REQUIRE_BROWSER)."""

import pytest
from django.db import connections
from PIL import Image

from ledger.models import Bill, TaxYear
from tests.browser.test_review_browser import ARGS, OUTPUT

pytestmark = pytest.mark.browser
AMOUNTS = [
    "112.40",
    "98.10",
    "91.75",
    "87.00",
    "75.35",
    "80.20",
    "95.60",
    "99.99",
    "84.10",
    "79.00",
    "101.25",
    "130.00",
]


@pytest.fixture
def page_of(chromium_executable, monkeypatch, settings):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SIGNUP_ENABLED = True
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_new_person_from_sign_up_to_filing(transactional_db, live_server, page_of, tmp_path):
    try:
        new_person(live_server.url, page_of, tmp_path)
    finally:
        connections.close_all()


def new_person(url, page, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    widths = {}
    page.goto(f"{url}/admin/login/")
    page.click("text=New here? Create your account")
    page.fill("#id_username", "pat")
    page.fill("#id_first_name", "Pat")
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "pat@example.com")
    page.fill("#id_password1", "a-long-password-1")
    page.fill("#id_password2", "a-long-password-1")
    page.click("input[value='Create account']")
    page.wait_for_selector("#first-run")

    page.click("#first-run >> text=Add your home")
    page.fill("#id_name", "Elm House")
    page.select_option("#id_ownership", "rent")
    page.fill("#id_total_area", "1000")
    page.fill("#id_occupied_from", "2024-01-01")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.click("#office_areas-group .add-row a")
    page.fill("#id_office_areas-0-area", "100")
    page.fill("#id_office_areas-0-start", "2024-01-01")
    page.click("input[name=_save]")
    page.goto(f"{url}/admin/")
    page.click("#first-run >> text=Add the tax year")
    page.fill("#id_year", "2025")
    page.click("#homes-group .add-row a")
    page.select_option("#id_homes-0-home", label="Elm House")
    page.fill("#id_homes-0-gross_income_limit", "40000")
    page.click("input[name=_save]")
    page.goto(f"{url}/admin/")

    # The year grid: one payee, twelve varying amounts, one save.
    clicks = 0
    page.click("#first-run >> text=Enter your bills")
    clicks += 1
    page.fill("#id_payee", "Elm Power")
    page.select_option("#id_category", "utilities")
    page.fill("#id_year", "2025")
    for month, amount in enumerate(AMOUNTS, start=1):
        page.fill(f"#id_amount_{month}", amount)
    page.click('input[value="Save the year\'s bills"]')
    clicks += 1
    page.wait_for_selector("text=Saved 12 bills from Elm Power in 2025")
    assert clicks <= 20 and Bill.objects.count() == 12
    widths["bill list"] = overflow(page)
    page.screenshot(path=str(OUTPUT / "new-person-bills-1366.png"), full_page=True)

    # A receipt, and its preview.
    bill = Bill.objects.order_by("paid_on").first()
    picture = tmp_path / "power-jan.png"
    Image.new("RGB", (200, 120), "white").save(picture)
    page.goto(f"{url}/admin/ledger/bill/{bill.pk}/change/")
    page.click("#receipts-group .add-row a")
    page.set_input_files("#id_receipts-0-file", str(picture))
    page.click("input[name=_continue]")
    page.wait_for_selector("img.receipt-preview")
    assert page.evaluate("document.querySelector('img.receipt-preview').naturalWidth") == 200
    widths["bill page"] = overflow(page)

    # Review, file.
    tax_year = TaxYear.objects.get(year=2025)
    page.goto(f"{url}/admin/ledger/taxyear/{tax_year.pk}/review/")
    widths["review"] = overflow(page)
    page.screenshot(path=str(OUTPUT / "new-person-review-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    widths["review at 390"] = overflow(page)
    page.screenshot(path=str(OUTPUT / "new-person-review-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("text=File the year…")
    page.click("input[value='Yes, file 2025']")
    page.wait_for_selector(".status.filed")

    # The filed bill page reads as filed.
    page.goto(f"{url}/admin/ledger/bill/{bill.pk}/change/")
    assert "Tax year 2025 is filed" in page.inner_text("#filed-banner")
    assert page.locator("input[name=amount]").count() == 0
    assert page.locator("a.deletelink").count() == 0

    # A reviewed open year is deleted.
    page.goto(f"{url}/admin/ledger/taxyear/add/")
    page.fill("#id_year", "2024")
    page.click("input[name=_save]")
    other = TaxYear.objects.get(year=2024)
    page.goto(f"{url}/admin/ledger/taxyear/{other.pk}/review/")
    page.goto(f"{url}/admin/ledger/taxyear/{other.pk}/delete/")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert not TaxYear.objects.filter(year=2024).exists()

    page.goto(f"{url}/admin/ledger/home/")
    widths["home list"] = overflow(page)
    page.goto(f"{url}/admin/")
    widths["index"] = overflow(page)
    print("overflow px:", widths, "clicks for the year:", clicks)
    assert all(width <= 0 for width in widths.values()), widths
