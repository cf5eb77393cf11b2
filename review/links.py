"""Where the review links to: the admin pages of the records behind its numbers, in one place.

The review is presentation and knows URLs; the admin that serves them is an edge. Every link
the review makes (page data, charts, the stored-forms admin) is made here from the record's
model, never from an admin URL name written out elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import Model
from django.urls import get_script_prefix, get_urlconf, reverse

from ledger.models import Bill, TaxYear


def _name(model: type[Model], view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def _path(name: str) -> str:
    """`reverse(name)` of a URL without arguments, once per name (a review links a page of
    them: each missing month has its add-a-bill and bill-list links)."""
    return _reversed(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=64)
def _reversed(name: str, _prefix: str, _urlconf) -> str:
    return reverse(name)


def change_url(model: type[Model], pk: int) -> str:
    """The admin page of one record."""
    return reverse(_name(model, "change"), args=[pk])


def add_url(model: type[Model], **initial) -> str:
    """The admin's add page, with its form filled in from `initial`."""
    query = {k: v for k, v in initial.items() if v is not None}
    path = _path(_name(model, "add"))
    return f"{path}?{urlencode(query)}" if query else path


def bill_list_url(**params) -> str:
    """The bill list, filtered (the review's drill-down)."""
    query = {k: v for k, v in params.items() if v is not None}
    return f"{_path(_name(Bill, 'changelist'))}?{urlencode(query)}"


def review_url(tax_year_id: int, action: str = "review") -> str:
    """The year-end review of a tax year, or one of its actions and downloads."""
    return reverse(_name(TaxYear, action), args=[tax_year_id])


def area_method_url(*, tax_year_id: int, home_id: int) -> str:
    """The review's one-step switch of a home's area method (POST)."""
    return reverse(_name(TaxYear, "review_area_method"), args=[tax_year_id, home_id])


def year_grid_url(**initial) -> str:
    """The bill admin's year grid (twelve months of one payee), filled in from `initial`."""
    query = {k: v for k, v in initial.items() if v is not None}
    return f"{_path('admin:ledger_bill_year_grid')}?{urlencode(query)}"
