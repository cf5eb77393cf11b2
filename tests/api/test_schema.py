"""The OpenAPI schema: valid, complete, served offline; and a bounded fuzz run finds no 5xx."""

import datetime as dt

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from homeoffice.wsgi import application
from tests.api.conftest import make_ledger

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_every_endpoint_documents_its_errors(api):
    schema = api.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path == "/api/auth/token/":
                assert "400" in codes
                continue
            assert "401" in codes, (method, path)
            if "{" in path or method in ("post", "put", "patch"):
                assert codes & {"400", "404"}, (method, path)


def test_swagger_ui_is_served_without_a_cdn(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn." not in html and "jsdelivr" not in html and "unpkg" not in html


# --------------------------------------------------------------------------------------------
# Fuzzing: schemathesis generates requests from the schema and sends them in-process.

FUZZED = [
    ("/api/homes/", "GET"),
    ("/api/homes/", "POST"),
    ("/api/homes/{id}/", "PATCH"),
    ("/api/office-areas/", "POST"),
    ("/api/bills/", "GET"),
    ("/api/bills/", "POST"),
    ("/api/bills/{id}/", "PUT"),
    ("/api/tax-years/", "POST"),
    ("/api/tax-year-homes/", "POST"),
    ("/api/businesses/", "POST"),
    ("/api/businesses/{id}/", "DELETE"),
    ("/api/business-shares/", "POST"),
    ("/api/bills/import/", "POST"),
    ("/api/receipts/", "POST"),
    ("/api/tax-years/{id}/reopen/", "POST"),
    ("/api/forms/{year}/", "GET"),
    ("/api/ledger/import/", "POST"),
]


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request; Django's test client
    stops it from doing so, and so must an in-process caller, or the test's transaction is lost
    (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_target(user, client_for, keep_the_test_connection):
    ledger = make_ledger(user)
    token = client_for(user)._credentials["HTTP_AUTHORIZATION"]
    headers = {"Authorization": token}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    return schema, headers, ledger


@pytest.mark.parametrize(("path", "method"), FUZZED, ids=[f"{m} {p}" for p, m in FUZZED])
def test_fuzzing_finds_no_server_error(path, method, fuzz_target):
    schema, headers, ledger = fuzz_target
    operation = schema[path][method]
    failures, statuses = [], []

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        if len(statuses) % 2:
            # Every other case names real records rather than random (missing) ones.
            if case.path_parameters and "id" in case.path_parameters:
                record = next(
                    (r for r in ("bill", "tax_year", "business") if r.replace("_", "-") in path),
                    "home",
                )
                case.path_parameters["id"] = ledger[record].pk
            if isinstance(case.body, dict):
                for field in ("home", "tax_year", "bill", "business", "tax_year_home"):
                    if field in case.body:
                        case.body[field] = ledger[field].pk
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append((case.method, case.formatted_path, case.body, response.text[:500]))

    run()
    print(path, method, sorted(statuses))
    assert len(statuses) >= 5
    assert failures == [], failures


def test_fuzzing_reached_the_database(user, fuzz_target):
    """A sanity check that the in-process calls run against the test database."""
    schema, headers, ledger = fuzz_target
    operation = schema["/api/bills/"]["GET"]
    case = operation.Case(query={"year": 2024})
    response = case.call(headers=headers)
    assert response.status_code == 200
    assert response.json()["count"] == len(ledger["bills"])
    assert dt.date.fromisoformat(response.json()["results"][0]["paid_on"]).year == 2024
