"""The year grid: one payee, twelve months, twelve amounts, one save (a page of the bill admin).

For monthly bills that vary (utilities, internet, rent that went up): the fields every month
shares once, then an amount per month; a blank month is skipped. The save is one write batch
(`forms8829.filing.ledger_write`): every bill is checked as the bill form checks it
(`Bill.full_clean`, amounts and dates read by `ledger.fields`), and all are saved, or none, with
each error under the month it belongs to. A month that already has a bill from the same payee
and home is named, not doubled.

Mounted by `interface.admin_ledger.BillAdmin.get_urls` at `bill/year/`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from forms8829.filing import YearFiledError, ledger_write
from ledger.checks import bill_warnings
from ledger.fields import DecimalFormField, decimal_limits
from ledger.models import Bill, Home

MONTHS = [(m, calendar.month_name[m]) for m in range(1, 13)]
SHARED = ("home", "payee", "category", "scope", "business_use_percent")


def next_month(day: dt.date) -> dt.date:
    """The same day a month later; a month's last day goes to the next month's last day."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month, last if at_end else min(day.day, last))


def _money_field(label: str) -> DecimalFormField:
    limits = decimal_limits(Bill._meta.get_field("amount"))
    return DecimalFormField(
        label=label,
        required=False,
        max_digits=limits["max_digits"],
        decimal_places=limits["decimal_places"],
        minimum=limits.get("minimum"),
        maximum=limits.get("maximum"),
    )


class YearGridForm(forms.Form):
    home = forms.ModelChoiceField(queryset=Home.objects.none())
    payee = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=Bill.Category.choices)
    scope = forms.ChoiceField(choices=Bill.Scope.choices, initial=Bill.Scope.INDIRECT)
    business_use_percent = DecimalFormField(
        label="Business use percent",
        required=False,
        max_digits=5,
        decimal_places=2,
        minimum=0,
        maximum=100,
        help_text="Required for internet and phone: the business share of the bill (0-100).",
    )
    year = forms.IntegerField(min_value=1990, max_value=2100)
    day = forms.IntegerField(
        label="Day of the month paid",
        min_value=1,
        max_value=31,
        initial=1,
        help_text="31 means the last day of each month.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        homes = Home.objects.owned_by(owner)
        self.fields["home"].queryset = homes
        if len(homes) == 1:
            self.fields["home"].initial = homes[0].pk
        self.fields["year"].initial = dt.date.today().year
        for month, name in MONTHS:
            self.fields[f"amount_{month}"] = _money_field(name)
        self.owner = owner

    def month_fields(self):
        return [(name, self[f"amount_{month}"]) for month, name in MONTHS]

    def bills(self) -> list[Bill]:
        """The bills of the months with an amount, checked as the bill form checks them."""
        data = self.cleaned_data
        year, day = data["year"], data["day"]
        bills = []
        for month, _name in MONTHS:
            amount = data.get(f"amount_{month}")
            if amount is None:
                continue
            paid_on = dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))
            bill = Bill(
                owner=self.owner,
                paid_on=paid_on,
                amount=amount,
                **{name: data[name] for name in SHARED},
            )
            try:
                bill.full_clean()
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = f"amount_{month}" if field in ("amount", "paid_on") else field
                    target = target if target in self.fields else None
                    for error in errors:
                        if target is None or error not in self.errors.get(target, []):
                            self.add_error(target, error)
            bills.append(bill)
        if not bills and not self.errors:
            self.add_error(None, "Type an amount in at least one month.")
        taken = set(
            Bill.objects.owned_by(self.owner)
            .filter(home=data["home"], payee__iexact=data["payee"].strip(), paid_on__year=year)
            .values_list("paid_on__month", flat=True)
        )
        for bill in bills:
            if bill.paid_on.month in taken:
                self.add_error(
                    f"amount_{bill.paid_on.month}",
                    f"{data['payee']} already has a bill in {bill.paid_on:%B %Y}; change that "
                    "bill in the bill list, or leave this month blank.",
                )
        return bills


def year_grid_view(model_admin, request):
    """GET: the grid (home, payee and year filled in from the query string). POST: save all."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = YearGridForm(request.POST or None, owner=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        bills = form.bills()
        if form.is_valid():  # bills() adds its errors to the form
            try:
                with ledger_write(owner=request.user):
                    for bill in bills:  # one by one: each keeps its history
                        bill.save()
            except YearFiledError as exc:
                form.add_error(None, exc.messages[0])
            else:
                total = sum(bill.amount for bill in bills)
                model_admin.message_user(
                    request,
                    f"Saved {len(bills)} bills from {form.cleaned_data['payee']} in "
                    f"{form.cleaned_data['year']}, ${total:,.2f} in all.",
                    level=messages.SUCCESS,
                )
                for warning in bill_warnings(bills[0]):
                    model_admin.message_user(request, warning, level=messages.WARNING)
                query = urlencode(
                    {"tax_year": form.cleaned_data["year"], "q": form.cleaned_data["payee"]}
                )
                return HttpResponseRedirect(f"{reverse('admin:ledger_bill_changelist')}?{query}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "A year of monthly bills",
        "form": form,
    }
    return TemplateResponse(request, "admin/ledger/bill/year_grid.html", context)
