"""Top-level URLs: the admin (year-end review) and the REST API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from interface.accounts import signup
from interface.views import receipt_download

admin.site.site_header = "homeoffice — Form 8829 ledger"
admin.site.site_title = "homeoffice"
admin.site.index_title = "Your home office ledger"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Accounts (interface.accounts): sign-up when SIGNUP_ENABLED, password reset by e-mail.
    path("accounts/signup/", signup, name="signup"),
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("interface.api.urls")),
    path("receipts/<path:name>", receipt_download, name="receipt-file"),
]
