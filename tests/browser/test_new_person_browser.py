"""A brand-new person in a real browser (issue 13): sign up, follow the first-run path, enter a
home, an office and a year of varying monthly bills through the year grid, attach a receipt
and see its preview, review, file, find the filed bill read-only, delete a reviewed open year;
screenshots at 1366 px and 390 px, and no horizontal overflow on the main pages.

Debian's Chromium through Playwright (tests/browser/test_review_browser.py has the fixture);
skipped locally without chromium, required in CI (REQUIRE_BROWSER)."""

import pytest
from django.db import connections
from PIL import Image

from forms8829.models import ComputedForm
from ledger.models import Bill, TaxYear
from tests.browser.test_review_browser import ARGS, OUTPUT, loaded_image_width

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
        # The person's computer is in another zone than the account's (the server's, until
        # chosen): the admin would say "You are N hours ahead of server time".
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, timezone_id="Asia/Tokyo"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


# How far a page is wider than the window, and each box inside it that scrolls or cuts its
# content sideways (a table cut off in its scrolling box fits the window but not the eye).
OVERFLOW = """() => {
    const boxes = [...document.querySelectorAll('#container *')].filter(e => {
        const x = getComputedStyle(e).overflowX;
        return x !== 'visible' && e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1;
    }).map(e => `${e.tagName.toLowerCase()}.${e.className} by ${e.scrollWidth - e.clientWidth}`);
    return [document.documentElement.scrollWidth - window.innerWidth, boxes];
}"""


class Person:
    """The browser, counting the clicks a person makes (choosing from a list: two)."""

    def __init__(self, page):
        self.page, self.clicks = page, 0

    def click(self, selector):
        self.clicks += 1
        self.page.click(selector)

    def choose(self, selector, **option):
        self.clicks += 2
        self.page.select_option(selector, **option)


def test_a_new_person_from_sign_up_to_filing(transactional_db, live_server, page_of, tmp_path):
    try:
        new_person(live_server.url, page_of, tmp_path)
    finally:
        connections.close_all()


def new_person(url, page, tmp_path):
    OUTPUT.mkdir(exist_ok=True)
    widths, boxes = {}, {}

    def measure(name):
        widths[name], boxes[name] = page.evaluate(OVERFLOW)

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
    measure("index, empty")

    # Home, office, tax year and a year of bills, every step a click from the last page.
    person = Person(page)
    person.click("#first-run >> text=Add your home")
    # No "hours ahead of server time" under the date fields (the account's zone is used).
    page.wait_for_selector(".datetimeshortcuts")  # the admin's date script has run
    assert page.locator(".timezonewarning").count() > 0
    assert not any(note.is_visible() for note in page.locator(".timezonewarning").all())
    page.fill("#id_name", "Elm House")
    person.choose("#id_ownership", value="rent")
    page.fill("#id_total_area", "1000")
    page.fill("#id_occupied_from", "2024-01-01")
    person.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    person.click("#office_areas-group .add-row a")
    page.fill("#id_office_areas-0-area", "100")
    page.fill("#id_office_areas-0-start", "2024-01-01")
    measure("home page")
    page.screenshot(path=str(OUTPUT / "new-person-home-1366.png"), full_page=True)
    person.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    measure("home list")
    person.click("#site-name a")
    person.click("#first-run >> text=Add the tax year")
    page.fill("#id_year", "2025")
    person.click("#homes-group .add-row a")
    person.choose("#id_homes-0-home", label="Elm House")
    page.fill("#id_homes-0-gross_income_limit", "40000")
    measure("tax year page")
    person.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    person.click("#site-name a")

    # The year grid: one payee, twelve varying amounts, one save.
    person.click("#first-run >> text=Enter your bills")
    page.fill("#id_payee", "Elm Power")
    person.choose("#id_category", value="utilities")
    page.fill("#id_year", "2025")
    for month, amount in enumerate(AMOUNTS, start=1):
        page.fill(f"#id_amount_{month}", amount)
    measure("year grid")
    person.click('input[value="Save the year\'s bills"]')
    page.wait_for_selector("text=Saved 12 bills from Elm Power in 2025")
    print("clicks from 'Add your home' to a year of bills:", person.clicks)
    assert person.clicks <= 20
    bills = list(Bill.objects.order_by("paid_on"))
    assert [str(bill.amount) for bill in bills] == AMOUNTS
    measure("bill list")
    page.screenshot(path=str(OUTPUT / "new-person-bills-1366.png"), full_page=True)

    # A receipt, and its preview, from the bill list.
    bill = bills[0]
    picture = tmp_path / "power-jan.png"
    Image.new("RGB", (200, 120), "white").save(picture)
    page.click(f"#result_list a[href^='/admin/ledger/bill/{bill.pk}/change/']")
    page.click("#receipts-group .add-row a")
    page.set_input_files("#id_receipts-0-file", str(picture))
    page.click("input[name=_continue]")
    assert loaded_image_width(page, "img.receipt-preview") == 200
    assert "power-jan.png" in page.inner_text("#receipts-group")
    measure("bill page with a receipt")
    page.screenshot(path=str(OUTPUT / "new-person-bill-1366.png"), full_page=True)

    # Review (linked from the index), file.
    page.click("#site-name a")
    page.click("#first-run >> text=Review 2025")
    page.wait_for_selector("h1:has-text('Year-end review 2025')")
    measure("review")
    page.screenshot(path=str(OUTPUT / "new-person-review-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    widths["review at 390"] = page.evaluate(OVERFLOW)[0]
    page.screenshot(path=str(OUTPUT / "new-person-review-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("text=File the year…")
    page.click("input[value='Yes, file 2025']")
    page.wait_for_selector(".status.filed")

    # The filed bill page reads as filed.
    page.goto(f"{url}/admin/ledger/bill/")
    measure("bill list with a receipt")
    page.click(f"#result_list a[href^='/admin/ledger/bill/{bill.pk}/change/']")
    assert "Tax year 2025 is filed" in page.inner_text("#filed-banner")
    assert page.locator("input[name=amount]").count() == 0
    assert page.locator("a.deletelink").count() == 0
    measure("filed bill page")

    # A reviewed open year is deleted from its page.
    page.goto(f"{url}/admin/ledger/taxyear/add/")
    page.fill("#id_year", "2024")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    other = TaxYear.objects.get(year=2024)
    page.goto(f"{url}/admin/ledger/taxyear/{other.pk}/review/")
    page.wait_for_selector("h1:has-text('Year-end review 2024')")
    assert ComputedForm.objects.filter(tax_year=other).exists()  # reviewed: forms are stored
    page.goto(f"{url}/admin/ledger/taxyear/{other.pk}/change/")
    page.click("a.deletelink")
    assert "permission" not in page.inner_text("#content")  # not "...: computed form"
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist")
    assert not TaxYear.objects.filter(year=2024).exists()

    page.goto(f"{url}/admin/ledger/taxyear/")
    measure("tax year list")
    page.goto(f"{url}/admin/")
    measure("index")
    page.screenshot(path=str(OUTPUT / "new-person-index-1366.png"), full_page=True)
    print("overflow px:", widths, "boxes cut sideways:", boxes)
    assert all(width <= 0 for width in widths.values()), widths
    assert boxes == {name: [] for name in boxes}
