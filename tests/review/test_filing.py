"""Recompute, file (confirmation, then frozen) and reopen (reason required, kept in history)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from forms8829.models import ComputedForm
from ledger.models import Bill, TaxYear
from review.page import money
from tests.review.conftest import html, review_url

pytestmark = pytest.mark.django_db


def bill_form(bill: Bill, **changes) -> dict:
    data = {
        "home": bill.home_id,
        "paid_on": bill.paid_on.isoformat(),
        "payee": bill.payee,
        "category": bill.category,
        "amount": str(bill.amount),
        "scope": bill.scope,
        "business_use_percent": ""
        if bill.business_use_percent is None
        else bill.business_use_percent,
        "service_start": bill.service_start.isoformat() if bill.service_start else "",
        "service_end": bill.service_end.isoformat() if bill.service_end else "",
        "note": bill.note,
        "receipts-TOTAL_FORMS": "0",
        "receipts-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_file_asks_for_confirmation_then_freezes_the_year(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2025]
    confirm = client.get(review_url(tax_year, "review_file"))
    assert confirm.status_code == 200
    page = html(confirm)
    for form in ComputedForm.objects.filter(owner=user, year=2025):
        assert form.output["home"] in page
        assert money(form.deduction) in page
        assert money(form.carryover_operating_out) in page
    assert "Yes, file 2025" in page
    tax_year.refresh_from_db()
    assert not tax_year.filed  # a GET files nothing

    response = client.post(review_url(tax_year, "review_file"))
    assert response.status_code == 302 and response.url == review_url(tax_year)
    tax_year.refresh_from_db()
    assert tax_year.filed and tax_year.filed_at

    frozen = {f.home_id: f.output for f in ComputedForm.objects.filter(year=2025)}
    bill = Bill.objects.filter(owner=user, tax_year=2025, category="utilities").first()
    edit = client.post(
        reverse("admin:ledger_bill_change", args=[bill.pk]), bill_form(bill, amount="999.00")
    )
    assert "Tax year 2025 is filed" in html(edit) or any(
        "filed" in str(m) for m in get_messages(edit.wsgi_request)
    )
    bill.refresh_from_db()
    assert bill.amount != Decimal("999.00")

    page = html(client.get(review_url(tax_year)))
    assert "Filed" in page and "frozen" in page and "Reopen…" in page
    assert "File the year…" not in page
    assert {f.home_id: f.output for f in ComputedForm.objects.filter(year=2025)} == frozen
    for output in frozen.values():
        assert money(output["lines"]["36"]) in page


def test_a_change_that_would_alter_a_filed_form_is_refused_with_a_message(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2024]
    client.post(review_url(tax_year, "review_file"))
    house = demo["house"]
    # The house's office area is behind 2024 too: changing it is refused by the filed-year guard.
    area = house.office_areas.get(name="Office (enlarged)")
    response = client.post(
        reverse("admin:ledger_officearea_change", args=[area.pk]),
        {
            "home": house.pk,
            "name": area.name,
            "area": "260",
            "rooms": "1",
            "use": "exclusive",
            "start": "2023-07-01",
            "end": "2025-06-30",
        },
        follow=True,
    )
    assert "Tax year 2024 is filed" in html(response)
    area.refresh_from_db()
    assert area.area == Decimal("240.00")


def test_recompute_reruns_the_chain(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2025]
    client.get(review_url(tax_year))
    Bill.objects.filter(owner=user, tax_year=2025, category="rent").update(amount=Decimal("2500"))
    assert client.get(review_url(tax_year, "review_recompute")).status_code == 405
    response = client.post(review_url(tax_year, "review_recompute"), follow=True)
    assert "Recomputed every year&#x27;s forms from the ledger (3 years)" in html(response)
    form = ComputedForm.objects.get(year=2025, home=demo["apartment"])
    assert form.output["lines"]["19b"] == "15000.00"


def test_reopen_needs_a_reason_and_keeps_it_in_history(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2023]
    client.post(review_url(tax_year, "review_file"))
    form_page = client.get(review_url(tax_year, "review_reopen"))
    assert form_page.status_code == 200 and "Reason" in html(form_page)

    refused = client.post(review_url(tax_year, "review_reopen"), {"reason": "   "})
    assert refused.status_code == 200
    assert "This field is required." in html(refused)
    assert TaxYear.objects.get(pk=tax_year.pk).filed

    done = client.post(review_url(tax_year, "review_reopen"), {"reason": "Corrected Form 1098"})
    assert done.status_code == 302
    tax_year.refresh_from_db()
    assert not tax_year.filed and tax_year.filed_at is None
    reasons = list(tax_year.history.values_list("history_change_reason", flat=True))
    assert "Reopened: Corrected Form 1098" in reasons and "Filed" in reasons
    history = html(client.get(reverse("admin:ledger_taxyear_history", args=[tax_year.pk])))
    assert "Reopened: Corrected Form 1098" in history
    # Open again: bills of the year can change.
    bill = Bill.objects.filter(owner=user, tax_year=2023, category="utilities").first()
    response = client.post(
        reverse("admin:ledger_bill_change", args=[bill.pk]), bill_form(bill, amount="111.00")
    )
    assert response.status_code == 302
    assert Bill.objects.get(pk=bill.pk).amount == Decimal("111.00")


def test_file_and_reopen_refuse_the_wrong_state(demo, user, client_of):
    client = client_of(user)
    tax_year = demo["years"][2025]
    response = client.get(review_url(tax_year, "review_reopen"), follow=True)
    assert "2025 is not filed." in html(response)
    client.post(review_url(tax_year, "review_file"))
    response = client.post(review_url(tax_year, "review_file"), follow=True)
    assert "2025 is already filed." in html(response)
    assert TaxYear.objects.get(pk=tax_year.pk).filed
    assert dt.date.today()  # the clock is not frozen here


# --- Filing state changes only through File and Reopen --------------------------------------


def revert_form(client, obj, history) -> tuple[str, dict]:
    """The admin's "Revert" page for one history entry, and the POST it would send."""
    url = reverse(
        f"admin:ledger_{obj._meta.model_name}_simple_history", args=[obj.pk, history.history_id]
    )
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        data[name] = value.pk if hasattr(value, "pk") else value
    return url, data


