"""What a locked-out login is answered (django-axes' AXES_LOCKOUT_CALLABLE): 429 and plain words.

The admin's login page says the login is locked, for how long, and who can lift it; the API's
token endpoint answers the API's error shape. The lockout itself is django-axes' (settings).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from interface.http_errors import is_api, json_error

STATUS = 429


def lockout_message() -> str:
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return (
        f"Too many failed logins ({settings.AXES_FAILURE_LIMIT}) for this username or from this "
        f"address: logging in is locked for {minutes} minutes. Wait, or ask an administrator "
        "to unlock it (manage.py unlock_login)."
    )


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    if is_api(request):
        response = json_error(STATUS, message, "locked_out")
    else:
        from django.contrib import admin

        context = {**admin.site.each_context(request), "title": "Login locked", "message": message}
        response = render(request, "admin/login_locked.html", context, status=STATUS)
    response["Retry-After"] = str(round(settings.AXES_COOLOFF_TIME * 3600))
    return response
