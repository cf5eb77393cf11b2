"""Accounts: how a person gets their own ledger, and what a ledger owner may do.

Every person has a normal (staff, never superuser) account in the group "Ledger owners", which
holds exactly the model permissions a ledger owner needs: add, change, delete and view their
businesses, homes, office areas, improvements, bills, receipts, tax years, per-home inputs and
business shares, and view the stored forms. Existing groups get new permissions on the next
`migrate` (`owner_group_sync` runs after every one). Ownership still decides *which* rows (the
admin and the API scope to the user); the group decides *what* a person may do at all. A
superuser administers accounts (users, groups) and sees no one else's ledger.

Two ways in, both through `account_create`: the sign-up page (`/accounts/signup/`, on only when
`SIGNUP_ENABLED` is set) and `manage.py create_account` for the operator. Password reset goes by
e-mail (`EMAIL_BACKEND`; the console backend locally prints the message).

Imports: Django's auth; nothing of the tax package.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

OWNER_GROUP = "Ledger owners"
# app label -> models a ledger owner keeps (all four permissions) or only reads.
OWNER_MODELS = {
    "ledger": (
        *("home", "officearea", "improvement", "bill", "receipt", "taxyear", "taxyearhome"),
        # businesses (issue 14) and their shares of a home's deduction in a year
        *("business", "businessshare"),
        # statement imports: accounts, files, lines (the inbox), payee rules, recurring bills
        *("statementaccount", "statementimport", "statementrow", "payeerule", "billschedule"),
    ),
}
OWNER_READS = {"forms8829": ("computedform",)}
# Their own account's settings (the time zone): seen and changed, never added or deleted.
OWNER_SETTINGS = {"interface": ("account",)}


def owner_permissions():
    """Exactly the permissions of a ledger owner."""
    codenames = [
        f"{action}_{model}"
        for models in OWNER_MODELS.values()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    codenames += [f"view_{model}" for models in OWNER_READS.values() for model in models]
    codenames += [
        f"{action}_{model}"
        for models in OWNER_SETTINGS.values()
        for model in models
        for action in ("change", "view")
    ]
    apps = [*OWNER_MODELS, *OWNER_READS, *OWNER_SETTINGS]
    return Permission.objects.filter(content_type__app_label__in=apps, codename__in=codenames)


def owner_group_sync() -> Group:
    """The "Ledger owners" group with exactly the owner's permissions (idempotent; run after
    every migrate, and before an account is made)."""
    group, _ = Group.objects.get_or_create(name=OWNER_GROUP)
    group.permissions.set(owner_permissions())
    return group


@transaction.atomic
def account_create(
    *, username: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
):
    """A new ledger owner: active, staff (the admin is their app), never superuser, in the
    owners' group. Refuses a taken username or a weak password in words."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username '{username}' is taken; choose another."})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
        is_superuser=False,
        is_active=True,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(owner_group_sync())
    return user


def account_make_owner(user) -> None:
    """Give an existing account (the demo user, say) the owners' group."""
    user.groups.add(owner_group_sync())


class SignUpForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(
        max_length=150, required=False, help_text="Printed on your Form 8829 as the taxpayer."
    )
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(help_text="For password reset e-mails.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return data


@require_http_methods(["GET", "POST"])
def signup(request):
    """The sign-up page: on only when SIGNUP_ENABLED is set (else a 404)."""
    if not getattr(settings, "SIGNUP_ENABLED", False):
        raise Http404("Sign-up is off; ask the operator for an account.")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_create(
                username=data["username"],
                password=data["password1"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("password1" if field == "password" else field, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(reverse("admin:index"))
    context = {"form": form, "title": "Create your account", "site_header": "homeoffice"}
    return render(request, "registration/signup.html", context)


def accounts_context(request) -> dict:
    """For the login page: whether to offer the sign-up link."""
    return {"signup_enabled": getattr(settings, "SIGNUP_ENABLED", False)}