def test_reverting_a_filed_year_to_its_first_history_entry_keeps_it_filed(demo, user, client_of):
    from forms8829.filing import tax_year_file

    tax_year = demo["years"][2025]
    tax_year_file(tax_year=tax_year)
    filed_at = TaxYear.objects.get(pk=tax_year.pk).filed_at
    first = tax_year.history.order_by("history_id").first()
    assert first.filed is False
    client = client_of(user)

    url, data = revert_form(client, tax_year, first)
    response = client.post(url, data, follow=True)

    stored = TaxYear.objects.get(pk=tax_year.pk)
    assert stored.filed and stored.filed_at == filed_at
    messages = [str(m) for m in response.context["messages"]]  # what the next page shows
    assert any("2025 is filed" in m for m in messages), messages
    assert not any("successfully" in m for m in messages), messages


def test_reverting_a_filed_years_bill_changes_nothing(demo, user, client_of):
    from forms8829.filing import tax_year_file
    from tests.factories import BillFactory

    bill = BillFactory(home=demo["house"], paid_on=dt.date(2025, 2, 3), amount=Decimal("80"))
    first = bill.history.order_by("history_id").first()
    bill.amount += Decimal("10")
    bill.save()
    tax_year_file(tax_year=demo["years"][2025])
    client = client_of(user)

    url, data = revert_form(client, bill, first)
    client.post(url, data)

    assert Bill.objects.get(pk=bill.pk).amount == bill.amount


def test_reverting_an_open_year_to_a_filed_entry_leaves_it_open(demo, user, client_of):
    from forms8829.filing import tax_year_file, tax_year_reopen

    tax_year = demo["years"][2025]
    tax_year_file(tax_year=tax_year)
    tax_year_reopen(tax_year=tax_year, reason="A corrected 1098")
    filed_entry = TaxYear.history.filter(id=tax_year.pk, filed=True).first()
    assert filed_entry is not None, list(TaxYear.history.filter(id=tax_year.pk).values("filed"))
    client = client_of(user)

    url, data = revert_form(client, tax_year, filed_entry)
    data["itemizes"] = "on"
    response = client.post(url, data)

    assert response.status_code == 302
    stored = TaxYear.objects.get(pk=tax_year.pk)
    assert not stored.filed and stored.filed_at is None and stored.itemizes


def test_a_receipt_can_be_added_to_a_filed_years_bill_from_both_pages_but_not_removed(
    demo, user, client_of
):
    """Receipts change no number: the evidence of a filed year may grow, never shrink, and the
    bill's page and the Receipts page agree."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forms8829.filing import tax_year_file
    from ledger.models import Receipt
    from tests.api.conftest import pdf_bytes

    bill = Bill.objects.filter(owner=user, tax_year=2025).first()
    tax_year_file(tax_year=demo["years"][2025])
    client = client_of(user)
    before = Receipt.objects.filter(bill=bill).count()

    inline = bill_form(
        bill,
        **{
            "receipts-TOTAL_FORMS": "1",
            "receipts-0-file": SimpleUploadedFile("a.pdf", pdf_bytes("bill page")),
        },
    )
    client.post(reverse("admin:ledger_bill_change", args=[bill.pk]), inline)
    page = {"bill": bill.pk, "file": SimpleUploadedFile("b.pdf", pdf_bytes("receipts page"))}
    client.post(reverse("admin:ledger_receipt_add"), page)
    assert Receipt.objects.filter(bill=bill).count() == before + 2

    receipt = Receipt.objects.filter(bill=bill).last()
    response = client.post(
        reverse("admin:ledger_receipt_delete", args=[receipt.pk]), {"post": "yes"}, follow=True
    )
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    assert any("2025 is filed" in str(m) for m in response.context["messages"])
