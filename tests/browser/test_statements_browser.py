"""A bank statement in a real browser: upload it in the admin, make a rule from a preview line,
import, classify the inbox, and reach the year-end review with the new bills on their lines.

Drives Debian's Chromium (/usr/bin/chromium) like tests/browser/test_review_browser.py; skipped
with a reason when it is absent, required in CI (REQUIRE_BROWSER). The preview's screenshot is
the README's (test-output/statement-preview.png, copied to docs/images/).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connections

from ledger.models import Bill
from ledger.statement_models import PayeeRule, StatementRow
from review.page import money
from tests.browser.test_review_browser import OUTPUT, PASSWORD, browser_page  # noqa: F401 (a fixture)
from tests.factories import OfficeAreaFactory, RentedHomeFactory, TaxYearHomeFactory, UserFactory
from tests.ledger.statements.conftest import FIXTURES
from tests.review.conftest import form_of

pytestmark = pytest.mark.browser


def test_statement_to_review(transactional_db, live_server, request):
    page = request.getfixturevalue("browser_page")  # tests/browser/test_review_browser.py's
    try:
        statement_to_review(live_server.url, page)
    finally:
        connections.close_all()


def renter_with_rules():
    owner = UserFactory(username="dana")
    home = RentedHomeFactory(
        owner=owner, name="Harbor Apartment", occupied_from=dt.date(2024, 1, 1)
    )
    OfficeAreaFactory(home=home, area=Decimal("150.00"), start=dt.date(2024, 1, 1))
    TaxYearHomeFactory(tax_year__owner=owner, tax_year__year=2026, home=home)
    C = Bill.Category
    for position, pattern, payee, category in [
        (10, "city power", "City Power & Light", C.UTILITIES),
        (20, "oak street properties", "Oak Street Properties", C.RENT),
        (30, "state farm", "State Farm", C.INSURANCE),
    ]:
        PayeeRule.objects.create(
            owner=owner, position=position, pattern=pattern, payee=payee, category=category
        )
    PayeeRule.objects.create(
        owner=owner, position=40, match="regex", pattern="TRANSFER|AUTOPAY", action="ignore"
    )
    return owner, home


def statement_to_review(url, page):
    owner, home = renter_with_rules()
    OUTPUT.mkdir(exist_ok=True)
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")

    # Upload Bank of America's export (a summary before the header, a BOM, "-2,150.00").
    page.goto(f"{url}/admin/ledger/statementimport/add/")
    page.set_input_files("#id_file", str(FIXTURES / "bank-of-america.csv"))
    page.click("input[value='Upload and preview']")
    page.wait_for_selector("#statement-lines")
    assert "Preset: Bank of America checking" in page.inner_text("#statement-layout")
    depot = page.locator("#statement-lines tr", has_text="HOME DEPOT")
    assert "waits in the inbox" in depot.inner_text()
    page.fill("#id_account_name", "Joint checking")
    page.screenshot(path=str(OUTPUT / "statement-preview.png"), full_page=True)

    # One click on the Home Depot line: a rule filled in from it; choose its category, save.
    depot.locator("a.make-rule").click()
    page.wait_for_selector("#id_pattern")
    assert page.input_value("#id_pattern") == "HOME DEPOT"
    page.select_option("#id_category", "repairs")
    page.click("input[name='_save']")
    page.wait_for_selector("#statement-lines")
    depot = page.locator("#statement-lines tr", has_text="HOME DEPOT")
    assert "becomes a bill" in depot.inner_text()
    assert "Repairs and maintenance" in depot.inner_text()

    # Import: to the inbox, where Whole Foods waits (no rule knows it).
    page.fill("#id_account_name", "Joint checking")
    page.click("input[name='import']")
    page.wait_for_selector("#inbox")
    assert "Imported Joint checking: 4 bill(s)" in page.inner_text(".messagelist")
    row = page.locator("#inbox tbody tr", has_text="WHOLE FOODS")
    row.locator("input[name='make_rule']").check()
    row.locator("button.classify-ignore").click()
    page.wait_for_selector("text=The inbox is empty.")
    assert PayeeRule.objects.filter(owner=owner, action="ignore", pattern="WHOLE FOODS").exists()
    assert not StatementRow.objects.filter(owner=owner, status="inbox").exists()

    # The review, with the new bills on their lines.
    page.click("text=Year-end review 2026")
    page.wait_for_selector("h1:has-text('Year-end review 2026')")
    lines = form_of(owner, 2026, home).output["lines"]
    expected = {"18": "64.61", "19": "2150.00", "20": "45.12", "21": "90.00"}
    for number, amount in expected.items():
        assert lines[f"{number}b"] == amount
        assert money(amount) in page.inner_text(f"#h{home.pk}-line-{number}")
    page.screenshot(path=str(OUTPUT / "statement-review-2026.png"), full_page=False)
