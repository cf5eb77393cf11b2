"""Top-level URLs: the admin (year-end review) and the REST API."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from interface.views import receipt_download

admin.site.site_header = "homeoffice — Form 8829 ledger"
admin.site.site_title = "homeoffice"
admin.site.index_title = "Your home office ledger"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("interface.api.urls")),
    path("receipts/<path:name>", receipt_download, name="receipt-file"),
]
