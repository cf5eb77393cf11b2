"""The admin's CSV import between its preview and its confirmation: the upload is kept on the
server, in the shared cache (settings.CACHES: the database or Redis, so any app server can take
the confirmation), for PENDING_SECONDS, under a random token bound to the user. The page carries
only the token, never the file.
"""

from __future__ import annotations

import re
import secrets

from django.core.cache import cache

PENDING_SECONDS = 60 * 60
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _key(user, token: str) -> str:
    return f"bill-import:{user.pk}:{token}"


def pending_import_keep(*, user, text: str) -> str:
    token = secrets.token_urlsafe(24)
    cache.set(_key(user, token), text, PENDING_SECONDS)
    return token


def pending_import_take(*, user, token: str) -> str | None:
    """The kept upload of `user` under `token` (None when unknown or expired); it is dropped."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    key = _key(user, token)
    text = cache.get(key)
    cache.delete(key)
    return text
