"""OpenAPI descriptions shared by the API's views: error responses and the CRUD set.

Every endpoint lists the errors it can answer: 400 (bad input, messages by field), 401 (not
logged in), 404 (not one of your records; someone else's is answered the same), 409 (a filed year
is read-only, or a duplicate). `resource_schema` decorates a ModelViewSet with all of them.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from interface.api.serializers import YearFiledErrorSerializer

_MESSAGES = {"type": "array", "items": {"type": "string"}}

FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name (`non_field_errors` for the record as a whole).",
    "additionalProperties": _MESSAGES,
}
NOT_FOUND = {
    "type": "object",
    "description": "`detail`, or the field or filter that names a record you do not have.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": _MESSAGES,
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}

RESPONSES = {
    400: OpenApiResponse(FIELD_ERRORS, description="Bad input; nothing was changed."),
    401: OpenApiResponse(DETAIL, description="Not logged in (send `Authorization: Token …`)."),
    404: OpenApiResponse(
        NOT_FOUND,
        description="Not found among your records (another user's record is answered the same).",
    ),
    409: OpenApiResponse(
        YearFiledErrorSerializer,
        description="A filed tax year is read-only (reopen it first), or the record conflicts "
        "with one already stored.",
    ),
}


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
            tags=[tag], responses={201: serializer, **errors(400, 401, 404, *conflict)}
        ),
        "destroy": extend_schema(tags=[tag], responses={204: None, **errors(401, 404, *conflict)}),
    }
    if writable:
        for name in ("update", "partial_update"):
            views[name] = extend_schema(
                tags=[tag], responses={200: serializer, **errors(400, 401, 404, *conflict)}
            )
    return extend_schema_view(**views)


YEAR_PARAMETER = OpenApiParameter(
    "year", int, OpenApiParameter.PATH, description="The tax year (a supported year)."
)
