"""OpenAPI descriptions shared by the API's views: error responses and the CRUD set.

Every endpoint lists the errors it can answer: 400 (bad input, messages by field), 401 (not
logged in), 404 (not one of your records; someone else's is answered the same), 409 (a filed year
is read-only, or a duplicate). `resource_schema` decorates a ModelViewSet with all of them.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from forms8829.rules import FIRST_SUPPORTED_YEAR, LAST_SUPPORTED_YEAR
from ledger.fields import FALSE_WORDS, TRUE_WORDS, date_year_pattern, decimal_pattern

# The blanks around a value (ledger.fields.BLANKS) as a regular expression's character class.
BLANKS_PATTERN = r" \t\n\r\f\v"

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
        description="A filed tax year is read-only (reopen it first: `year`, `reopen_url`), "
        "the record conflicts with one already stored (a name, key, tax year or share you "
        "already have, the same receipt file), a year to reopen is not filed, or a statement "
        "is already imported.",
    ),
    413: OpenApiResponse(ERROR, description="The body is larger than this endpoint takes."),
    415: OpenApiResponse(
        ERROR,
        description="The body is not of a type this endpoint takes: JSON (`application/json`), "
        "or `multipart/form-data` where a file is uploaded; a form-encoded body is refused.",
    ),
    429: OpenApiResponse(ERROR, description="Too many requests, or a locked-out login."),
}


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class ReadingDecimalField(OpenApiSerializerFieldExtension):
    """A decimal read by `ledger.fields.read_decimal` (money, areas, percents, hours): text that
    matches the reader's own pattern (`ledger.fields.decimal_pattern`: `1250`, `1,250.00`,
    `$1,250.00` for money, `70%` for a percent, the field's places and limits), or a JSON number
    within the same limits, in steps of the field's places (`12.5`, never an exponent)."""

    target_class = "ledger.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "response":  # written by DRF: always text with the field's places
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        limits = {
            "max_digits": field.max_digits,
            "decimal_places": field.decimal_places,
            "minimum": field.minimum,
            "maximum": field.maximum,
        }
        text = {"type": "string", "pattern": decimal_pattern(**limits, money=field.money)}
        bound = Decimal(10) ** (field.max_digits - field.decimal_places)
        step = Decimal(1).scaleb(-field.decimal_places)
        number = {"type": "number", "multipleOf": _json_number(step)}
        if field.minimum is None:
            number.update(minimum=_json_number(-bound), exclusiveMinimum=True)
        else:
            number["minimum"] = _json_number(Decimal(field.minimum))
        if field.maximum is None:
            number.update(maximum=_json_number(bound), exclusiveMaximum=True)
        else:
            number["maximum"] = _json_number(Decimal(field.maximum))
        return {"oneOf": [text, number]}


class ReadingDateField(OpenApiSerializerFieldExtension):
    """An ISO date as `ledger.fields.read_date` reads it: years DATE_MIN..DATE_MAX only."""

    target_class = "ledger.fields.DateField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = date_year_pattern()
        return schema


class ReadingBooleanField(OpenApiSerializerFieldExtension):
    """true or false as `ledger.fields.read_boolean` reads it: JSON's, 1 and 0, or its words."""

    target_class = "ledger.fields.BooleanField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "boolean"}
        return {
            "oneOf": [
                {"type": "boolean"},
                {"type": "integer", "enum": [0, 1]},
                {"type": "string", "enum": [*TRUE_WORDS, *FALSE_WORDS]},
            ]
        }


class ReadingHomeField(OpenApiSerializerFieldExtension):
    """A home by its id, or by its key or name (`ledger.fields.HomeLookup`); shown by its id.
    An id, key or name you do not have is a 404."""

    target_class = "ledger.serializers.HomeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "integer"}
        return {
            "oneOf": [
                {"type": "integer"},
                {"type": "string", "pattern": f"[^{BLANKS_PATTERN}]"},
            ]
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
