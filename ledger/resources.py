"""The bills CSV (django-import-export): its columns, how each cell is read and written.

`BillResource(owner=user)` reads and writes one user's bills with the columns `COLUMNS`:
home (the home's key or name), paid_on, payee, category, amount, scope, business_use_percent,
service_start, service_end, note. Each widget turns a cell into a value or raises `ValueError`
with a message in plain words ("'12/03/2024' is not a date; write it as YYYY-MM-DD.").
`BillResource.read_bill` turns one CSV row into an unsaved bill with those values, running no
query after the owner's homes are loaded once; `duplicate_key` says when two bills are the same.

The import's orchestration (reading the file, line numbers, the model's checks, repeats,
all-or-nothing, the bulk insert, the report) is in `ledger.bill_import`; there is no tax
arithmetic here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from import_export import fields, resources, widgets

from ledger.ledger_file import BILL_FIELDS
from ledger.models import Bill, Home

COLUMNS = BILL_FIELDS  # the same columns, in the same order, as a bill in the ledger file
REQUIRED_COLUMNS = ("home", "paid_on", "payee", "category", "amount")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class TextWidget(widgets.Widget):
    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if self.required and not text:
            raise ValueError("is empty; it is required.")
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IsoDateWidget(widgets.Widget):
    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if not text:
            if self.required:
                raise ValueError("is empty; give the date as YYYY-MM-DD.")
            return None
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD.") from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class PlainDecimalWidget(widgets.Widget):
    """A number such as 1234.56 (a leading $ and thousands commas are allowed)."""

    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.required:
                raise ValueError("is empty; give a number such as 123.45.")
            return None
        plain = text.replace(",", "").replace("$", "", 1).strip()
        try:
            number = Decimal(plain)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(f"'{text}' is not a number.")
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class CodeChoiceWidget(widgets.Widget):
    """One of a model field's choices, by its code or its label, in any letter case."""

    def __init__(self, choices, *, what: str, default: str | None = None):
        super().__init__()
        self.what = what
        self.default = default
        self.codes = [code for code, _ in choices]
        self.lookup = {code.casefold(): code for code in self.codes}
        self.lookup.update({str(label).casefold(): code for code, label in choices})

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            if self.default is not None:
                return self.default
            raise ValueError(f"is empty; give the {self.what}: one of {', '.join(self.codes)}.")
        code = self.lookup.get(text.casefold())
        if code is None:
            raise ValueError(f"'{text}' is not a {self.what}; use one of {', '.join(self.codes)}.")
        return code

    def render(self, value, obj=None, **kwargs):
        return value or ""


class HomeWidget(widgets.Widget):
    """A home of the resource's owner, by its key or (if unambiguous) its name."""

    def __init__(self):
        super().__init__()
        self.owner = None
        self._by_key: dict[str, Home] | None = None
        self._by_name: dict[str, list[Home]] = {}

    def _load(self) -> None:
        self._by_key = {}
        for home in Home.objects.owned_by(self.owner).order_by("id"):
            self._by_key[home.key] = home
            self._by_name.setdefault(home.name.strip().casefold(), []).append(home)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            raise ValueError("is empty; give the home's key or name.")
        if self._by_key is None:
            self._load()
        if text in self._by_key:
            return self._by_key[text]
        named = self._by_name.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if named:
            keys = ", ".join(home.key for home in named)
            raise ValueError(f"{len(named)} homes are named '{text}'; use the key ({keys}).")
        raise ValueError(f"there is no home with the key or name '{text}' in your ledger.")

    def render(self, value, obj=None, **kwargs):
        return value.key if value is not None else ""


def duplicate_key(home_id, paid_on, payee: str, amount) -> tuple:
    """What makes two bills the same: home, paid date, payee (any case), amount."""
    return (home_id, paid_on, (payee or "").strip().casefold(), amount)


class BillResource(resources.ModelResource):
    home = fields.Field(attribute="home", column_name="home", widget=HomeWidget())
    paid_on = fields.Field(
        attribute="paid_on", column_name="paid_on", widget=IsoDateWidget(required=True)
    )
    payee = fields.Field(attribute="payee", column_name="payee", widget=TextWidget(required=True))
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=CodeChoiceWidget(Bill.Category.choices, what="category"),
    )
    amount = fields.Field(
        attribute="amount", column_name="amount", widget=PlainDecimalWidget(required=True)
    )
    scope = fields.Field(
        attribute="scope",
        column_name="scope",
        widget=CodeChoiceWidget(Bill.Scope.choices, what="scope", default=Bill.Scope.INDIRECT),
    )
    business_use_percent = fields.Field(
        attribute="business_use_percent",
        column_name="business_use_percent",
        widget=PlainDecimalWidget(),
    )
    service_start = fields.Field(
        attribute="service_start", column_name="service_start", widget=IsoDateWidget()
    )
    service_end = fields.Field(
        attribute="service_end", column_name="service_end", widget=IsoDateWidget()
    )
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())

    class Meta:
        model = Bill
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS

    def __init__(self, *, owner, **kwargs):
        super().__init__(**kwargs)
        self.owner = owner
        self.fields["home"].widget.owner = owner

    # -- export

    def get_queryset(self):
        return Bill.objects.owned_by(self.owner).select_related("home")

    # -- import

    def read_bill(self, cells: dict[str, str]) -> tuple[Bill, dict[str, list[str]]]:
        """An unsaved bill of the owner from one row's cells (a missing column is blank), and
        the cells that could not be read, by column. The first call loads the owner's homes
        (one query); later calls run none."""
        bill = Bill(owner_id=self.owner.pk)
        errors: dict[str, list[str]] = {}
        for name in COLUMNS:
            field = self.fields[name]
            try:
                setattr(bill, field.attribute, field.widget.clean(cells.get(name, "")))
            except ValueError as exc:
                errors[name] = [str(exc)]
        return bill, errors
