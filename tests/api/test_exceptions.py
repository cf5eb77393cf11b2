"""The exception handler: what the models, services and database raise, in HTTP terms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError

from forms8829.chain import FormError
from forms8829.filing import YearFiledError
from interface.api.exceptions import api_exception_handler

pytestmark = pytest.mark.django_db


class Request:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            ValidationError({"area": "Too big."}),
            400,
            {"detail": "area: Too big.", "code": "invalid", "area": ["Too big."]},
        ),
        (
            ValidationError("Whole record."),
            400,
            {"detail": "Whole record.", "code": "invalid", "non_field_errors": ["Whole record."]},
        ),
        (
            FormError("2024: bad."),
            400,
            {"detail": "2024: bad.", "code": "invalid", "non_field_errors": ["2024: bad."]},
        ),
        (
            DataError("value too long"),
            400,
            {
                "detail": "A value is out of range for the database; nothing was saved.",
                "code": "invalid",
                "non_field_errors": [
                    "A value is out of range for the database; nothing was saved."
                ],
            },
        ),
        (
            IntegrityError("duplicate key"),
            409,
            {
                "detail": "The change conflicts with records already stored; nothing was saved.",
                "code": "conflict",
            },
        ),
    ],
)
def test_mapping(exc, status, body, user):
    """Every error has `detail` (words) and `code` first; field messages are kept beside."""
    response = api_exception_handler(exc, {"request": Request(user)})
    assert (response.status_code, response.data) == (status, body)


def test_a_filed_year_is_409_with_how_to_reopen(user, ledger):
    exc = YearFiledError(
        "Tax year 2024 is filed, and this change would alter its Form 8829.",
        year=2024,
        tax_year_id=ledger["tax_year"].pk,
    )
    response = api_exception_handler(exc, {"request": Request(user)})
    assert response.status_code == 409
    url = f"/api/tax-years/{ledger['tax_year'].pk}/reopen/"
    assert response.data["reopen_url"] == url
    assert response.data["year"] == 2024
    assert response.data["detail"].endswith(f'POST {url} with a "reason".')


def test_a_filed_year_without_its_tax_year_id_still_says_how_to_reopen(user):
    exc = YearFiledError("Filed.", year=2024, tax_year_id=None)
    response = api_exception_handler(exc, {"request": Request(user)})
    assert response.status_code == 409
    assert response.data["year"] == 2024 and response.data["reopen_url"] is None
    assert "/reopen/" in response.data["detail"]


def test_other_exceptions_are_left_to_django(user):
    assert api_exception_handler(RuntimeError("bug"), {"request": Request(user)}) is None
