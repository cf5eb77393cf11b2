"""API throttles: counters in the shared cache (settings.CACHES), keyed by the client's address.

DRF keeps a throttle's history in `django.core.cache.cache`, which here is the database cache
(or Redis), shared by every worker and every server: N workers do not multiply the limit. The
address is `interface.client_ip.client_ip`'s, so a rotating `X-Forwarded-For` counts for nothing
unless a trusted proxy count is configured.
"""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle

from interface.client_ip import client_ip


class ClientScopedRateThrottle(ScopedRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
