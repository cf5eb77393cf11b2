"""A changelist's rows, cell for cell Django's markup, with each column's decisions made once
for the page.

Django's `items_for_result` (`admin_list.py`) decides everything about a cell for every row:
which link column is first, the empty value, the cell's classes, the field behind the column,
a choice's label (building a dict of the field's choices each time), the row's change URL
(reversed, then resolved again to add the list's filters), and wraps each cell through
`format_html`. For a page of 50 bills that is 500 cells and about a third of the page's time.
`page_results` makes the row-independent part once per column; per row it reads the value and,
for a model field, shows each distinct value once (a cell of a model field depends on its value
alone, the request's language and time zone being the page's; a related record by its key, so
it is not read again), with the same functions Django's uses (`lookup_field`,
`display_for_field`, `display_for_value`). Methods of the admin (the row's checkbox, its
receipts) run for every row, as Django's. One page of 50 bills: 4.5 ms against 13.0 ms (SQLite,
CPU, 2026-11-29). Tests render every list of the admin with Django's `results` and with this
and compare the HTML (`tests/interface/test_list_rows.py`).

A page this does not cover (a popup, a list whose change URL is reversed per row) is rendered
by Django's own `results`.

No tax arithmetic; imports nothing of `forms8829` or `ledger`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.safestring import SafeString

from interface.list_widgets import escaped

_unset = object()


def _blank_as_empty(value):
    # As `items_for_result`: a text of spaces only is shown as the empty value.
    return "" if isinstance(value, str) and value.strip() == "" else value


class _Column:
    """One column of the page: `column(result, form)` is its cell for a row, as
    `items_for_result` makes it. The field behind the column is learnt from the first row (it
    depends on the model and the name only); then a model field's value is read directly and
    shown once per distinct value; anything else (a method of the admin or the model, a lookup
    across a relation) goes through `lookup_field` for each row, as Django's does."""

    def __init__(self, cl, index: int, name, *, link: bool, tag: str):
        self.cl, self.name, self.link, self.tag = cl, name, link, tag
        self.model_admin = cl.model_admin
        self.empty = cl.model_admin.get_empty_value_display()
        coerced = _coerce_field_name(name, index)
        self.classes = "action-checkbox" if name == "action_checkbox" else f"field-{coerced}"
        self.pk_name = cl.model._meta.pk.name
        self.field = _unset  # the model field read directly, None when not one; learnt below
        self.related = False  # the field is a foreign key
        self.shown: dict = {}  # a model field's value (a related record's key) -> its cell
        if link:
            # The row's change URL with the list's filters (`DateSafeChangeList.row_link`),
            # made and escaped once; each row's key is put in it.
            url = add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.row_link
            )
            self.link_html = escaped(url)

    def _learn(self, result) -> bool:
        """Learn the field behind the column from a row; False when the row cannot tell (its
        related record is missing), to try again on the next."""
        try:
            f, _attr, _value = lookup_field(self.name, result, self.model_admin)
        except ObjectDoesNotExist:
            return False
        plain = f is not None and not f.auto_created
        if plain and isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
            self.classes = f"{self.classes} nowrap"
        plain = plain and isinstance(self.name, str) and LOOKUP_SEP not in self.name
        self.field = f if plain else None
        self.related = plain and isinstance(f.remote_field, models.ManyToOneRel)
        return True

    def _field_repr(self, f, result, value, empty):
        # As `items_for_result` for a model field.
        if isinstance(f.remote_field, models.ManyToOneRel):
            related = getattr(result, f.name)
            return empty if related is None else related
        return display_for_field(value, f, empty, avoid_link=self.link)

    def _looked_up(self, result) -> tuple[str, bool]:
        """(the cell's inner HTML, whether its value is a date or time), through
        `lookup_field` as Django's."""
        try:
            f, attr, value = lookup_field(self.name, result, self.model_admin)
        except ObjectDoesNotExist:
            return escaped(self.empty), False
        empty = getattr(attr, "empty_value_display", self.empty)
        value = _blank_as_empty(value)
        if f is None or f.auto_created:
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            shown = display_for_value(value, empty, boolean)
            return escaped(shown), isinstance(value, (datetime.date, datetime.time))
        return escaped(self._field_repr(f, result, value, empty)), False

    def _inner(self, result) -> tuple[str, bool]:
        if self.field is _unset and not self._learn(result):
            return escaped(self.empty), False
        if self.field is None:
            return self._looked_up(result)
        # A model field's cell depends on its value alone (the request's language and time
        # zone are the page's): each value is shown once, then looked up. A related record
        # by its key, so it is not read again.
        try:
            if self.related:
                key = getattr(result, self.field.attname)
                value = None
            else:
                value = getattr(result, self.name)
                key = (value.__class__, value)
            return self.shown[key], False
        except ObjectDoesNotExist:
            return escaped(self.empty), False
        except KeyError:
            pass
        except TypeError:  # an unhashable value: shown, not kept
            key = None
        try:
            if self.related:
                value = getattr(result, self.name)
        except ObjectDoesNotExist:
            return escaped(self.empty), False
        value = _blank_as_empty(value)
        shown = escaped(self._field_repr(self.field, result, value, self.empty))
        if key is not None:
            self.shown[key] = shown
        return shown, False

    def __call__(self, result, form) -> str:
        name = self.name
        if (
            not self.link
            and form is not None
            and name in form.fields
            and not (name == self.pk_name and form[self.pk_name].is_hidden)
        ):
            bound = form[name]
            if self.field is _unset:  # an editable date or foreign key is "nowrap" too
                self._learn(result)
            return f'<td class="{self.classes}">{bound.errors}{bound}</td>'
        inner, nowrap = self._inner(result)
        classes = f"{self.classes} nowrap" if nowrap else self.classes
        if self.link:
            href = self.link_html.replace(self.cl.KEY, escaped(self.cl.row_key(result)), 1)
            return f'<{self.tag} class="{classes}"><a href="{href}">{inner}</a></{self.tag}>'
        return f'<td class="{classes}">{inner}</td>'


def _columns(cl) -> list[_Column]:
    # Which column links to the row, and whether as its header cell: as `link_in_col`.
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        tag = "th" if first else "td"
        if link:
            first = False
        columns.append(_Column(cl, index, name, link=link, tag=tag))
    return columns


def page_results(cl) -> Iterator[ResultList]:
    """Django's `results(cl)`: a `ResultList` a row, the same cells."""
    if cl.is_popup or not hasattr(cl, "row_link") or cl.to_field:
        yield from results(cl)
        return
    columns = _columns(cl)
    pk_name = cl.model._meta.pk.name
    rows = list(cl.result_list)
    forms = cl.formset.forms if cl.formset else [None] * len(rows)
    for result, form in zip(rows, forms, strict=False):
        cells = [SafeString(column(result, form)) for column in columns]
        if form is not None and not form[pk_name].is_hidden:
            cells.append(SafeString(f"<td>{escaped(form[pk_name])}</td>"))
        yield ResultList(form, cells)
