"""The REST API's views: owner-scoped resources, computed forms, imports, exports, downloads.

Every view requires login (settings.REST_FRAMEWORK) and reads only the request user's records:
`get_queryset` starts from `owned_by(request.user)`, so another user's record is a 404 like one
that does not exist. Views are thin: serializers validate (the models' `full_clean()`), the
`ledger.services`, `ledger.bill_import`, `ledger.ledger_file`, `ledger.ledger_archive` and
`forms8829.chain` and `forms8829.filing` (every write is one of its batches) do the work, and
`interface.api.exceptions` turns refusals into 400/404/409.
Lists use a constant number of queries whatever the row count (select_related/prefetch_related),
and end their ordering with `id`. No tax arithmetic here.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, ProtectedError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from forms8829 import chain
from forms8829.filing import (
    bills_csv_import,
    ledger_archive_restore,
    ledger_file_import,
    ledger_write,
    tax_year_file,
    tax_year_reopen,
)
from forms8829.rules import UnsupportedYearError, rules_for
from forms8829.served import year_forms_served
from forms8829.statement_writes import (
    inbox_rules_apply,
    statement_file_import,
    statement_file_upload,
    statement_row_decide,
)
from interface.api import filters
from interface.api import serializers as s
from interface.api import statement_serializers as ss
from interface.api.exceptions import Conflict, error_body, report_refused
from interface.api.parsers import JSONParser, LedgerFileParser, RequestTooLarge, read_body
from interface.api.schema import ERROR, YEAR_PARAMETER, errors, resource_schema
from interface.api.throttling import ClientScopedRateThrottle
from interface.lockout import lockout_response
from interface.paging import BillPagination
from interface.views import receipt_response
from ledger import services
from ledger.bill_import import CSV_MAX_BYTES
from ledger.ledger_archive import is_ledger_archive, ledger_archive_write
from ledger.ledger_file import LedgerFileError, ledger_file_parse
from ledger.ledger_stream import ledger_file_chunks
from ledger.models import (
    Bill,
    Business,
    BusinessShare,
    Home,
    Improvement,
    OfficeArea,
    Receipt,
    TaxYear,
    TaxYearHome,
)
from ledger.resources import BillResource
from ledger.statement_import import StatementError
from ledger.statement_inbox import inbox_items
from ledger.statement_models import (
    BillSchedule,
    PayeeRule,
    StatementAccount,
    StatementImport,
    StatementRow,
)
from ledger.statements.layouts import Layout
from review.support import support_package_chunks

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}


def flag(request, name: str) -> bool:
    """A yes/no query parameter (`?dry_run=1`); anything else is a 400."""
    value = request.query_params.get(name, "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValidationError({name: [f"'{value}' is not yes or no; use 1 or 0."]})


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CSVParser(BaseParser):
    """A `text/csv` request body, handed over as bytes."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return read_body(stream, CSV_MAX_BYTES, "The CSV")


class FileResponseMixin:
    """Endpoints that answer a file never refuse a client's Accept header (errors are JSON)."""

    # The viewset actions that answer a file; None: every request of the view does.
    file_actions: tuple[str, ...] | None = None

    def perform_content_negotiation(self, request, force=False):
        if self.file_actions is None or getattr(self, "action", None) in self.file_actions:
            force = True
        return super().perform_content_negotiation(request, force=force)


# --------------------------------------------------------------------------------------------
# Resources


class OwnedModelViewSet(viewsets.ModelViewSet):
    """A resource of the request user's own records, with history-tracked atomic writes."""

    model: type = None
    select: tuple[str, ...] = ()
    prefetch: tuple = ()
    ordering: tuple[str, ...] = ("id",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        queryset = self.model.objects.owned_by(self.request.user)
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset.order_by(*self.ordering)

    # Each write is one batch of the user's ledger: the filed-year rule is checked once, under
    # the user's lock, and the stored forms are refreshed in the same transaction.
    def perform_create(self, serializer):
        with ledger_write(owner=self.request.user, since_year=self.since_year(None, serializer)):
            serializer.save()

    def perform_update(self, serializer):
        since = self.since_year(serializer.instance, serializer)
        with ledger_write(owner=self.request.user, since_year=since):
            serializer.save()

    def perform_destroy(self, instance):
        instance._history_user = self.request.user
        with ledger_write(owner=self.request.user, since_year=self.since_year(instance, None)):
            instance.delete()

    def since_year(self, instance, serializer) -> int | None:
        """The first tax year the write can change, when only that year and later ones need
        computing again (`ledger_write`); None: every year."""
        return None


HISTORY_HIDDEN = ("created_at", "updated_at", "owner")
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _plain(value):
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    return value


class HistoryMixin:
    """GET …/{id}/history/: the record's simple-history, newest first, with what changed."""

    @extend_schema(
        responses={200: s.HistoryRecordSerializer(many=True), **errors(401, 404)},
        parameters=[OpenApiParameter("page", int, description="A page number.")],
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        record = self.get_object()
        entries, previous = [], None
        for version in record.history.select_related("history_user").order_by(
            "history_date", "history_id"
        ):
            changes = []
            if previous is not None and version.history_type == "~":
                delta = version.diff_against(previous, excluded_fields=HISTORY_HIDDEN)
                changes = [
                    {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)}
                    for c in sorted(delta.changes, key=lambda c: c.field)
                ]
            entries.append(
                {
                    "history_id": version.history_id,
                    "date": version.history_date,
                    "user": version.history_user.get_username() if version.history_user else None,
                    "type": HISTORY_TYPES.get(version.history_type, version.history_type),
                    "changed_fields": [c["field"] for c in changes],
                    "changes": changes,
                    "change_reason": version.history_change_reason,
                }
            )
            previous = version
        entries.reverse()
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.HistoryRecordSerializer(page, many=True).data)


@resource_schema("businesses", s.BusinessSerializer)
class BusinessViewSet(HistoryMixin, OwnedModelViewSet):
    """Your businesses: each one's kind says where its deduction goes; an office area names the
    business that uses it. Listed in the order they were made: the first is the one an office
    area without a business goes to."""

    model = Business
    serializer_class = s.BusinessSerializer
    ordering_fields = ("name", "kind", "created_at", "id")

    def perform_destroy(self, instance):
        try:
            super().perform_destroy(instance)
        except ProtectedError as exc:
            areas = sorted(str(area.name) for area in exc.protected_objects)
            raise Conflict(
                f"The business '{instance.name}' is used by {len(areas)} office area(s) "
                f"({', '.join(areas)}); give them another business (PATCH "
                "/api/office-areas/{id}/ with a business) or delete them first."
            ) from exc


@resource_schema("homes", s.HomeSerializer)
class HomeViewSet(HistoryMixin, OwnedModelViewSet):
    """Your homes: area, ownership, basis (owners), occupancy."""

    model = Home
    serializer_class = s.HomeSerializer
    ordering = ("name", "id")
    ordering_fields = ("name", "key", "total_area", "created_at", "id")

    @extend_schema(
        tags=["forms"],
        responses={200: s.DepreciationLedgerSerializer, **errors(400, 401, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def depreciation(self, request, pk=None):
        """The home's depreciation by year (line 42 allowable, what line 33 allowed)."""
        home = self.get_object()
        ledger = chain.depreciation_ledger(owner=request.user, home=home)
        return Response(s.DepreciationLedgerSerializer(ledger).data)


@resource_schema("homes", s.OfficeAreaSerializer)
class OfficeAreaViewSet(HistoryMixin, OwnedModelViewSet):
    """The parts of a home used for business, with their dates (filter: ?home=)."""

    model = OfficeArea
    serializer_class = s.OfficeAreaSerializer
    filterset_class = filters.OfficeAreaFilter
    ordering = ("home_id", "start", "id")
    ordering_fields = ("home", "start", "end", "area", "id")


@resource_schema("homes", s.ImprovementSerializer)
class ImprovementViewSet(OwnedModelViewSet):
    """Improvements of an owned home, depreciated from their date (filter: ?home=)."""

    model = Improvement
    serializer_class = s.ImprovementSerializer
    filterset_class = filters.ImprovementFilter
    ordering = ("home_id", "placed_in_service", "id")
    ordering_fields = ("home", "placed_in_service", "cost", "id")


@resource_schema("bills", s.BillSerializer)
class BillViewSet(FileResponseMixin, HistoryMixin, OwnedModelViewSet):
    """Bills paid for a home; a bill belongs to the tax year of its payment date."""

    model = Bill
    serializer_class = s.BillSerializer
    filterset_class = filters.BillFilter
    prefetch = (Prefetch("receipts", queryset=Receipt.objects.only("id", "bill_id")),)
    ordering = ("-paid_on", "-id")
    ordering_fields = ("paid_on", "amount", "payee", "category", "created_at", "id")
    file_actions = ("export_csv",)
    # `?page=N` as before; `?cursor=` pages a large ledger by position (interface.paging).
    pagination_class = BillPagination

    def since_year(self, instance, serializer) -> int | None:
        """A bill counts in the tax year of its payment only: the years before the earlier of
        its year before and after the write are unchanged."""
        years = [instance.tax_year] if instance is not None else []
        if serializer is not None:
            paid_on = serializer.validated_data.get("paid_on")
            years.append(paid_on.year if paid_on else instance.tax_year)
        return min(years)

    @extend_schema(
        tags=["bills"],
        summary="Import bills from CSV (all or nothing)",
        description="Columns: home (key or name), paid_on, payee, category, amount, scope, "
        "business_use_percent, service_start, service_end, note. Send a multipart `file` or a "
        "`text/csv` body. A repeated bill is reported and skipped; any error saves nothing.",
        parameters=[
            OpenApiParameter("dry_run", bool, description="Check and preview; save nothing.")
        ],
        request={
            "multipart/form-data": s.BillImportUploadSerializer,
            "text/csv": OpenApiTypes.STR,
        },
        responses={
            200: OpenApiResponse(s.BillImportReportSerializer, description="Dry run preview."),
            201: OpenApiResponse(s.BillImportReportSerializer, description="Bills created."),
            400: OpenApiResponse(
                ERROR,
                description="Nothing was saved: bad input, or row errors, when the report "
                "(`dry_run`, `ok`, `created`, `rows`, `errors`, `duplicates`) stands beside "
                "`detail` and `code`.",
            ),
            **errors(401, 409, 413),
        },
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, CSVParser],
    )
    def import_csv(self, request):
        dry_run = flag(request, "dry_run")
        if isinstance(request.data, bytes):
            data = request.data
        else:
            upload = request.data.get("file") if hasattr(request.data, "get") else None
            if upload is None or not hasattr(upload, "read"):
                raise ValidationError({"file": ["Send the CSV as a file or a text/csv body."]})
            if upload.size > CSV_MAX_BYTES:
                raise RequestTooLarge(
                    {"file": [f"The CSV is {upload.size:,} bytes; the limit is {CSV_MAX_BYTES:,}."]}
                )
            data = upload.read()
        report = bills_csv_import(owner=request.user, data=data, dry_run=dry_run)
        body = s.BillImportReportSerializer(report).data
        if not report.ok:
            return report_refused(body, body["errors"])
        return Response(body, status=status.HTTP_201_CREATED if report.created else 200)

    @extend_schema(
        tags=["bills"],
        operation_id="bills_export_csv",
        summary="Export bills as CSV (the import's columns; the list's filters apply)",
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            **errors(400, 401, 404),
        },
    )
    def export_csv(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        queryset = queryset.select_related("home").prefetch_related(None)
        # Written as the bills are read: memory and the time to the first byte do not grow
        # with the ledger.
        chunks = BillResource(owner=request.user).csv_chunks(queryset)
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        return attachment(response, "bills.csv")


@resource_schema("receipts", s.ReceiptSerializer, writable=False)
class ReceiptViewSet(FileResponseMixin, OwnedModelViewSet):
    """Receipts are added (multipart upload) and deleted, never edited."""

    model = Receipt
    serializer_class = s.ReceiptSerializer
    filterset_class = filters.ReceiptFilter
    ordering = ("bill_id", "id")
    ordering_fields = ("bill", "created_at", "size", "id")
    http_method_names = ["get", "post", "delete", "head", "options"]
    parser_classes = [MultiPartParser]
    file_actions = ("download",)

    def get_serializer_class(self):
        if self.action == "create":
            return s.ReceiptUploadSerializer
        return s.ReceiptSerializer

    @extend_schema(
        tags=["receipts"],
        request={"multipart/form-data": s.ReceiptUploadSerializer},
        responses={201: s.ReceiptSerializer, **errors(400, 401, 404, 409, 413)},
        description="Attach a receipt to a bill. The file's type is decided by its content "
        "(PDF, PNG, JPEG, WebP or HEIC) and its size is limited; a file you already stored is "
        "answered 409 naming the receipt that holds it.",
    )
    def create(self, request, *args, **kwargs):
        self._refuse_oversize_upload(request)
        upload = s.ReceiptUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        bill, file = upload.validated_data["bill"], upload.validated_data["file"]
        info = services.receipt_inspect(file=file)
        existing = services.receipt_duplicate_of(owner=request.user, sha256=info.sha256)
        if existing is not None:
            raise Conflict(
                {
                    "file": [
                        f"This file is already stored as receipt {existing.pk} "
                        f"('{existing.original_name}') of the bill {existing.bill}."
                    ]
                },
                extra={"existing_receipt": existing.pk},
            )
        with ledger_write(owner=request.user):
            receipt = services.receipt_create(
                bill=bill, file=file, original_name=file.name, allow_duplicate=True
            )
        return Response(s.ReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _refuse_oversize_upload(request) -> None:
        """Answer a body far above the receipt limit before it is read and stored."""
        limit = settings.RECEIPT_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + 64 * 1024:  # room for the multipart envelope and the other fields
            raise RequestTooLarge(
                {"file": [f"The upload is {length:,} bytes; the limit is {limit:,} bytes."]}
            )

    @extend_schema(
        tags=["receipts"],
        responses={
            **{
                (200, content_type): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The stored file, as an attachment with its checked content "
                    "type (decided by its content at upload).",
                )
                for content_type in services.RECEIPT_TYPES
            },
            **errors(401, 404),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        receipt = self.get_object()
        try:
            return receipt_response(receipt)
        except FileNotFoundError as exc:
            raise NotFound(f"The file of receipt {receipt.pk} is missing from storage.") from exc


@resource_schema("tax years", s.TaxYearSerializer)
class TaxYearViewSet(HistoryMixin, OwnedModelViewSet):
    """Tax years: filing status, Line 11 Worksheet inputs; filed years are read-only."""

    model = TaxYear
    serializer_class = s.TaxYearSerializer
    filterset_class = filters.TaxYearFilter
    prefetch = (Prefetch("homes", queryset=TaxYearHome.objects.only("id", "tax_year_id")),)
    ordering = ("-year", "id")
    ordering_fields = ("year", "id")

    @extend_schema(
        tags=["tax years"],
        request=None,
        responses={200: s.TaxYearSerializer, **errors(400, 401, 404, 409)},
        description="File the year: compute its forms one last time and lock it.",
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        tax_year = self.get_object()
        tax_year._history_user = request.user
        tax_year_file(tax_year=tax_year)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        tags=["tax years"],
        request=s.ReopenSerializer,
        responses={200: s.TaxYearSerializer, **errors(400, 401, 404, 409)},
        description="Reopen a filed year; the reason is kept in the year's history. A year "
        "that is not filed is a 409.",
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        tax_year = self.get_object()
        body = s.ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tax_year._history_user = request.user
        tax_year_reopen(tax_year=tax_year, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_object()).data)


@resource_schema("tax years", s.TaxYearHomeSerializer)
class TaxYearHomeViewSet(OwnedModelViewSet):
    """Per-home inputs of a tax year: method, gross income limit, daycare, casualty."""

    model = TaxYearHome
    serializer_class = s.TaxYearHomeSerializer
    filterset_class = filters.TaxYearHomeFilter
    select = ("tax_year",)
    prefetch = (
        Prefetch("business_shares", queryset=BusinessShare.objects.only("id", "tax_year_home_id")),
    )
    ordering = ("tax_year_id", "home_id", "id")
    ordering_fields = ("tax_year", "home", "id")


@resource_schema("tax years", s.BusinessShareSerializer)
class BusinessShareViewSet(OwnedModelViewSet):
    """A home's deduction in a tax year split among the businesses that use it, as you choose
    (filter: ?tax_year_home=, ?business=). Without shares it is split by each business's part
    of the business area; with them, they must name every such business and add up to 100%."""

    model = BusinessShare
    serializer_class = s.BusinessShareSerializer
    filterset_class = filters.BusinessShareFilter
    select = ("tax_year_home__tax_year", "business")
    ordering = ("tax_year_home_id", "business_id", "id")
    ordering_fields = ("tax_year_home", "business", "percent", "id")


# --------------------------------------------------------------------------------------------
# Computed: forms, method comparison, carryover chain


def tax_year_of(user, year: int) -> TaxYear:
    """The user's tax year `year`: 400 when the year is not supported, 404 when not in the
    ledger."""
    try:
        rules_for(year)
    except UnsupportedYearError as exc:
        raise ValidationError({"year": [str(exc)]}) from exc
    tax_year = TaxYear.objects.owned_by(user).filter(year=year).first()
    if tax_year is None:
        raise NotFound(
            f"There is no tax year {year} in your ledger. Add it (POST /api/tax-years/) with "
            "each home's inputs to compute its Form 8829."
        )
    return tax_year


def form_output(form, warnings: list[str]) -> dict:
    return {**form.output, "warnings": list(warnings)}


class FormsYearView(APIView):
    @extend_schema(
        tags=["forms"],
        operation_id="forms_year",
        summary="The Form 8829 of each home of a year",
        parameters=[YEAR_PARAMETER],
        responses={200: s.FormOutputSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, year: int):
        served = year_forms_served(owner=request.user, year=year)  # 1 query, no model built
        if served is not None:
            outputs, warnings = served
            return Response([{**output, "warnings": warnings} for output in outputs])
        tax_year_of(request.user, year)
        result = chain.year_forms(owner=request.user, year=year)
        return Response([form_output(form, result.warnings) for form in result.forms])


class FormHomeView(APIView):
    @extend_schema(
        tags=["forms"],
        operation_id="forms_year_home",
        summary="The Form 8829 of one home in a year",
        parameters=[
            YEAR_PARAMETER,
            OpenApiParameter("home_id", int, OpenApiParameter.PATH, description="A home's id."),
        ],
        responses={200: s.FormOutputSerializer, **errors(400, 401, 404)},
    )
    def get(self, request, year: int, home_id: int):
        tax_year_of(request.user, year)
        if not Home.objects.owned_by(request.user).filter(pk=home_id).exists():
            raise NotFound(f"There is no home {home_id} in your ledger.")
        result = chain.year_forms(owner=request.user, year=year)
        form = next((f for f in result.forms if f.home_id == home_id), None)
        if form is None:
            raise NotFound(f"Home {home_id} has no Form 8829 in {year} (no business use).")
        return Response(form_output(form, result.warnings))


class MethodComparisonView(APIView):
    @extend_schema(
        tags=["forms"],
        operation_id="forms_method_comparison",
        summary="Regular versus simplified method, per home of a year",
        parameters=[YEAR_PARAMETER],
        responses={200: s.MethodComparisonSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request, year: int):
        tax_year_of(request.user, year)
        comparisons = chain.method_comparison(owner=request.user, year=year)
        return Response(s.MethodComparisonSerializer(comparisons, many=True).data)


class CarryoverChainView(APIView):
    @extend_schema(
        tags=["forms"],
        operation_id="carryovers",
        summary="The carryover chain across all your tax years",
        responses={200: s.ChainYearSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request):
        years = chain.chain_compute(owner=request.user)
        return Response(s.ChainYearSerializer(years, many=True).data)


class SupportPackageView(FileResponseMixin, APIView):
    @extend_schema(
        tags=["tax years"],
        operation_id="tax_year_support_zip",
        summary="The tax-support package of a year (form PDF, bills per line, receipts)",
        parameters=[YEAR_PARAMETER],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(400, 401, 404),
        },
    )
    def get(self, request, year: int):
        tax_year_of(request.user, year)
        # Written as it goes (review.support): memory does not grow with the year's bills.
        chunks = support_package_chunks(owner=request.user, year=year)
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        return attachment(response, f"form8829-{year}-support.zip")


# --------------------------------------------------------------------------------------------
# The ledger file, and the token


class LedgerExportView(FileResponseMixin, APIView):
    @extend_schema(
        tags=["ledger file"],
        operation_id="ledger_export",
        summary="Your whole ledger as a homeoffice-ledger/1 file",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The ledger file (JSON)."),
            **errors(401),
        },
    )
    def get(self, request):
        # Written as the ledger is read (`ledger.ledger_stream`): the bytes json.dumps(indent=2)
        # would give, in memory that does not grow with the ledger.
        chunks = ledger_file_chunks(owner=request.user, ensure_ascii=True)
        response = StreamingHttpResponse(chunks, content_type="application/json")
        return attachment(response, "ledger.json")


class LedgerArchiveExportView(FileResponseMixin, APIView):
    @extend_schema(
        tags=["ledger file"],
        operation_id="ledger_export_archive",
        summary="Your ledger archive: the ledger file and every receipt's file, as a ZIP",
        description="`ledger.json` (the homeoffice-ledger/1 file) and `receipts/<sha256>.<ext>` "
        "for each receipt it lists; POST it to /api/ledger/import/ to restore the whole ledger.",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The ledger archive."
            ),
            (409, "application/json"): OpenApiResponse(
                ERROR,
                description="A receipt's stored file is missing; nothing was exported.",
            ),
            **errors(401),
        },
    )
    def get(self, request):
        # A ZIP written as it goes needs a file it can seek in: a temporary one, on disk past
        # a few megabytes, then sent in chunks.
        spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
        try:
            ledger_archive_write(owner=request.user, out=spooled)
        except LedgerFileError as exc:
            spooled.close()
            body = error_body({"errors": exc.errors}, exc, status.HTTP_409_CONFLICT)
            return Response(body, status=status.HTTP_409_CONFLICT)
        except BaseException:
            spooled.close()
            raise
        spooled.seek(0)
        response = FileResponse(spooled, content_type="application/zip")
        return attachment(response, "ledger.zip")


class LedgerImportView(APIView):
    parser_classes = [LedgerFileParser, MultiPartParser]

    @extend_schema(
        tags=["ledger file"],
        operation_id="ledger_import",
        summary="Load a homeoffice-ledger/1 file or a ledger archive into your ledger "
        "(all or nothing)",
        description="Send the ledger file as a JSON body or a multipart `file`, or the ledger "
        "archive (GET /api/ledger/export.zip) as a multipart `file`: a ZIP is recognized by its "
        "content and brings its receipts' files, each checked like an upload. A JSON file that "
        "lists receipts whose files you do not have here is refused naming each, unless "
        "`without_receipts` leaves them out.",
        parameters=[
            OpenApiParameter(
                "replace", bool, description="Replace your whole ledger with the file's."
            ),
            OpenApiParameter(
                "without_receipts",
                bool,
                description="JSON file only: leave out the receipts it lists.",
            ),
        ],
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": s.LedgerImportUploadSerializer,
        },
        responses={
            201: s.LedgerImportSummarySerializer,
            400: OpenApiResponse(
                ERROR, description="Every problem in `errors`; nothing was changed."
            ),
            **errors(401, 409, 413),
        },
    )
    def post(self, request):
        replace = flag(request, "replace")
        without_receipts = flag(request, "without_receipts")
        data, archive = request.data, None
        if hasattr(data, "getlist"):  # multipart: the file is an upload
            upload = data.get("file")
            if not hasattr(upload, "read"):
                raise ValidationError(
                    {"errors": ["file: send the ledger file as a JSON body or a multipart `file`."]}
                )
            head = upload.read(4)
            upload.seek(0)
            if is_ledger_archive(head):  # told apart by content, whatever its name
                archive = upload
            else:
                data = _ledger_json(upload)
        if archive is not None and without_receipts:
            raise ValidationError(
                {
                    "errors": [
                        "without_receipts: the file is a ledger archive, which brings its "
                        "receipts' files; leave without_receipts out."
                    ]
                }
            )
        try:
            if archive is not None:
                summary = ledger_archive_restore(owner=request.user, data=archive, replace=replace)
            else:
                summary = ledger_file_import(
                    owner=request.user,
                    data=data,
                    replace=replace,
                    without_receipts=without_receipts,
                )
        except LedgerFileError as exc:
            set_rollback()
            body = error_body({"errors": exc.errors}, exc, status.HTTP_400_BAD_REQUEST)
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        body = {**summary.__dict__, "summary": str(summary)}
        return Response(s.LedgerImportSummarySerializer(body).data, status=status.HTTP_201_CREATED)


def _ledger_json(upload):
    try:  # as `manage.py import_ledger` reads the same file
        return ledger_file_parse(upload.read(), name="file")
    except LedgerFileError as exc:
        raise ValidationError({"errors": exc.errors}) from exc


class TokenSerializer(drf_serializers.Serializer):
    token = drf_serializers.CharField()


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, get the API token (`Authorization: Token <token>`)."""

    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "auth-token"
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token",
        request=ObtainAuthToken.serializer_class,
        responses={200: TokenSerializer, **errors(400, 413, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request it was handed (this DRF request) when the login is
            # locked out; its middleware only sees Django's request, so the answer is made here.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise


# --------------------------------------------------------------------------------------------
# Bank and card statements (issue 12): accounts, payee rules, recurring bills, statement files
# (upload, preview, confirm), statement lines and the inbox. Every write is a write batch of
# `forms8829.statement_writes` (409 for a filed year); the work is `ledger.statement_import`.


@resource_schema("statements", ss.StatementAccountSerializer)
class StatementAccountViewSet(OwnedModelViewSet):
    """Accounts statements come from, each with its confirmed CSV layout."""

    model = StatementAccount
    serializer_class = ss.StatementAccountSerializer
    ordering = ("name", "id")
    ordering_fields = ("name", "id")


@resource_schema("statements", ss.PayeeRuleSerializer)
class PayeeRuleViewSet(OwnedModelViewSet):
    """Payee rules, tried in `position` order on every import: a match (contains, starts with,
    regex; amount range; account) and a bill to make, or ignore."""

    model = PayeeRule
    serializer_class = ss.PayeeRuleSerializer
    select = ("account", "home")
    ordering = ("position", "id")
    ordering_fields = ("position", "id")


@resource_schema("statements", ss.BillScheduleSerializer)
class BillScheduleViewSet(OwnedModelViewSet):
    """Recurring bills: what is missing names their months without a bill; the inbox suggests
    them."""

    model = BillSchedule
    serializer_class = ss.BillScheduleSerializer
    select = ("home",)
    ordering = ("payee", "id")
    ordering_fields = ("payee", "id")


def _statement_choices(request) -> dict:
    body = ss.StatementChoicesSerializer(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    data = body.validated_data
    layout = data.get("layout")
    return {
        "account": data.get("account"),
        "account_name": data.get("account_name") or "",
        "layout": Layout.from_dict(layout) if layout else None,
    }


def _statement_response(result, *, created: bool) -> Response:
    body = ss.StatementReportSerializer(ss.statement_report(result)).data
    if not result.ok:
        return report_refused(body, body["problems"])
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


STATEMENT_REPORT = {
    400: OpenApiResponse(
        ERROR,
        description="Nothing was saved: bad input, or a file that cannot be read, when the "
        "report (`problems` and the rest) stands beside `detail` and `code`.",
    ),
    **errors(401, 404, 409),
}


@extend_schema_view(
    list=extend_schema(
        tags=["statements"], responses={200: ss.StatementFileSerializer, **errors(400, 401, 404)}
    ),
    retrieve=extend_schema(
        tags=["statements"], responses={200: ss.StatementFileSerializer, **errors(401, 404)}
    ),
    destroy=extend_schema(tags=["statements"], responses={204: None, **errors(401, 404, 409)}),
)
class StatementFileViewSet(OwnedModelViewSet):
    """Statement files: upload (a preview comes back), preview again with choices, confirm."""

    model = StatementImport
    serializer_class = ss.StatementFileSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    parser_classes = [MultiPartParser]  # the upload; preview and confirm take JSON
    ordering = ("-created_at", "-id")
    ordering_fields = ("created_at", "id")

    def get_queryset(self):
        return super().get_queryset().defer("content")

    @extend_schema(
        tags=["statements"],
        summary="Upload a statement (CSV or OFX); answers its preview (a dry run)",
        request={"multipart/form-data": ss.StatementUploadSerializer},
        responses={201: ss.StatementReportSerializer, **STATEMENT_REPORT},
    )
    def create(self, request, *args, **kwargs):
        upload = ss.StatementUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            pending = statement_file_upload(
                owner=request.user,
                data=file.read(),
                file_name=file.name,
                account=upload.validated_data.get("account"),
            )
        except StatementError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        result = statement_file_import(upload=pending, dry_run=True, user=request.user)
        response = _statement_response(result, created=False)
        if result.ok:
            response.status_code = status.HTTP_201_CREATED
        return response

    def perform_destroy(self, instance):
        if instance.status != StatementImport.Status.PENDING:
            raise Conflict(
                "An imported statement stays: its lines are what repeats are checked against. "
                "Delete the bills it made instead."
            )
        super().perform_destroy(instance)

    def _pending(self):
        upload = self.get_object()
        if upload.status != StatementImport.Status.PENDING:
            raise Conflict(f"{upload.file_name} is already imported.")
        return StatementImport.objects.get(pk=upload.pk)  # with its content

    @extend_schema(
        tags=["statements"],
        summary="Preview the import (a dry run: checked, filed years included, then rolled back)",
        request=ss.StatementChoicesSerializer,
        responses={200: ss.StatementReportSerializer, **STATEMENT_REPORT},
        filters=False,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def preview(self, request, pk=None):
        upload = self._pending()
        result = statement_file_import(
            upload=upload, dry_run=True, user=request.user, **_statement_choices(request)
        )
        return _statement_response(result, created=False)

    @extend_schema(
        tags=["statements"],
        summary="Import the statement, all or nothing (its layout is confirmed for its account)",
        request=ss.StatementChoicesSerializer,
        responses={201: ss.StatementReportSerializer, **STATEMENT_REPORT},
        filters=False,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def confirm(self, request, pk=None):
        upload = self._pending()
        result = statement_file_import(
            upload=upload, dry_run=False, user=request.user, **_statement_choices(request)
        )
        return _statement_response(result, created=True)


@extend_schema_view(
    list=extend_schema(
        tags=["statements"],
        responses={200: ss.StatementLineSerializer, **errors(400, 401, 404)},
        parameters=[
            OpenApiParameter("status", str, enum=["inbox", "bill", "ignored"]),
            OpenApiParameter("account", int),
        ],
    ),
    retrieve=extend_schema(
        tags=["statements"], responses={200: ss.StatementLineSerializer, **errors(401, 404)}
    ),
)
class StatementLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Every imported statement line and what it became; `?status=inbox` is the inbox."""

    serializer_class = ss.StatementLineSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatementRow.objects.none()
        rows = StatementRow.objects.owned_by(self.request.user).order_by("posted_on", "id")
        wanted = self.request.query_params.get("status", "")
        if wanted:
            if wanted not in StatementRow.Status.values:
                raise ValidationError(
                    {"status": [f"must be inbox, bill or ignored, not {wanted!r}"]}
                )
            rows = rows.filter(status=wanted)
        account = self.request.query_params.get("account", "")
        if account:
            if not account.isdigit():
                raise ValidationError({"account": ["must be an account's id"]})
            rows = rows.filter(account_id=int(account))
        return rows

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "suggestions": getattr(self, "_items", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        waiting = [row for row in rows if row.status == StatementRow.Status.INBOX]
        self._items = {
            item.row.pk: item for item in inbox_items(owner=self.request.user, rows=waiting)
        }
        return page

    @extend_schema(
        tags=["statements"],
        summary="Classify a waiting line: a bill (a credit: a refund) or ignored, maybe a rule",
        request=ss.ClassifySerializer,
        responses={200: ss.ClassifiedSerializer, **errors(400, 401, 404, 409)},
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        row = self.get_object()
        body = ss.ClassifySerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = StatementRow.objects.select_related("statement_import", "account").get(pk=row.pk)
        done = statement_row_decide(
            row=row,
            action=data["action"],
            payee=data.get("payee", ""),
            category=data.get("category", ""),
            home=data.get("home"),
            scope=data.get("scope") or Bill.Scope.INDIRECT,
            business_use_percent=data.get("business_use_percent"),
            make_rule=data.get("make_rule", False),
            user=request.user,
        )
        line = ss.StatementLineSerializer(done.row, context=self.get_serializer_context()).data
        return Response(
            {
                "line": line,
                "bill": done.bill.pk if done.bill else None,
                "rule": done.rule.pk if done.rule else None,
                "applied": done.applied,
            }
        )

    @extend_schema(
        tags=["statements"],
        summary="Run the payee rules over the inbox (credits stay, to be accepted as refunds)",
        request=None,
        responses={200: ss.AppliedSerializer, **errors(400, 401, 404, 409)},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="apply-rules")
    def apply_rules(self, request):
        return Response({"decided": inbox_rules_apply(owner=request.user, user=request.user)})
