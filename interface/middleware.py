"""Request-wide guards: bodies above the size limit, and errors under /api/ always as JSON.

- `request_size_limit`: a request whose Content-Length is above `settings.REQUEST_MAX_BYTES` is
  answered 413 before anything reads its body (each door has its own, smaller limit too: the
  JSON parsers, the CSV imports, receipts).
- `api_errors_as_json`: under /api/, an error answer that is not JSON already (Django's 404 for
  an address off the routes, its 500 page, a 400 for a bad Host, a CSRF 403) is replaced by the
  API's error shape (`interface.http_errors`), keeping its status and headers such as Allow.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse

from interface.http_errors import error_code, is_api, json_error, status_words

logger = logging.getLogger(__name__)

SERVER_ERROR = (
    "The server could not answer this request; any change it was making was not saved. Try "
    "again, and tell the administrator if it keeps happening."
)
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _too_large(request, length: int, limit: int):
    detail = f"The request body is {length:,} bytes; the limit is {limit:,} bytes."
    if is_api(request):
        return json_error(413, detail)
    return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


def _length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class request_size_limit:
    """413 above `settings.REQUEST_MAX_BYTES`, or above the view's own `request_max_bytes`
    (the admin's CSV import), before anything reads the body (CSRF's check reads the form)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length, limit = _length(request), settings.REQUEST_MAX_BYTES
        if length > limit:
            return _too_large(request, length, limit)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = getattr(view_func, "request_max_bytes", None)
        length = _length(request)
        if limit is not None and length > limit:
            return _too_large(request, length, limit)
        return None


def _is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")


def api_errors_as_json(get_response):
    def middleware(request):
        response = get_response(request)
        status = response.status_code
        if status < 400 or not is_api(request) or _is_json(response):
            return response
        if status == 404:
            detail = (
                f"There is no {request.method} {request.path} in the API; the addresses are "
                "listed at /api/docs/."
            )
        elif status >= 500:
            detail = SERVER_ERROR
        else:
            detail = f"{status_words(status)}."
        replaced = json_error(status, detail, error_code(status))
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced

    return middleware


def user_time_zone(get_response):
    """Dates and times in the person's own time zone (`interface.models.Account`), as kept in
    their session at login; the server's `TIME_ZONE` otherwise. No query: the session is read
    only when the request has one."""
    import zoneinfo

    from django.utils import timezone

    def middleware(request):
        session = getattr(request, "session", None)
        name = session.get("time_zone") if session is not None and session.session_key else None
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware
