"""The token endpoint's throttle: counted in the shared (database) cache, per client address,
and `X-Forwarded-For` believed only as far as the configured trusted proxy count."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from interface.api.throttling import ClientScopedRateThrottle
from interface.client_ip import client_ip

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr(ClientScopedRateThrottle, "THROTTLE_RATES", {"auth-token": f"{LIMIT}/hour"})


def token_tries(n, *, remote="203.0.113.7", forwarded=None):
    client = APIClient()
    statuses = []
    for i in range(n):
        headers = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded(i)
        response = client.post(
            "/api/auth/token/", {"username": "nobody", "password": "x"}, format="json", **headers
        )
        statuses.append(response.status_code)
    return statuses, response


def test_the_limit_holds_and_the_answer_is_json_with_retry_after():
    statuses, last = token_tries(LIMIT + 2)
    assert statuses == [400] * LIMIT + [429, 429]
    assert last.json()["code"] == "throttled" and "throttled" in last.json()["detail"]
    assert int(last["Retry-After"]) > 0


def test_the_counter_lives_in_the_database_cache():
    token_tries(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM homeoffice_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle_auth-token_203.0.113.7" in key for key in keys)


def test_a_rotating_forwarded_for_header_is_ignored_without_a_trusted_proxy():
    statuses, _ = token_tries(LIMIT + 1, forwarded=lambda i: f"10.0.0.{i}")
    assert statuses[-1] == 429


def test_behind_one_trusted_proxy_the_client_is_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges addresses on the left; the proxy appends the real one on the right.
    statuses, _ = token_tries(LIMIT + 1, forwarded=lambda i: f"10.0.0.{i}, 198.51.100.4")
    assert statuses[-1] == 429
    # Different real clients behind the proxy are counted apart.
    statuses, _ = token_tries(LIMIT, forwarded=lambda i: f"198.51.100.{10 + i}")
    assert 429 not in statuses


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "203.0.113.7"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "9.9.9.9, 1.2.3.4", "1.2.3.4"),
        (2, "9.9.9.9, 1.2.3.4, 10.0.0.1", "1.2.3.4"),
        (2, "1.2.3.4", "1.2.3.4"),
        (1, "not-an-address", "203.0.113.7"),
        (1, "", "203.0.113.7"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies

    class Request:
        META = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": forwarded}

    assert client_ip(Request()) == expected
