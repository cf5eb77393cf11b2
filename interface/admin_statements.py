"""Admin for statement imports: accounts and their layouts, statement files with their preview,
payee rules, recurring bills, and the inbox.

- Statement files → "Import a statement": upload a CSV or OFX file, then its preview (read only:
  `ledger.statement_import.statement_plan`): what each line becomes and which rule decided it,
  repeats and the lines that are no transaction with their reasons, the account, and for a CSV
  without a confirmed layout the layout to confirm (mapped here in a minute: a select per role
  over the file's first rows). "Make a rule" on a line opens a rule filled in from it and
  comes back to the preview. "Import" writes it all (`forms8829.statement_writes`).
- Statement lines → "Inbox": the waiting lines with their suggestions; each is made a bill (a
  credit: a refund) or ignored, optionally "and make a rule".
- Payee rules and recurring bills: owner-scoped lists, every save a write batch.

Views hold no logic beyond reading the form; the work is in the services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from forms8829.filing import YearFiledError
from forms8829.statement_writes import (
    inbox_rules_apply,
    payee_rule_save,
    statement_file_choose,
    statement_file_import,
    statement_file_upload,
    statement_row_decide,
)
from interface.admin_ledger import OwnedModelAdmin
from ledger.fields import STATEMENT_DATE_FORMATS, DecimalFormField
from ledger.models import Bill, Home, TaxYear
from ledger.statement_import import StatementError, statement_plan
from ledger.statement_inbox import inbox_items, next_rule_position
from ledger.statement_models import (
    BillSchedule,
    PayeeRule,
    StatementAccount,
    StatementImport,
    StatementRow,
)
from ledger.statements.layouts import (
    CHARGE_SIGNS,
    ROLE_LABELS,
    ROLES,
    Layout,
    LayoutError,
    csv_rows,
    decode,
)
from ledger.statements.matching import CONTAINS, pattern_for

SAMPLE_ROWS = 6


def _money(value) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _back_to(request, default: str) -> str:
    target = request.GET.get("_return") or request.POST.get("_return") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --------------------------------------------------------------------------------------------
# Accounts


class LayoutForm(forms.Form):
    """A CSV layout as a person maps it: a column per role, the date format, the sign."""

    date_format = forms.ChoiceField(choices=[(k, k) for k in STATEMENT_DATE_FORMATS])
    charges = forms.ChoiceField(label="Sign", choices=list(CHARGE_SIGNS.items()))

    def __init__(self, *args, layout: Layout, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        choices = [("", "—")] + [(str(i), f"{i + 1}: {name}") for i, name in enumerate(columns)]
        for role in ROLES:
            self.fields[role] = forms.TypedChoiceField(
                label=ROLE_LABELS[role],
                choices=choices,
                required=role in ("date", "description"),
                coerce=int,
                empty_value=None,
            )
            self.initial.setdefault(role, getattr(layout, role))
        self.initial.setdefault("date_format", layout.date_format)
        self.initial.setdefault("charges", layout.charges)
        self.order_fields([*ROLES, "date_format", "charges"])

    def chosen(self) -> Layout:
        data = self.cleaned_data
        layout = Layout(
            header=self.layout.header,
            width=self.layout.width,
            date_format=data["date_format"],
            charges=data["charges"],
            **{role: data.get(role) for role in ROLES},
        )
        try:
            return layout.check()
        except LayoutError as exc:
            raise ValidationError(f"This layout cannot read the file: {exc}.") from None


@admin.register(StatementAccount)
class StatementAccountAdmin(OwnedModelAdmin):
    list_display = ("name", "kind", "ofx_account", "layout_display", "layout_confirmed")
    search_fields = ("name", "ofx_account")
    fields = ("name", "kind", "ofx_account", "csv_signature", "csv_layout", "layout_confirmed")
    readonly_fields = ("csv_signature",)

    @admin.display(description="CSV layout")
    def layout_display(self, obj):
        layout = obj.layout
        if layout is None:
            return "—"
        return "; ".join(f"{role}: {column}" for role, column in layout.described())


# --------------------------------------------------------------------------------------------
# Statement files: upload, preview, import


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV or OFX (.ofx, .qfx) file as your bank gives it.")
    account = forms.ModelChoiceField(
        queryset=StatementAccount.objects.none(),
        required=False,
        help_text="Leave blank: an OFX file names its account, and a CSV of an account whose "
        "layout you confirmed is recognized by its header; otherwise a new account is made.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = StatementAccount.objects.owned_by(owner)


class AccountChoiceForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=StatementAccount.objects.none(),
        required=False,
        empty_label="A new account",
    )
    account_name = forms.CharField(
        required=False, max_length=100, label="New account's name", strip=True
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = StatementAccount.objects.owned_by(owner)


@admin.register(StatementImport)
class StatementImportAdmin(OwnedModelAdmin):
    list_display = ("file_name", "account", "status", "first_day", "last_day", "preview_link")
    list_filter = ("status", "file_format")
    list_select_related = ("account",)
    fields = ("file_name", "account", "status", "first_day", "last_day", "report")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.display(description="")
    def preview_link(self, obj):
        if obj.status != StatementImport.Status.PENDING:
            return ""
        return format_html('<a href="{}">Preview and import</a>', self._preview_url(obj.pk))

    def _preview_url(self, pk: int) -> str:
        return reverse("admin:ledger_statementimport_preview", args=[pk])

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/preview/",
                view(self.preview_view),
                name="ledger_statementimport_preview",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a statement file; its preview comes next."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, owner=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                pending = statement_file_upload(
                    owner=request.user,
                    data=upload.read(),
                    file_name=upload.name,
                    account=form.cleaned_data["account"],
                )
            except StatementError as exc:
                form.add_error("file", str(exc))
            else:
                return HttpResponseRedirect(self._preview_url(pending.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a bank or card statement",
            "form": form,
        }
        return TemplateResponse(request, "admin/ledger/statementimport/upload.html", context)

    def preview_view(self, request, object_id: int):
        upload = get_object_or_404(
            self.get_queryset(request).defer(None), pk=object_id, owner=request.user
        )
        if upload.status != StatementImport.Status.PENDING:
            self.message_user(request, f"{upload.file_name} is already imported.", messages.INFO)
            return HttpResponseRedirect(reverse("admin:ledger_statementrow_inbox"))
        here = self._preview_url(upload.pk)
        layout_form = None
        if request.method == "POST":
            return self._preview_post(request, upload, here)
        plan = statement_plan(upload=upload)
        account_form = AccountChoiceForm(
            owner=request.user,
            initial={"account": plan.account, "account_name": plan.account_name},
        )
        if plan.layout is not None and not plan.layout_confirmed:
            layout_form = LayoutForm(
                prefix="layout", layout=plan.layout, columns=_columns(plan.layout)
            )
        filed = sorted(
            TaxYear.objects.owned_by(request.user)
            .filter(filed=True, year__in=plan.years)
            .values_list("year", flat=True)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {upload.file_name}",
            "upload": upload,
            "plan": plan,
            "rows": [_preview_row(line, here) for line in plan.lines],
            "counts": plan.counts(),
            "sample": _sample(upload),
            "layout_form": layout_form,
            "account_form": account_form,
            "filed_years": filed,
        }
        return TemplateResponse(request, "admin/ledger/statementimport/preview.html", context)

    def _preview_post(self, request, upload, here: str):
        if "ignore_like" in request.POST:
            return self._ignore_like(request, upload, here)
        account_form = AccountChoiceForm(request.POST, owner=request.user)
        account_form.is_valid()
        account = account_form.cleaned_data.get("account")
        account_name = account_form.cleaned_data.get("account_name") or ""
        layout = None
        if "layout-date" in request.POST:
            plan = statement_plan(upload=upload)
            if plan.layout is not None:
                form = LayoutForm(
                    request.POST, prefix="layout", layout=plan.layout, columns=_columns(plan.layout)
                )
                try:
                    if form.is_valid():
                        layout = form.chosen()
                    else:
                        raise ValidationError(
                            " ".join(str(e) for errors in form.errors.values() for e in errors)
                        )
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                    return HttpResponseRedirect(here)
        try:
            if "import" in request.POST:
                result = statement_file_import(
                    upload=upload,
                    dry_run=False,
                    user=request.user,
                    account=account,
                    layout=layout,
                    account_name=account_name,
                )
                if not result.ok:
                    self.message_user(request, "The file has problems; nothing was imported.")
                    return HttpResponseRedirect(here)
                counts = result.plan.counts()
                self.message_user(
                    request,
                    f"Imported {result.plan.account}: {result.created_bills} bill(s), "
                    f"{counts['ignore']} ignored, {counts['inbox'] + counts['refund']} in the "
                    f"inbox, {counts['repeat']} already imported (skipped), "
                    f"{counts['existing']} already in your ledger.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:ledger_statementrow_inbox"))
            statement_file_choose(
                upload=upload, account=account, layout=layout, account_name=account_name
            )
        except YearFiledError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return HttpResponseRedirect(here)

    def _ignore_like(self, request, upload, here: str):
        """One click on a preview line: a rule that ignores the lines like it."""
        description = request.POST.get("ignore_like", "")[:200]
        rule = PayeeRule(
            owner=request.user,
            position=next_rule_position(request.user),
            match=CONTAINS,
            pattern=pattern_for(description),
            action=PayeeRule.Action.IGNORE,
        )
        try:
            payee_rule_save(rule=rule)
        except (ValidationError, YearFiledError) as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, f"Rule “{rule}” added.", messages.SUCCESS)
        return HttpResponseRedirect(here)


def _columns(layout: Layout) -> list[str]:
    if layout.header:
        return list(layout.header)
    return [f"column {i + 1}" for i in range(layout.width)]


def _sample(upload) -> list[tuple[int, list[str]]]:
    if upload.file_format != "csv":
        return []
    return csv_rows(decode(bytes(upload.content)))[: SAMPLE_ROWS + 8]


def _preview_row(line, here: str) -> dict:
    bill = line.bill
    rule_url = None
    if line.outcome in ("inbox", "refund") or (line.outcome == "ignore" and not line.rule):
        initial = {
            "match": CONTAINS,
            "pattern": pattern_for(line.description),
            "payee": bill.payee if bill else pattern_for(line.description).title(),
            "category": bill.category if bill else None,
            "_return": here,
        }
        query = "&".join(f"{k}={_quote(v)}" for k, v in initial.items() if v not in (None, ""))
        rule_url = f"{reverse('admin:ledger_payeerule_add')}?{query}"
    return {
        "line": line,
        "amount": _money(line.amount),
        "bill": bill,
        "category": Bill.Category(bill.category).label if bill else "",
        "rule_url": rule_url,
    }


def _quote(value) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


# --------------------------------------------------------------------------------------------
# Payee rules and recurring bills


@admin.register(PayeeRule)
class PayeeRuleAdmin(OwnedModelAdmin):
    list_display = (
        "position",
        "match",
        "pattern",
        "account",
        "amount_min",
        "amount_max",
        "action",
        "payee",
        "category",
        "home",
        "business_use_percent",
    )
    list_display_links = ("pattern",)
    list_editable = ("position",)
    list_filter = ("action", "category", "account")
    list_select_related = ("account", "home")
    search_fields = ("pattern", "payee")
    actions = ["apply_to_inbox"]
    fieldsets = (
        (
            "Match",
            {"fields": ("position", "match", "pattern", "account", ("amount_min", "amount_max"))},
        ),
        (
            "Outcome",
            {"fields": ("action", "payee", "category", "home", "scope", "business_use_percent")},
        ),
    )

    def response_add(self, request, obj, post_url_continue=None):
        if "_return" in request.GET and "_addanother" not in request.POST:
            self.message_user(request, f"Rule “{obj}” added.", messages.SUCCESS)
            return HttpResponseRedirect(_back_to(request, reverse("admin:index")))
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description="Apply the rules to the inbox")
    def apply_to_inbox(self, request, queryset):
        decided = inbox_rules_apply(owner=request.user, user=request.user)
        self.message_user(request, f"The rules decided {decided} line(s) of the inbox.")


@admin.register(BillSchedule)
class BillScheduleAdmin(OwnedModelAdmin):
    list_display = (
        "payee",
        "category",
        "home",
        "expected_day",
        "amount_kind",
        "amount",
        "starts_on",
        "ends_on",
    )
    list_filter = ("category", "home")
    list_select_related = ("home",)
    search_fields = ("payee", "match")


# --------------------------------------------------------------------------------------------
# Statement lines and the inbox


class ClassifyForm(forms.Form):
    action = forms.ChoiceField(choices=[("bill", "Bill"), ("ignore", "Ignore")])
    payee = forms.CharField(required=False, max_length=200)
    category = forms.ChoiceField(required=False, choices=[("", "—"), *Bill.Category.choices])
    home = forms.ModelChoiceField(queryset=Home.objects.none(), required=False)
    scope = forms.ChoiceField(choices=Bill.Scope.choices, initial=Bill.Scope.INDIRECT)
    business_use_percent = DecimalFormField(
        required=False, max_digits=5, decimal_places=2, minimum=0, maximum=100
    )
    make_rule = forms.BooleanField(required=False, label="and make a rule")

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = Home.objects.owned_by(owner)


@admin.register(StatementRow)
class StatementRowAdmin(OwnedModelAdmin):
    list_display = (
        "posted_on",
        "account",
        "description",
        "amount_display",
        "status",
        "rule",
        "bill",
        "reason",
    )
    list_filter = ("status", "account")
    list_select_related = ("account", "rule", "bill")
    search_fields = ("description", "memo")
    date_hierarchy = "posted_on"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj):
        return _money(obj.amount)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("inbox/", view(self.inbox_view), name="ledger_statementrow_inbox"),
            path(
                "<int:object_id>/classify/",
                view(self.classify_view),
                name="ledger_statementrow_classify",
            ),
            *super().get_urls(),
        ]

    def inbox_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "apply_rules" in request.POST:
            try:
                decided = inbox_rules_apply(owner=request.user, user=request.user)
            except YearFiledError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"The rules decided {decided} line(s).")
            return HttpResponseRedirect(request.path)
        items = inbox_items(owner=request.user)
        homes = list(Home.objects.owned_by(request.user))
        rows = [
            {
                "item": item,
                "amount": _money(item.row.amount),
                "form": ClassifyForm(owner=request.user, initial=_initial(item, homes)),
            }
            for item in items
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Inbox: statement lines to classify",
            "rows": rows,
            "review_years": TaxYear.objects.owned_by(request.user).order_by("-year")[:3],
        }
        return TemplateResponse(request, "admin/ledger/statementrow/inbox.html", context)

    def classify_view(self, request, object_id: int):
        inbox = reverse("admin:ledger_statementrow_inbox")
        if request.method != "POST":
            return HttpResponseRedirect(inbox)
        row = get_object_or_404(
            StatementRow.objects.select_related("statement_import", "account").defer(
                "statement_import__content"
            ),
            Q(owner=request.user),
            pk=object_id,
        )
        form = ClassifyForm(request.POST, owner=request.user)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            self.message_user(request, f"Line not classified: {errors}", messages.ERROR)
            return HttpResponseRedirect(inbox)
        data = form.cleaned_data
        try:
            done = statement_row_decide(
                row=row,
                action=data["action"],
                payee=data["payee"],
                category=data["category"],
                home=data["home"],
                scope=data["scope"],
                business_use_percent=data["business_use_percent"],
                make_rule=data["make_rule"],
                user=request.user,
            )
        except ValidationError as exc:
            self.message_user(request, "Line not classified: " + " ".join(exc.messages), "error")
            return HttpResponseRedirect(inbox)
        what = f"bill “{done.bill}”" if done.bill else "ignored"
        if done.bill is not None and done.bill.kind == Bill.Kind.REFUND:
            what = f"refund “{done.bill}”"
        text = f"{row.description}: {what}."
        if done.rule is not None:
            text += f" Rule “{done.rule}” made; it decided {done.applied} other line(s)."
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(inbox)


def _initial(item, homes) -> dict:
    outcome = item.outcome
    if outcome is None:
        only = homes[0] if len(homes) == 1 else None
        return {"payee": pattern_for(item.row.description).title(), "home": only}
    return {
        "payee": outcome.payee,
        "category": outcome.category,
        "home": outcome.home_id,
        "scope": outcome.scope,
        "business_use_percent": outcome.business_use_percent,
    }
