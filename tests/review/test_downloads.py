"""Downloads of the review: the Form 8829 PDF, the bills-behind-lines CSV, the support ZIP."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from pypdf import PdfReader

from ledger.models import Bill, Receipt
from review.page import money
from review.pdf import form_pdf
from review.support import CSV_COLUMNS, bills_behind_lines_csv, support_package_zip
from tests.review.conftest import form_of, forms_of, review_url

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_has_every_part_line_and_the_key_values(demo, user, client_of):
    response = client_of(user).get(review_url(demo["years"][2025], "review_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="form8829-2025.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2  # one form per home
    text = pdf_text(response.content)
    for title in ("Part I", "Part II", "Part III", "Part IV", "(a) Direct", "(b) Indirect"):
        assert title in text
    for form in forms_of(user, 2025):
        lines = form.output["lines"]
        assert form.output["home"] in text
        for key in ("21b", "36", "43", "44"):
            assert money(lines[key]) in text
    assert "Allowable expenses for business use of your home" in text
    assert "See attached: Line 42: depreciation of improvements" in text
    assert "Carryover summary" in text and "Project rule." in text
    assert "Schedule C, beside the form" in text


def test_pdf_of_a_simplified_year_has_the_worksheet(demo, user):
    demo["years"][2024].homes.update(method="simplified")
    text = pdf_text(form_pdf(owner=user, year=2024))
    assert "Simplified Method Worksheet" in text
    form = form_of(user, 2024)
    assert money(form.output["simplified_worksheet"]["5"]) in text


def test_csv_lists_each_bill_with_its_line(demo, user, client_of):
    response = client_of(user).get(review_url(demo["years"][2025], "review_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == Bill.objects.filter(owner=user, tax_year=2025).count()
    house = demo["house"]
    lines = form_of(house.owner, 2025, home=house).output["lines"]
    utilities = [r for r in rows if r["form_line"] == "21(b)" and r["home"] == house.name]
    assert sum(Decimal(r["amount"]) for r in utilities) == Decimal(lines["21b"])
    assert all(r["counted_amount"] == "" for r in utilities)
    policy = next(r for r in rows if r["category"] == "insurance" and r["home"] == house.name)
    assert policy["form_line"] == "18(b)" and policy["counted_amount"] == lines["18b"]
    assert Decimal(policy["counted_amount"]) < Decimal(policy["amount"])  # prorated
    internet = next(r for r in rows if r["category"] == "internet")
    assert internet["form_line"] == "Schedule C (internet)"
    assert internet["business_use_percent"] == "50.00"
    rent = [r for r in rows if r["category"] == "rent"]
    assert {r["form_line"] for r in rent} == {"19(b)"}
    assert (
        sum(int(r["receipts"]) for r in rows) == Receipt.objects.filter(bill__tax_year=2025).count()
    )
    # Rows come in form-line order.
    order = [r["form_line"] for r in rows]
    assert order.index("10(b)") < order.index("18(b)") < order.index("21(b)")


def test_csv_marks_bills_outside_business_use(demo, user):
    import datetime as dt

    from tests.factories import BillFactory

    BillFactory(
        home=demo["house"], paid_on=dt.date(2025, 11, 3), payee="Late Plumber", category="repairs"
    )
    rows = list(csv.DictReader(io.StringIO(bills_behind_lines_csv(owner=user, year=2025))))
    late = next(r for r in rows if r["payee"] == "Late Plumber")
    assert late["form_line"].startswith("not counted") and late["counted_amount"] == "0.00"


def test_zip_holds_pdf_csv_json_and_every_receipt(demo, user, client_of):
    response = client_of(user).get(review_url(demo["years"][2025], "review_zip"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert {"form8829-2025.pdf", "bills-behind-lines-2025.csv", "form8829-2025.json"} <= set(names)
    assert PdfReader(io.BytesIO(archive.read("form8829-2025.pdf"))).pages
    outputs = json.loads(archive.read("form8829-2025.json"))
    assert outputs == [f.output for f in forms_of(user, 2025)]
    receipts = Receipt.objects.filter(owner=user, bill__tax_year=2025).select_related("bill")
    stored = sorted(r.file.open("rb").read() for r in receipts)
    receipt_names = [n for n in names if n.startswith("receipts/")]
    assert len(receipt_names) == receipts.count() >= 2
    assert sorted(archive.read(n) for n in receipt_names) == stored
    for name in receipt_names:
        base = name.removeprefix("receipts/")
        assert "/" not in base and " " not in base and ".." not in base
        assert base.startswith("2025-") and base.endswith(".pdf")


def test_zip_names_are_safe_and_unique(demo, user):
    receipt = demo["receipts"][1]
    Receipt.objects.filter(pk=receipt.pk).update(original_name="../../etc/passwd; rm -rf.pdf")
    twin = demo["receipts"][2]
    Bill.objects.filter(pk=twin.bill_id).update(paid_on=receipt.bill.paid_on)
    Receipt.objects.filter(pk=twin.pk).update(original_name="../../etc/passwd; rm -rf.pdf")
    Bill.objects.filter(pk=twin.bill_id).update(payee=receipt.bill.payee)
    names = zipfile.ZipFile(io.BytesIO(support_package_zip(owner=user, year=2025))).namelist()
    receipt_names = [n for n in names if n.startswith("receipts/")]
    assert len(set(receipt_names)) == len(receipt_names)
    for name in receipt_names:
        assert ".." not in name and ";" not in name and name.count("/") == 1
