"""The statement pages of the admin: upload, preview (read only), a rule made from a preview
line, import, the inbox; each user sees only their own."""

import re

import pytest

from ledger.models import Bill
from ledger.statement_models import PayeeRule, StatementImport, StatementRow
from tests.ledger.statements.conftest import FIXTURES, make_rules, upload

ADD = "/admin/ledger/statementimport/add/"
INBOX = "/admin/ledger/statementrow/inbox/"


def upload_page(client, name):
    with (FIXTURES / name).open("rb") as handle:
        return client.post(ADD, {"file": handle})


def test_upload_preview_make_a_rule_import_and_classify(renter, admin_client_for):
    client = admin_client_for(renter)
    make_rules(renter)

    response = upload_page(client, "bank-of-america.csv")
    pending = StatementImport.objects.get(owner=renter)
    preview = f"/admin/ledger/statementimport/{pending.pk}/preview/"
    assert response.status_code == 302 and response["Location"] == preview

    page = client.get(preview).content.decode()
    assert "Preview (nothing is saved yet)" in page
    assert "Columns of this export: confirm once" in page  # a new account's layout
    assert "Preset: Bank of America checking" in page
    assert "lines 1-5: the statement&#x27;s summary, before the header" in page
    assert "#40 Regular expression" not in page and "Description contains" in page
    assert not Bill.objects.exists()  # the preview saves nothing

    # "Make a rule" on the Home Depot line: a rule filled in from it, then back to the preview.
    link = re.search(r'href="(/admin/ledger/payeerule/add/\?[^"]*HOME%20DEPOT[^"]*)"', page)
    form = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert 'value="HOME DEPOT"' in form
    response = client.post(
        link.group(1).replace("&amp;", "&"),
        {
            "position": 45,
            "match": "contains",
            "pattern": "HOME DEPOT",
            "action": "bill",
            "payee": "Home Depot",
            "category": "repairs",
            "scope": "indirect",
        },
    )
    assert response.status_code == 302 and response["Location"] == preview
    assert "Home Depot, Repairs and maintenance" in client.get(preview).content.decode()

    response = client.post(preview, {"import": "1", "account_name": "Joint checking"})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert Bill.objects.filter(owner=renter).count() == 4  # rent, insurance, power, repairs
    assert StatementRow.objects.filter(owner=renter).count() == 6

    inbox = client.get(INBOX).content.decode()
    assert "The inbox is empty." in inbox


def test_inbox_classifies_with_a_rule_and_accepts_a_refund(renter, admin_client_for):
    from tests.ledger.statements.conftest import import_file

    client = admin_client_for(renter)
    make_rules(renter)
    import_file(renter, "checking-details-feb.csv")
    page = client.get(INBOX).content.decode()
    assert "Refund from City Power &amp; Light" in page and "Accept refund" in page
    refund = StatementRow.objects.get(status="inbox")
    home = renter_home_id(renter)

    response = client.post(
        f"/admin/ledger/statementrow/{refund.pk}/classify/",
        {"action": "bill", "payee": "City Power & Light", "category": "utilities",
         "home": home, "scope": "indirect"},
    )  # fmt: skip
    assert response.status_code == 302
    bill = Bill.objects.get(kind="refund")
    assert (bill.amount, bill.category) == (25, "utilities")


def renter_home_id(owner):
    from ledger.models import Home

    return Home.objects.get(owner=owner).pk


def test_another_users_statement_is_a_404(renter, other_user, admin_client_for):
    pending = upload(renter, "headerless-five.csv")
    client = admin_client_for(other_user)
    assert client.get(f"/admin/ledger/statementimport/{pending.pk}/preview/").status_code == 404
    assert client.get(INBOX).status_code == 200
    row_of_renter = None
    assert row_of_renter is None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/ledger/statementimport/",
        "/admin/ledger/statementaccount/",
        "/admin/ledger/payeerule/",
        "/admin/ledger/billschedule/",
        "/admin/ledger/statementrow/",
        ADD,
        INBOX,
    ],
)
def test_pages_load(renter, admin_client_for, url):
    make_rules(renter)
    assert admin_client_for(renter).get(url).status_code == 200
    assert PayeeRule.objects.count() == 7


def test_one_click_on_a_preview_line_makes_a_rule_that_ignores_lines_like_it(
    renter, admin_client_for
):
    client = admin_client_for(renter)
    upload_page(client, "bank-of-america.csv")
    pending = StatementImport.objects.get(owner=renter)
    preview = f"/admin/ledger/statementimport/{pending.pk}/preview/"
    line = "WHOLE FOODS MARKET #10211 SEATTLE WA"
    assert f'name="ignore_like" value="{line}"' in client.get(preview).content.decode()

    response = client.post(preview, {"ignore_like": line})

    assert response.status_code == 302 and response["Location"] == preview
    rule = PayeeRule.objects.get(owner=renter)
    assert (rule.match, rule.pattern, rule.action) == ("contains", "WHOLE FOODS", "ignore")
    page = client.get(preview).content.decode()
    assert re.search(r"WHOLE FOODS MARKET #10211 SEATTLE WA</td>\s*<td[^>]*>-\$120.33</td>\s*"
                     r"<td>ignored</td>", page)  # fmt: skip
