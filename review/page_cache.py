"""The review page as last rendered, kept for the browser session that asked for it until the
ledger changes: a repeated look at the review (the year-end work goes back to it after every
correction elsewhere, and reloads it) costs a lookup, not the page.

The key holds everything the page is made from, so a kept page is never stale:

- the ledger: the time the owner's last write batch stored what reads serve
  (`forms8829.ServedChain.stored_at`). Every batch writes it anew (a bill, a receipt, a home, an
  import, filing, reopening, recompute), and a ledger record saved outside a batch deletes it
  (`forms8829.served`), and then nothing is kept or served from here until the next batch. The one
  gap is the brief's own: bulk writes outside a batch (docs/write-path.md);
- who looks and how: the session (its user, permissions and CSRF secret: the page's forms carry
  a token of that secret), the CSRF cookie, whether the viewer may change the year, the page's
  query, the language, the time zone and the day;
- a page with messages to show (after a recompute, a filing) is rendered and not kept.

Kept in the `pages` cache (settings: each process's memory, bounded). Nothing is written to the
database: a read stays a read.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.utils import timezone, translation

from forms8829.models import ServedChain

CACHE = "pages"


def review_page_key(request, *, owner_id: int, tax_year_id: int, can_change: bool) -> str | None:
    """The key of the review page this request would render, or None when it may not be kept
    (no brief of the owner's ledger, no session or CSRF cookie yet, messages to show)."""
    stored_at = (
        ServedChain.objects.filter(owner_id=owner_id)
        .values_list("stored_at", "engine_version")
        .first()
    )
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    to_show = len(messages.get_messages(request))  # counted, not taken: they are still shown
    if stored_at is None or not session_key or not csrf_cookie or to_show:
        return None
    parts = (
        "review",
        owner_id,
        tax_year_id,
        stored_at[0].isoformat(),
        stored_at[1],
        request.user.pk,
        session_key,
        csrf_cookie,
        can_change,
        request.get_full_path(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
    )
    return "review:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def kept_page(key: str | None) -> bytes | None:
    return caches[CACHE].get(key) if key is not None else None


def keep_page(key: str | None, content: bytes) -> None:
    if key is not None:
        caches[CACHE].set(key, content)
