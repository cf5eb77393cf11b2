"""How the API answers errors: 400 with field messages, 404, and 409 for a filed year.

`api_exception_handler` is DRF's EXCEPTION_HANDLER (settings.REST_FRAMEWORK). Besides DRF's own
exceptions it translates what the models and services raise:

- `forms8829.filing.YearFiledError` (a write batch that would alter a filed year, filing a filed
  year) -> 409 with the year and the URL that reopens it through the API;
- a refusal whose every message says the request conflicts with what is stored (CONFLICT_CODES:
  a name, key, tax year or share you already have, a year to reopen that is not filed) -> 409
  with the same field messages; a refusal with any other message stays 400;
- any other django `ValidationError` (model `clean()`, services, `FormError`) -> 400 with field
  messages (`non_field_errors` for the rest);
- a delete that a protected foreign key refuses -> 409 saying what still refers to the record;
- as a last line (validation should have caught them): a value the database refuses -> 400, a
  constraint it refuses (a race) -> 409. No input is answered 500.

A refused write leaves nothing behind: every write runs in its own transaction (a write batch of
`forms8829.filing`), which the error has already rolled back when it gets here; a handled error
also marks any transaction still open for rollback. No business rules here: only the mapping to
HTTP.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

from forms8829.filing import YearFiledError
from interface.http_errors import error_code, status_words

logger = logging.getLogger(__name__)


def field_errors(exc: DjangoValidationError) -> dict:
    """A django ValidationError as DRF field errors: {field: [message, ...]}."""
    errors = as_serializer_error(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


# Error codes that say a request conflicts with what is stored rather than being bad input: a
# duplicate (`duplicate` from the serializers and models, `unique`/`unique_together` from a
# model's constraints) and a year to reopen that is not filed.
CONFLICT_CODES = frozenset({"duplicate", "unique", "unique_together", "not_filed"})


def _codes(detail) -> set:
    """Every error code in a DRF error detail (`get_codes()`'s nested dicts and lists)."""
    if isinstance(detail, dict):
        return set().union(*(_codes(value) for value in detail.values()))
    if isinstance(detail, list):
        return set().union(*(_codes(value) for value in detail))
    return {detail}


def is_conflict(detail) -> bool:
    codes = _codes(detail)
    return bool(codes) and codes <= CONFLICT_CODES


class YearFiled(APIException):
    """409: the change touches a filed tax year, which is read-only until reopened."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "year_filed"
    default_detail = "The change touches a filed tax year."

    def __init__(self, exc: YearFiledError):
        url = None
        hint = "Reopen the filed year first: POST /api/tax-years/{id}/reopen/ with a reason."
        if exc.tax_year_id is not None:
            url = reverse("api:taxyear-reopen", args=[exc.tax_year_id])
            hint = f'To reopen {exc.year} through the API: POST {url} with a "reason".'
        self.detail = {
            "detail": f"{' '.join(exc.messages)} {hint}",
            "code": self.default_code,
            "year": exc.year,
            "reopen_url": url,
        }


class Conflict(APIException):
    """409: the request conflicts with records already stored (a duplicate, a reference)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with a record already stored."

    def __init__(self, detail=None, *, extra: dict | None = None):
        super().__init__(detail)
        if extra:  # plain values (ids), kept as they are rather than made into messages
            self.detail = {**self.detail, **extra}


class ReferenceNotFound(NotFound):
    """404 for a reference (body field or filter) to a record the user does not have.

    Someone else's record and a record that does not exist get the same answer."""

    def __init__(self, field: str, model_name: str, value):
        super().__init__({field: [f"There is no {model_name} {value} in your ledger."]})


def api_exception_handler(exc, context):
    if isinstance(exc, YearFiledError):
        exc = YearFiled(exc)
    elif isinstance(exc, RequestDataTooBig):  # Django's own cap on a body read into memory
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        detail = f"The request body is larger than the limit of {limit:,} bytes."
        return Response({"detail": detail, "code": "too_large"}, status=413)
    elif isinstance(exc, DjangoValidationError):
        set_rollback()
        errors = field_errors(exc)
        if is_conflict(ValidationError(errors).get_codes()):
            exc = Conflict(errors)
        else:
            body = error_body(errors, exc, status.HTTP_400_BAD_REQUEST)
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, ValidationError) and is_conflict(exc.get_codes()):
        exc = Conflict(exc.detail)
    elif isinstance(exc, DataError):
        # Validation should have caught it; never a 500 for a value the database refuses.
        logger.warning("Database refused a value: %s", exc)
        set_rollback()
        message = "A value is out of range for the database; nothing was saved."
        body = {"detail": message, "code": "invalid", api_settings.NON_FIELD_ERRORS_KEY: [message]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, ProtectedError | RestrictedError):  # before IntegrityError, their base
        objects = getattr(exc, "protected_objects", None) or exc.restricted_objects
        blocking = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
        exc = Conflict(
            f"This record is still used by {', '.join(blocking)}; delete or move those first."
        )
    elif isinstance(exc, IntegrityError):
        logger.warning("Database refused a write: %s", exc)
        exc = Conflict("The change conflicts with records already stored; nothing was saved.")
    response = exception_handler(exc, context)
    if response is not None:
        set_rollback()
        response.data = error_body(response.data, exc, response.status_code)
    return response


def _summary(data: dict) -> str:
    """The field messages in one line: `amount: must be >= 0; paid_on: ...` (at most three)."""
    parts = []
    for field, messages in data.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, dict | list):
            first = "has errors"
        text = str(first)
        parts.append(text if field == api_settings.NON_FIELD_ERRORS_KEY else f"{field}: {text}")
    shown = "; ".join(parts[:3])
    return shown + (f" (and {len(parts) - 3} more)" if len(parts) > 3 else "")


def _code(exc, status_code: int) -> str:
    code = getattr(exc, "default_code", None)
    if isinstance(exc, APIException) and not isinstance(exc.detail, dict | list):
        code = exc.detail.code or code
    return code or error_code(status_code)


def error_body(data, exc, status_code: int) -> dict:
    """Every API error as one shape: `detail` (words) and `code` (a word to test), with the
    field messages (`{"amount": ["must be >= 0"]}`) or other data kept beside them."""
    if isinstance(data, list):
        data = {api_settings.NON_FIELD_ERRORS_KEY: data}
    elif not isinstance(data, dict):
        data = {"detail": str(data)}
    body = dict(data)
    if "detail" not in body:
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            body["detail"] = str(errors[0]) + (
                f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            )
        else:
            body["detail"] = _summary(body) or status_words(status_code)
    body.setdefault("code", _code(exc, status_code))
    return {"detail": body.pop("detail"), "code": body.pop("code"), **body}


def report_refused(report: dict, problems: list) -> Response:
    """400 for an import refused by its rows (nothing saved): the report (what each row would
    have made, every problem) beside the one error shape's `detail` (the first problem) and
    `code`."""
    first = problems[0] if problems else {}
    message = first.get("message", "") if isinstance(first, dict) else str(first)
    where = ", ".join(
        f"{name} {first[name]}" for name in ("line", "column") if first.get(name) is not None
    )
    detail = f"{where}: {message}" if where and message else message or "Nothing was saved."
    if len(problems) > 1:
        detail += f" (and {len(problems) - 1} more)"
    body = {"detail": detail, "code": "invalid", **report}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)
