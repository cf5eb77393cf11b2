"""The inputs of the harder cases in the ledger file and the API (docs/ledger-format.md): all
optional (old files import as before), lossless on a round trip, named by their path when
wrong, and in the OpenAPI schema."""

import copy
import datetime as dt
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from forms8829 import chain
from forms8829.filing import ledger_file_import
from ledger.ledger_file import FORMAT, LedgerFileError, ledger_export
from ledger.models import Bill, Home, OfficeArea, TaxYear
from tests.factories import HomeFactory, OfficeAreaFactory, UserFactory

pytestmark = pytest.mark.django_db


def harder_document():
    """A ledger that uses every new input: land FMV, a restart's basis, a daycare area named by
    a direct bill, the year's AGI and net qualified disaster loss."""
    return {
        "format": FORMAT,
        "homes": [
            {
                "key": "elm",
                "name": "12 Elm St",
                "total_area": "2000",
                "total_rooms": 8,
                "cost_basis": "250000.00",
                "land_value": "50000.00",
                "fmv_at_first_business_use": "300000.00",
                "land_fmv_at_first_business_use": "40000.00",
                "office_areas": [
                    {"name": "Office", "area": "200", "start": "2021-01-01", "end": "2024-03-15"},
                    {
                        "name": "Office again",
                        "area": "200",
                        "start": "2024-09-01",
                        "restart_adjusted_basis": "240000.00",
                        "restart_fmv": "260000.00",
                        "restart_land_value": "45000.00",
                        "restart_land_fmv": "42000.00",
                    },
                    {"name": "Playroom", "area": "300", "use": "daycare", "start": "2024-09-01"},
                ],
            }
        ],
        "bills": [
            {
                "home": "elm",
                "paid_on": "2024-10-01",
                "payee": "Painter",
                "category": "repairs",
                "amount": "500.00",
                "scope": "direct",
                "office_area": "Playroom",
            }
        ],
        "tax_years": [
            {
                "year": 2024,
                "itemizes": False,
                "adjusted_gross_income": "104500.00",
                "net_qualified_disaster_loss": True,
                "homes": [
                    {
                        "home": "elm",
                        "gross_income_limit": "50000",
                        "daycare_hours": "1000",
                        "casualty_losses_indirect": "1000",
                    }
                ],
            }
        ],
    }


def test_every_new_input_is_read_and_round_trips(user):
    ledger_file_import(owner=user, data=harder_document())
    home = Home.objects.get(owner=user)
    assert home.land_fmv_at_first_business_use == D("40000.00")
    again = OfficeArea.objects.get(home=home, name="Office again")
    assert (again.restart_adjusted_basis, again.restart_fmv) == (D("240000"), D("260000"))
    bill = Bill.objects.get(owner=user)
    assert bill.office_area.name == "Playroom"
    year = TaxYear.objects.get(owner=user)
    assert (year.adjusted_gross_income, year.net_qualified_disaster_loss) == (D("104500"), True)

    exported = ledger_export(owner=user)
    assert exported["bills"][0]["office_area"] == "Playroom"
    other = UserFactory(username="bob")
    ledger_file_import(owner=other, data=copy.deepcopy(exported))
    assert ledger_export(owner=other) == exported
    forms = [chain.year_forms(owner=u, year=2024).forms[0].output for u in (user, other)]
    assert forms[0] == forms[1]
    # The new inputs reached the form: the restart, line 9 kept by the disaster loss.
    assert forms[0]["lines"]["9b"] == "1000.00"
    assert any("started again on 2024-09-01" in n for n in forms[0]["notes"])


