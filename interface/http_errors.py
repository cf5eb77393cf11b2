"""The API's one error shape, for answers made outside DRF's views (middleware, the lockout).

Every error under /api/ is a JSON object with at least `detail` (what went wrong, in words) and
`code` (a word a program can test); `interface.api.exceptions` gives DRF's errors the same two
keys. Must not import the ledger, the tax engine or the review.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

API_PREFIX = "/api/"

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def error_code(status: int) -> str:
    if status in CODES:
        return CODES[status]
    return "server_error" if status >= 500 else "error"


def json_error(status: int, detail: str, code: str | None = None, **extra) -> JsonResponse:
    body = {"detail": detail, "code": code or error_code(status), **extra}
    return JsonResponse(body, status=status)


def status_words(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
