"""Accounts: sign-up (behind SIGNUP_ENABLED), the operator's command, the owners' group, password
reset by e-mail, and a superuser who administers accounts but sees no one's ledger."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from interface.accounts import OWNER_GROUP, OWNER_MODELS, owner_permissions

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newperson",
    "first_name": "Pat",
    "last_name": "Doe",
    "email": "pat@example.com",
    "password1": "a-long-password-1",
    "password2": "a-long-password-1",
}


def test_signup_is_off_unless_the_setting_turns_it_on(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/accounts/signup/").status_code == 404
    assert "Create your account" not in client.get("/admin/login/").content.decode()


def test_signup_makes_a_ledger_owner_and_logs_them_in(client, settings):
    settings.SIGNUP_ENABLED = True
    assert "Create your account" in client.get("/admin/login/").content.decode()
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302 and response.url == "/admin/"
    user = get_user_model().objects.get(username="newperson")
    assert user.is_staff and not user.is_superuser and user.get_full_name() == "Pat Doe"
    assert list(user.groups.values_list("name", flat=True)) == [OWNER_GROUP]
    page = client.get("/admin/").content.decode()
    assert "Add your home" in page


def test_signup_refuses_a_taken_name_and_differing_passwords_in_words(client, settings, user):
    settings.SIGNUP_ENABLED = True
    response = client.post(
        "/accounts/signup/", {**SIGNUP, "username": user.username, "password2": "other-one-22"}
    )
    errors = response.context["form"].errors
    assert errors["password2"] == ["The two passwords differ; type the same one twice."]
    response = client.post("/accounts/signup/", {**SIGNUP, "username": user.username})
    errors = response.context["form"].errors
    assert errors["username"] == ["The username 'alice' is taken; choose another."]


def test_the_operators_command_makes_an_owner_never_a_superuser(db):
    call_command("create_account", "sam", "--email", "sam@example.com", "--password", "pw-12345678")
    user = get_user_model().objects.get(username="sam")
    assert user.is_staff and not user.is_superuser and user.check_password("pw-12345678")
    assert user.groups.get().name == OWNER_GROUP
    with pytest.raises(CommandError, match="username: The username 'sam' is taken"):
        call_command("create_account", "sam", "--password", "pw-12345678")
    with pytest.raises(CommandError, match="password: This password is too short"):
        call_command("create_account", "sam2", "--password", "short")


def test_the_owners_group_holds_exactly_the_ledger_permissions(db):
    codenames = set(owner_permissions().values_list("codename", flat=True))
    models = [m for kept in OWNER_MODELS.values() for m in kept]
    assert {"home", "officearea", "improvement", "bill", "receipt", "taxyear"} <= set(models)
    expected = {f"{a}_{m}" for m in models for a in ("add", "change", "delete", "view")}
    assert codenames == expected | {"view_computedform", "view_account", "change_account"}
    assert not any("user" in c or "group" in c or "permission" in c for c in codenames)


def test_a_staff_user_outside_the_group_reaches_no_ledger_page(client):
    from tests.factories import UserFactory

    stranger = UserFactory(username="stranger", ledger_owner=False)
    client.force_login(stranger)
    assert client.get("/admin/ledger/bill/").status_code == 403


def test_password_reset_sends_a_link_by_email(client, user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    login = client.get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in login
    response = client.post("/admin/password_reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_the_local_default_prints_mails_to_the_console():
    from django.conf import settings

    assert settings.EMAIL_BACKEND.endswith("console.EmailBackend") or settings.EMAIL_BACKEND


def test_the_pdf_names_the_taxpayer_from_the_account(user):
    import io

    from pypdf import PdfReader

    from review.pdf import form_pdf
    from tests.factories import OfficeAreaFactory, TaxYearHomeFactory

    user.first_name, user.last_name = "Alice", "Walker"
    user.save()
    tyh = TaxYearHomeFactory(tax_year__owner=user, tax_year__year=2024)
    OfficeAreaFactory(home=tyh.home)
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(form_pdf(owner=user, year=2024))).pages
    )
    assert "Taxpayer: Alice Walker" in text
