"""The bills CSV (django-import-export): its columns, how each cell is read and written.

`BillResource(owner=user)` reads and writes one user's bills with the columns `COLUMNS`:
home (the home's key or name), paid_on, payee, category, amount, scope, business_use_percent,
service_start, service_end, note. Each widget reads a cell with the reader of `ledger.fields`
that the API and the ledger file use too (people type here, so dates may also be MM/DD/YYYY),
or raises `ValueError` with its message in plain words ('must be >= 0').
`BillResource.read_bill` turns one CSV row into an unsaved bill with those values, running no
query after the owner's homes are loaded once (when two bills are the same is
`ledger.models.duplicate_key`).

The import's orchestration (reading the file, line numbers, the model's checks, repeats,
all-or-nothing, the bulk insert, the report) is in `ledger.bill_import`; there is no tax
arithmetic here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice

from import_export import fields, resources, widgets

from ledger.csv_cells import csv_cell, csv_cell_read, csv_row
from ledger.fields import (
    HomeLookup,
    decimal_limits,
    read_choice,
    read_date,
    read_decimal,
    read_text,
)
from ledger.models import Bill, Home
from ledger.serializers import BILL_FIELDS

COLUMNS = BILL_FIELDS  # the same columns, in the same order, as a bill in the ledger file
REQUIRED_COLUMNS = ("home", "paid_on", "payee", "category", "amount")
# The columns as a bill's row is read for the export (`values_list`): the home by its key.
EXPORT_ROW = tuple("home__key" if name == "home" else name for name in COLUMNS)
# Bills read per round trip, and written out at a time, by the streamed export.
EXPORT_CHUNK_SIZE = 2_000


class CellWidget(widgets.Widget):
    """A cell read by one of `ledger.fields`' readers (`read`), which raise a ValueError
    (`FieldError`) in plain words. A blank cell is not given: `default`, or "is required"."""

    def __init__(self, *, required: bool = False, default=None):
        super().__init__()
        self.required = required
        self.default = default

    def read(self, text: str):  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value)
        if not text.strip():
            if self.required:
                raise ValueError("is required")
            return self.default
        return self.read(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(CellWidget):
    def __init__(self, *, max_length: int | None = None, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)
        self.max_length = max_length

    def read(self, text):
        text = csv_cell_read(read_text(text).strip())  # what the export wrote: see csv_cells
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters long")
        return text


class DateWidget(CellWidget):
    """A date typed as YYYY-MM-DD or MM/DD/YYYY."""

    def read(self, text):
        return read_date(text, typed=True)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DecimalWidget(CellWidget):
    """Money as 1250, 1,250.00 or $1,250.00; other numbers likewise without the `$`."""

    def __init__(self, model_field, **kwargs):
        super().__init__(**kwargs)
        self.limits = decimal_limits(model_field)

    def read(self, text):
        return read_decimal(text, **self.limits)


class ChoiceWidget(CellWidget):
    """One of a model field's choices, by its key or its label, in any letter case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def read(self, text):
        return read_choice(text, self.choices)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class HomeWidget(CellWidget):
    """A home of the resource's owner, by its key or (if no other home has it) its name."""

    def __init__(self):
        super().__init__(required=True)
        self.lookup: HomeLookup | None = None

    def read(self, text):
        return self.lookup.find(text)

    def render(self, value, obj=None, **kwargs):
        return value.key if value is not None else ""


def _field(name: str, widget: widgets.Widget) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget)


def _decimal(name: str, **kwargs) -> DecimalWidget:
    return DecimalWidget(Bill._meta.get_field(name), **kwargs)


class BillResource(resources.ModelResource):
    home = _field("home", HomeWidget())
    paid_on = _field("paid_on", DateWidget(required=True))
    payee = _field("payee", TextWidget(required=True, max_length=200))
    category = _field("category", ChoiceWidget(Bill.Category.choices, required=True))
    amount = _field("amount", _decimal("amount", required=True))
    scope = _field("scope", ChoiceWidget(Bill.Scope.choices, default=Bill.Scope.INDIRECT))
    business_use_percent = _field("business_use_percent", _decimal("business_use_percent"))
    service_start = _field("service_start", DateWidget())
    service_end = _field("service_end", DateWidget())
    note = _field("note", TextWidget())
    kind = _field("kind", ChoiceWidget(Bill.Kind.choices, default=Bill.Kind.PAYMENT))

    class Meta:
        model = Bill
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS

    def __init__(self, *, owner, **kwargs):
        super().__init__(**kwargs)
        self.owner = owner
        self._cells = None  # `export_row`'s, made at its first call
        homes = Home.objects.owned_by(owner).order_by("id")
        self.fields["home"].widget.lookup = HomeLookup(homes, by_id=False)

    # -- export

    def get_queryset(self):
        return Bill.objects.owned_by(self.owner).select_related("home")

    def export_resource(self, instance, selected_fields=None, **kwargs):
        """One bill's cells, none of which a spreadsheet would run (`ledger.csv_cells`)."""
        if selected_fields is not None:
            return csv_row(super().export_resource(instance, selected_fields, **kwargs))
        return self.export_row(
            [instance.home.key if name == "home" else getattr(instance, name) for name in COLUMNS]
        )

    def export_row(self, values) -> list[str]:
        """One bill's cells from its columns' values (`EXPORT_ROW`: the home as its key), each
        as its column's widget renders it, made safe to open (`ledger.csv_cells`)."""
        cells = self._cells
        if cells is None:
            cells = self._cells = [self._cell(self.fields[name].widget) for name in COLUMNS]
        return [cell(value) for cell, value in zip(cells, values, strict=True)]

    @staticmethod
    def _cell(widget: widgets.Widget):
        """A column's cell for a value: `csv_cell(widget.render(value))`, with the lookups it
        repeats made once per column (a choice's cell per choice), not once per bill."""
        if isinstance(widget, HomeWidget):  # given the home's key
            return lambda key: "" if key is None else csv_cell(key)
        if isinstance(widget, DateWidget):  # an ISO date is neither a number nor a formula
            return lambda value: value.isoformat() if value else ""
        if isinstance(widget, ChoiceWidget):
            known = {key: csv_cell(widget.render(key)) for key, _label in widget.choices}
            return lambda value: known.get(value) or csv_cell(widget.render(value))
        return lambda value: csv_cell(widget.render(value))

    def csv_chunks(self, queryset=None) -> Iterator[str]:
        """The CSV of `queryset` (default: the owner's bills), text chunk by chunk, as the rows
        are read (`iterator(chunk_size=...)`, server-side on PostgreSQL): exactly the bytes of
        `self.export(queryset).csv`, in memory that does not grow with the number of bills.

        The bills are read as rows of their columns (`EXPORT_ROW`), not models, and each row is
        made by `export_row`, as `export_resource` makes it for `export`: a cell's rendering
        (and any neutralising of what a spreadsheet would run) belongs there, so both paths
        have it."""
        if queryset is None:
            queryset = self.get_queryset()
        self.before_export(queryset)
        queryset = self.filter_export(queryset)
        rows = queryset.values_list(*EXPORT_ROW).iterator(chunk_size=EXPORT_CHUNK_SIZE)
        out = io.StringIO()
        writer = csv.writer(out)  # tablib's CSV: the excel dialect, "\r\n" line ends
        writer.writerow(self.get_export_headers())
        export_row = self.export_row
        while chunk := list(islice(rows, EXPORT_CHUNK_SIZE)):
            writer.writerows(map(export_row, chunk))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

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
