"""Computed endpoints: the forms (exactly the stored output contract), the method comparison,
the carryover chain, the depreciation ledger, and the tax-support package."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from forms8829.chain import year_forms
from forms8829.filing import chain_recompute, tax_year_file
from forms8829.models import ComputedForm
from tests.factories import (
    BillFactory,
    HomeFactory,
    OfficeAreaFactory,
    TaxYearFactory,
    TaxYearHomeFactory,
)

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "year",
    "home",
    "method",
    "lines",
    "schedule_c_line_30",
    "schedule_c_other",
    "simplified_worksheet",
    "casualty_and_depreciation",
    "notes",
    "form",
    "worksheet",
    "businesses",
}


def test_forms_of_a_year_are_the_stored_output_plus_warnings(api, user, ledger):
    chain_recompute(owner=user)
    response = api.get("/api/forms/2024/")
    assert response.status_code == 200
    (form,) = response.json()
    assert set(form) == CONTRACT_KEYS | {"warnings"}
    stored = ComputedForm.objects.get(owner=user, year=2024, home=ledger["home"])
    assert {k: v for k, v in form.items() if k != "warnings"} == stored.output
    assert form["warnings"] == []
    assert form["lines"]["1"] == "200.00" and form["lines"]["2"] == "2000.00"


def test_one_home_of_a_year(api, user, ledger):
    cabin = HomeFactory(owner=user, name="Cabin")
    OfficeAreaFactory(home=cabin, area=Decimal("100"))
    TaxYearHomeFactory(tax_year=ledger["tax_year"], home=cabin, method="simplified")
    assert len(api.get("/api/forms/2024/").json()) == 2
    response = api.get(f"/api/forms/2024/{cabin.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["home"], body["method"], body["lines"]) == ("Cabin", "simplified", None)
    assert body["simplified_worksheet"]["1"] is not None
    expected = year_forms(owner=user, year=2024).form_for("Cabin").output
    assert {k: v for k, v in body.items() if k != "warnings"} == expected


def test_a_home_without_a_form_that_year_is_404(api, user, ledger):
    idle = HomeFactory(owner=user, name="Idle")
    response = api.get(f"/api/forms/2024/{idle.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/forms/2017/",
        "/api/forms/2027/",
        "/api/forms/99999999999999999999/",
        "/api/forms/1999/1/",
        "/api/forms/2030/method-comparison/",
        "/api/tax-years/2031/support.zip",
    ],
)
def test_an_unsupported_year_is_400_naming_the_range(url, api, ledger):
    response = api.get(url)
    assert response.status_code == 400
    assert "supported years are 2018-2026" in response.json()["year"][0]


def test_a_year_not_in_the_ledger_is_404(api, ledger):
    response = api.get("/api/forms/2025/")
    assert response.status_code == 404
    assert "no tax year 2025 in your ledger" in response.json()["detail"]


def test_a_ledger_the_engine_refuses_is_400_in_words(api, user, ledger):
    ledger["tax_year_home"].method = "simplified"
    ledger["tax_year_home"].save()
    cabin = HomeFactory(owner=user, name="Cabin")
    OfficeAreaFactory(home=cabin, area=Decimal("50"))
    # Bypass the model's own check, as an old import could have: the service refuses in words.
    TaxYearHomeFactory.build(tax_year=ledger["tax_year"], home=cabin, method="simplified").save()
    response = api.get("/api/forms/2024/")
    assert response.status_code == 400
    assert (
        "simplified method may be used for one home only" in response.json()["non_field_errors"][0]
    )


def test_method_comparison(api, ledger):
    response = api.get("/api/forms/2024/method-comparison/")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["home"] == ledger["home"].name
    assert row["regular"]["method"] == "regular"
    assert row["simplified"]["method"] == "simplified"
    assert row["better"] in ("regular", "simplified")
    assert Decimal(row["simplified"]["deduction"]) == Decimal("1000.00")  # 200 sq ft x $5


def test_carryover_chain_across_years(api, user, ledger):
    """A 2023 year with a tiny income limit carries its excess into 2024."""
    home = ledger["home"]
    BillFactory(home=home, paid_on=dt.date(2023, 3, 1), amount=Decimal("9000"))
    year_2023 = TaxYearFactory(owner=user, year=2023)
    TaxYearHomeFactory(tax_year=year_2023, home=home, gross_income_limit=Decimal("1"))
    tax_year_file(tax_year=year_2023)

    response = api.get("/api/carryovers/")
    assert response.status_code == 200
    first, second = response.json()
    assert (first["year"], first["filed"], first["method"]) == (2023, True, "regular")
    assert (second["year"], second["filed"]) == (2024, False)
    assert Decimal(first["line_43_operating_carryover_out"]) > 0
    assert first["line_43_operating_carryover_out"] == second["line_25_operating_carryover_in"]
    assert (
        first["line_44_casualty_depreciation_carryover_out"]
        == second["line_31_casualty_depreciation_carryover_in"]
    )
    assert first["line_44_casualty_part_out"] == second["line_31_casualty_part_in"] == "0.00"
    (form_2024,) = second["forms"]
    assert form_2024["home_id"] == home.pk
    assert set(form_2024["lines"]) == {"25", "27", "31", "33", "43", "44"}
    assert form_2024["lines"]["25"] == second["line_25_operating_carryover_in"]


def test_depreciation_ledger(api, ledger):
    response = api.get(f"/api/homes/{ledger['home'].pk}/depreciation/")
    assert response.status_code == 200
    body = response.json()
    assert body["home_id"] == ledger["home"].pk
    assert [row["year"] for row in body["rows"]] == [2024]
    (placement,) = body["rows"][0]["placements"]
    assert placement["placed_in_service"] == "2020-01-01" and placement["restart"] is False
    assert placement["table"].startswith("Pub 946 Table A-7a")
    assert Decimal(body["total_allowable"]) > 0
    assert body["after_may_6_1997"] == max(body["total_allowable"], body["total_allowed"])


def test_support_package(api, ledger):
    response = api.get("/api/tax-years/2024/support.zip", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="form8829-2024-support.zip"'
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


def test_support_package_of_a_year_not_in_the_ledger_is_404(api, ledger):
    assert api.get("/api/tax-years/2022/support.zip").status_code == 404
