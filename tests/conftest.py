"""Shared fixtures: users, an authenticated admin client, receipts in a temporary folder."""

import pytest

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _receipts_in_tmp(settings, tmp_path):
    """Receipts never touch the developer's real storage; passwords hash fast in tests."""
    settings.RECEIPTS_ROOT = tmp_path / "receipts"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The login lockout (django-axes) needs the request, which the test client's login() does
    # not pass; tests/interface/test_login_lockout.py turns it on.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _no_review_page_kept_between_tests():
    """The review pages kept in this process's memory (review.page_cache) start empty."""
    from django.core.cache import caches

    caches["pages"].clear()


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="mallory")


@pytest.fixture
def admin_client_for(client):
    """Log a (staff, non-superuser) user into the admin."""

    def login(u):
        client.force_login(u)
        return client

    return login


@pytest.fixture(scope="session")
def chromium_executable():
    """Debian's Chromium for the browser tests: skipped with a reason locally when it is not
    installed (`apt-get install chromium`); a failure in CI, which installs it (REQUIRE_BROWSER)."""
    import os
    import shutil

    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return path
