"""Each person's time zone: chosen on "Your account", kept in the session, used by the admin."""

import datetime as dt
import re
import zoneinfo

import pytest

from interface.models import Account
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def utc_offset(response) -> int:
    """The offset the admin page was rendered in (Django's admin puts it on <body> for the
    note about the server's time)."""
    return int(re.search(r'data-admin-utc-offset="(-?\d+)"', response.content.decode())[1])


def offset_now(zone: str) -> int:
    return int(dt.datetime.now(zoneinfo.ZoneInfo(zone)).utcoffset().total_seconds())


def test_the_admin_shows_times_in_the_persons_own_zone(admin_client_for):
    user = UserFactory(username="berliner")
    client = admin_client_for(user)
    # The default: the server's zone (America/New_York).
    assert utc_offset(client.get("/admin/")) == offset_now("America/New_York")

    page = client.get("/admin/interface/account/", follow=True)
    assert page.status_code == 200 and "Europe/Berlin" in page.content.decode()
    (account,) = Account.objects.filter(user=user)
    response = client.post(
        f"/admin/interface/account/{account.pk}/change/", {"time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    assert Account.objects.get(user=user).time_zone == "Europe/Berlin"
    assert utc_offset(client.get("/admin/")) == offset_now("Europe/Berlin")


def test_a_new_login_takes_the_zone_from_the_account(client):
    user = UserFactory(username="tokyo")
    user.set_password("a long enough password 1")
    user.save()
    Account.objects.create(user=user, time_zone="Asia/Tokyo")
    client.post("/admin/login/", {"username": "tokyo", "password": "a long enough password 1"})
    assert client.session["time_zone"] == "Asia/Tokyo"
    assert utc_offset(client.get("/admin/")) == offset_now("Asia/Tokyo")


def test_a_zone_that_does_not_exist_is_refused_in_words(admin_client_for):
    user = UserFactory(username="nowhere")
    client = admin_client_for(user)
    client.get("/admin/interface/account/")
    account = Account.objects.get(user=user)
    response = client.post(
        f"/admin/interface/account/{account.pk}/change/", {"time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert Account.objects.get(user=user).time_zone == "America/New_York"


def test_someone_elses_settings_are_not_reachable(admin_client_for):
    other = UserFactory(username="other")
    theirs = Account.objects.create(user=other, time_zone="Asia/Tokyo")
    client = admin_client_for(UserFactory(username="me"))
    response = client.get(f"/admin/interface/account/{theirs.pk}/change/")
    assert response.status_code in (302, 404)
    assert Account.objects.get(pk=theirs.pk).time_zone == "Asia/Tokyo"
