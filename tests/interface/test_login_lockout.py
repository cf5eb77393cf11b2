"""Admin login (and the API token) lock out after N failures per username and per address."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


def admin_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_the_admin_login_locks_a_username_after_five_failures(client, staff_user):
    answers = [admin_login(client, "alice", "wrong").status_code for _ in range(5)]
    assert answers == [200] * 4 + [429]
    # Locked now: even the right password from another address is refused, in plain words.
    locked = admin_login(client, "alice", PASSWORD, ip="198.51.100.9")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed logins (5)" in text and "locked for 15 minutes" in text
    assert "unlock_login" in text
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session

    call_command("unlock_login", "alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert admin_login(client, "alice", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, staff_user):
    for n in range(5):
        admin_login(client, f"guess{n}", "wrong")
    assert admin_login(client, "alice", PASSWORD).status_code == 429
    # Another address is not locked by it.
    assert admin_login(client, "alice", PASSWORD, ip="198.51.100.9").status_code == 302


def test_a_rotating_forwarded_for_header_does_not_escape_the_lockout(client, staff_user):
    for n in range(5):
        client.post(
            "/admin/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        "/admin/login/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429


def test_the_api_token_endpoint_is_locked_too_and_answers_json(staff_user):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        client.post("/api/auth/token/", {"username": "alice", "password": "x"}, format="json")
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "Too many failed logins" in response.json()["detail"]


def test_unlock_login_by_address_and_all(client, staff_user, capsys):
    for n in range(5):
        admin_login(client, f"guess{n}", "wrong")
    call_command("unlock_login", ip="203.0.113.7")
    assert (
        "Unlocked address 203.0.113.7: 5 failed-login record(s) cleared." in capsys.readouterr().out
    )
    assert admin_login(client, "alice", PASSWORD).status_code == 302
    call_command("unlock_login", all=True)
    assert "every username and address" in capsys.readouterr().out


@pytest.fixture
def staff_user(db):
    return UserFactory(username="alice", is_staff=True)
