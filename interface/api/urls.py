"""API routes, mounted at /api/ (namespace "api").

Resources (list, create, detail, update, delete; history where noted):
  businesses/ (+ history), homes/ (+ {id}/history/, {id}/depreciation/), office-areas/
  (+ history), improvements/, bills/ (+ history, import/, export.csv), receipts/
  (+ {id}/download/), tax-years/ (+ history, {id}/file/, {id}/reopen/), tax-year-homes/,
  business-shares/.
Computed: forms/{year}/, forms/{year}/{home_id}/, forms/{year}/method-comparison/, carryovers/,
  tax-years/{year}/support.zip. Ledger file: ledger/export/, ledger/export.zip (the archive,
  with the receipts' files), ledger/import/ (either).
Auth: auth/token/. OpenAPI: schema/ and the Swagger UI at docs/.
"""

from django.contrib.auth.views import redirect_to_login
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.routers import APIRootView, SimpleRouter

from interface.api import views

app_name = "api"


class LoginFirstSwaggerView(SpectacularSwaggerSplitView):
    """The Swagger UI: a person who is not logged in is sent to the login, then back here. Its
    setup script is a file (`?script=`), not inline: the Content-Security-Policy allows none."""

    template_name = "api/swagger_ui.html"

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


router = SimpleRouter()
router.register("businesses", views.BusinessViewSet, basename="business")
router.register("homes", views.HomeViewSet, basename="home")
router.register("office-areas", views.OfficeAreaViewSet, basename="officearea")
router.register("improvements", views.ImprovementViewSet, basename="improvement")
router.register("bills", views.BillViewSet, basename="bill")
router.register("receipts", views.ReceiptViewSet, basename="receipt")
router.register("tax-years", views.TaxYearViewSet, basename="taxyear")
router.register("tax-year-homes", views.TaxYearHomeViewSet, basename="taxyearhome")
router.register("business-shares", views.BusinessShareViewSet, basename="businessshare")
# Bank and card statements: accounts, payee rules, recurring bills, statement files (upload,
# {id}/preview/, {id}/confirm/), statement lines (?status=inbox; {id}/classify/, apply-rules/).
router.register("statement-accounts", views.StatementAccountViewSet, basename="statementaccount")
router.register("payee-rules", views.PayeeRuleViewSet, basename="payeerule")
router.register("bill-schedules", views.BillScheduleViewSet, basename="billschedule")
router.register("statements", views.StatementFileViewSet, basename="statement")
router.register("statement-lines", views.StatementLineViewSet, basename="statementline")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="auth-token"),
    path(
        "bills/export.csv",
        views.BillViewSet.as_view({"get": "export_csv"}),
        name="bill-export-csv",
    ),
    path(
        "tax-years/<int:year>/support.zip",
        views.SupportPackageView.as_view(),
        name="taxyear-support-zip",
    ),
    path("forms/<int:year>/", views.FormsYearView.as_view(), name="forms-year"),
    path(
        "forms/<int:year>/method-comparison/",
        views.MethodComparisonView.as_view(),
        name="forms-method-comparison",
    ),
    path("forms/<int:year>/<int:home_id>/", views.FormHomeView.as_view(), name="forms-home"),
    path("carryovers/", views.CarryoverChainView.as_view(), name="carryovers"),
    path("ledger/export/", views.LedgerExportView.as_view(), name="ledger-export"),
    path(
        "ledger/export.zip",
        views.LedgerArchiveExportView.as_view(),
        name="ledger-export-archive",
    ),
    path("ledger/import/", views.LedgerImportView.as_view(), name="ledger-import"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Logged out, the docs page sends a person to the login (not a bare 401).
    path(
        "docs/",
        LoginFirstSwaggerView.as_view(url_name="api:schema"),
        name="docs",
    ),
    # GET /api/: the resources, each with its URL (DRF's API root).
    path(
        "",
        APIRootView.as_view(
            api_root_dict={prefix: f"{basename}-list" for prefix, _, basename in router.registry}
        ),
        name="api-root",
    ),
    *router.urls,
]