def test_a_file_without_the_new_inputs_reads_them_as_not_given(user):
    document = harder_document()
    document["homes"][0].pop("land_fmv_at_first_business_use")
    for area in document["homes"][0]["office_areas"]:
        for name in OfficeArea.RESTART_FIELDS:
            area.pop(name, None)
    document["bills"][0].pop("office_area")
    for name in ("adjusted_gross_income", "net_qualified_disaster_loss"):
        document["tax_years"][0].pop(name)
    ledger_file_import(owner=user, data=document)
    assert Home.objects.get(owner=user).land_fmv_at_first_business_use is None
    assert Bill.objects.get(owner=user).office_area is None
    year = TaxYear.objects.get(owner=user)
    assert (year.adjusted_gross_income, year.net_qualified_disaster_loss) == (None, False)
    assert "office_area" not in ledger_export(owner=user)["bills"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["bills"][0].update(office_area="Attic"),
            "bills[0].office_area: 'Attic' is not an office area of home 'elm'",
        ),
        (
            lambda d: d["homes"][0]["office_areas"][1].update(name="Playroom"),
            "bills[0].office_area: home 'elm' has 2 office areas named 'Playroom'; give them "
            "different names",
        ),
        (
            lambda d: d["bills"][0].update(scope="indirect"),
            "bills[0].office_area: Only a direct bill names the office area it was for.",
        ),
        (
            lambda d: d["bills"][0].update(office_area=3),
            "bills[0].office_area: must be the name of an office area of the bill's home, not 3",
        ),
        (
            lambda d: d["homes"][0]["office_areas"][1].pop("restart_fmv"),
            "homes[0].office_areas[1].restart_fmv: Give both the adjusted basis and the FMV on "
            "the restart date.",
        ),
    ],
)
def test_wrong_new_inputs_are_named_by_their_path(user, change, message):
    document = harder_document()
    change(document)
    with pytest.raises(LedgerFileError) as caught:
        ledger_file_import(owner=user, data=document)
    assert caught.value.errors == [message]
    assert not Home.objects.filter(owner=user).exists()


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_bill_names_an_office_area_of_its_own(user, other_user):
    home = HomeFactory(owner=user, key="elm")
    area = OfficeAreaFactory(home=home, use="daycare")
    theirs = OfficeAreaFactory(home=HomeFactory(owner=other_user))
    bill = {
        "home": "elm",
        "paid_on": "2024-05-01",
        "payee": "Painter",
        "category": "repairs",
        "amount": "500.00",
        "scope": "direct",
    }
    api = api_for(user)
    created = api.post("/api/bills/", {**bill, "office_area": area.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["office_area"] == area.pk
    assert (
        api.post("/api/bills/", {**bill, "office_area": theirs.pk}, format="json").status_code
        == 404
    )
    indirect = api.post(
        "/api/bills/", {**bill, "scope": "indirect", "office_area": area.pk}, format="json"
    )
    assert indirect.status_code == 400
    assert "office_area" in str(indirect.content)
    assert api.post("/api/bills/", bill, format="json").json()["office_area"] is None


def test_api_reads_and_writes_the_new_inputs(user):
    api = api_for(user)
    home = api.post(
        "/api/homes/",
        {"name": "Elm", "total_area": "2000", "land_fmv_at_first_business_use": "40000"},
        format="json",
    )
    assert home.status_code == 201 and home.json()["land_fmv_at_first_business_use"] == "40000.00"
    year = api.post(
        "/api/tax-years/",
        {"year": 2026, "adjusted_gross_income": "104500", "net_qualified_disaster_loss": True},
        format="json",
    )
    assert year.status_code == 201, year.content
    assert year.json()["adjusted_gross_income"] == "104500.00"
    area = api.post(
        "/api/office-areas/",
        {
            "home": home.json()["id"],
            "area": "200",
            "start": str(dt.date(2024, 4, 1)),
            "restart_adjusted_basis": "240000",
            "restart_fmv": "280000",
        },
        format="json",
    )
    assert area.status_code == 201, area.content
    assert area.json()["restart_fmv"] == "280000.00"


def test_the_schema_documents_the_new_inputs(user):
    schema = api_for(user).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert "land_fmv_at_first_business_use" in components["Home"]["properties"]
    assert set(OfficeArea.RESTART_FIELDS) <= set(components["OfficeArea"]["properties"])
    assert "office_area" in components["Bill"]["properties"]
    assert {"adjusted_gross_income", "net_qualified_disaster_loss"} <= set(
        components["TaxYear"]["properties"]
    )
    assert "casualty_and_depreciation" in components["FormOutput"]["properties"]
