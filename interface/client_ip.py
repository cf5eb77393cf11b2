"""The client's address, as the throttles and the login lockout see it: one reader for both.

`X-Forwarded-For` is believed only as far as `settings.TRUSTED_PROXY_COUNT` says: each of our
proxies appends the address it received the request from, so with N proxies the client is the
N-th address from the right; whatever a client wrote to the left of that is ignored. With no
trusted proxy (the default) the header is ignored and the address is `REMOTE_ADDR`, so a client
cannot pick a new address per request to slip past a throttle.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address the request came from (a DRF request or a Django one)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy we trust writes addresses; anything else is not believed
        return remote
