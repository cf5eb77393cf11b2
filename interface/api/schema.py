"""OpenAPI descriptions shared by the API's views: error responses and the CRUD set.

Every endpoint lists the errors it can answer: 400 (bad input, messages by field), 401 (not
logged in), 404 (not one of your records; someone else's is answered the same), 409 (a filed year
is read-only, or a duplicate). `resource_schema` decorates a ModelViewSet with all of them.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from forms8829.rules import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR

_MESSAGES = {"type": "array", "items": {"type": "string"}}

# The one error shape (interface.api.exceptions.error_body, interface.http_errors): `detail` and
# `code` always; field messages beside them (`{"amount": ["must be >= 0"]}`, nested for nested
# fields); some codes add data: a filed year's `year` and `reopen_url`, a duplicate receipt's
# `existing_receipt`, a ledger file's `errors` (one message each).
ERROR = {
    "type": "object",
    "description": "An error: `detail` says what went wrong, `code` names it (`invalid`, "
    "`parse_error`, `not_found`, `year_filed`, `conflict`, `too_large`, `throttled`, "
    "`locked_out`, ...); messages by field name (`non_field_errors` for the record as a whole) "
    "stand beside them (a field may be named `year`), and so do a filed year's `year` and "
    "`reopen_url`, a duplicate receipt's `existing_receipt`.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {}},
    },
    "required": ["detail", "code"],
    "additionalProperties": {},
}

RESPONSES = {
    400: OpenApiResponse(ERROR, description="Bad input; nothing was changed."),
    401: OpenApiResponse(ERROR, description="Not logged in (send `Authorization: Token …`)."),
    404: OpenApiResponse(
        ERROR,
        description="Not found among your records (another user's record is answered the same).",
    ),
    409: OpenApiResponse(
        ERROR,
        description="A filed tax year is read-only (reopen it first: `year`, `reopen_url`), or "
        "the record conflicts with one already stored.",
    ),
    413: OpenApiResponse(ERROR, description="The body is larger than this endpoint takes."),
    415: OpenApiResponse(
        ERROR,
        description="The body is not of a type this endpoint takes: JSON (`application/json`), "
        "or `multipart/form-data` where a file is uploaded; a form-encoded body is refused.",
    ),
    429: OpenApiResponse(ERROR, description="Too many requests, or a locked-out login."),
}


class ReadingIntegerFieldBounds(OpenApiSerializerFieldExtension):
    """A whole number read by `ledger.fields` keeps its limits itself (the reader's messages);
    the schema states them as `minimum` and `maximum` (a tax year's 2018-2026, rooms >= 0)."""

    target_class = "ledger.fields.IntegerField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        for keyword, limit in (("minimum", self.target.minimum), ("maximum", self.target.maximum)):
            if limit is not None:
                schema[keyword] = limit
        return schema


def errors(*codes: int) -> dict:
    """The error responses `codes` for an `extend_schema(responses=...)`."""
    return {code: RESPONSES[code] for code in codes}


def resource_schema(tag: str, serializer, *, conflicts: bool = True, writable: bool = True):
    """extend_schema_view for a ModelViewSet: every action with its errors."""
    conflict = (409,) if conflicts else ()
    views = {
        "list": extend_schema(tags=[tag], responses={200: serializer, **errors(400, 401, 404)}),
        "retrieve": extend_schema(tags=[tag], responses={200: serializer, **errors(401, 404)}),
        "create": extend_schema(
            tags=[tag], responses={201: serializer, **errors(400, 401, 404, 413, *conflict)}
        ),
        "destroy": extend_schema(tags=[tag], responses={204: None, **errors(401, 404, *conflict)}),
    }
    if writable:
        for name in ("update", "partial_update"):
            views[name] = extend_schema(
                tags=[tag], responses={200: serializer, **errors(400, 401, 404, 413, *conflict)}
            )
    return extend_schema_view(**views)


YEAR_PARAMETER = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": FIRST_SUPPORTED_YEAR, "maximum": LAST_SUPPORTED_YEAR},
    OpenApiParameter.PATH,
    description=f"The tax year ({FIRST_SUPPORTED_YEAR}-{LAST_SUPPORTED_YEAR}).",
)


def document_the_wire(result, generator, request, public):
    """drf-spectacular's last step (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): what holds for
    every operation is written once here.

    - An operation that takes a body answers 415 (the one error shape) to a body of another
      type: the body types come from the view's parsers (JSON everywhere, multipart where a
      file is uploaded, `text/csv` for the bills CSV).
    - An optional query parameter sent empty (`?home=`, `?page=`, `?dry_run=`) is the same as
      leaving it out (django-filter, DRF's pagination and `flag` read it so), which the schema
      says with `allowEmptyValue`.
    """
    unsupported = RESPONSES[415]
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                operation["responses"].setdefault(
                    "415",
                    {
                        "description": unsupported.description,
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
