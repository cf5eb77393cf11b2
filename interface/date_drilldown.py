"""The admin's date drill-down (`date_hierarchy`) and year choices, read by index.

Django's own drill-down reads the first and last date in one query (on SQLite `MIN()` and
`MAX()` together scan every row) and lists the years, months or days that hold a row with
`DISTINCT` over a truncated date (every row read; on SQLite a Python function called per row):
at 100,000 bills some 200 ms a page, growing with the ledger. Here the same choices come from
index seeks on the date column: the first and the last date (two ordered `LIMIT 1` reads), then
whether each candidate year, month or day holds a row (`EXISTS`-like `LIMIT 1` reads), each set
in one query of scalar subqueries. The choices and links are Django's (the same template), and
every read is of the changelist's own queryset, so the user's scope and filters apply.

No tax arithmetic; imports nothing of `forms8829`.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# Past this many years between the first and the last date, the years are listed by Django's
# DISTINCT instead of one read a year (a ledger spans a few decades at most).
MAX_YEARS = 60


def first_values(querysets) -> list:
    """The first value of each one-column queryset (None where it has no row), in one query:
    `SELECT (SELECT ... LIMIT 1), (SELECT ... LIMIT 1), ...`. Values come back as the
    database gives them (on SQLite a date is text)."""
    querysets = list(querysets)
    if not querysets:
        return []
    parts, params = [], []
    for queryset in querysets:
        try:
            sql, part_params = queryset[:1].query.get_compiler(using=queryset.db).as_sql()
        except EmptyResultSet:  # a filter that matches nothing (`pk__in=[]`): no row
            sql, part_params = "NULL", []
        parts.append(f"({sql})")
        params.extend(part_params)
    if all(part == "(NULL)" for part in parts):
        return [None] * len(parts)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())


def date_bounds(queryset, field: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and the last date of the rows, by two index seeks (one query)."""
    rows = queryset.values_list(field, flat=True)
    first, last = first_values([rows.order_by(field), rows.order_by(f"-{field}")])
    to_date = queryset.model._meta.get_field(field).to_python
    return to_date(first), to_date(last)


# A period no ledger holds: its bounds are found among a compiled query's parameters.
_PROBE = (dt.date(1, 1, 2), dt.date(1, 1, 3))


def periods_with_rows(queryset, field: str, periods: list[tuple[dt.date, dt.date]]) -> list:
    """The periods (first day, last day) that hold at least one row, in one query. The
    subquery is compiled once, for a probe period, and run for each period with the period's
    bounds as its last two parameters (a queryset built a period cost more than the query)."""
    if not periods:
        return []
    keys = queryset.order_by().values_list("pk", flat=True)
    # BETWEEN, added last: SQLite bounds its index walk by the last BETWEEN of a column (not
    # by the tightest of its bounds), so a period inside a filtered year (`?tax_year=`, itself
    # a BETWEEN) is sought by the period's dates, not walked from the year's first day.
    connection = connections[queryset.db]
    prep = queryset.model._meta.get_field(field).get_db_prep_value
    try:
        probe = keys.filter(**{f"{field}__range": _PROBE})[:1]
        sql, params = probe.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing
        return []
    if list(params[-2:]) != [prep(day, connection) for day in _PROBE]:
        found = first_values(keys.filter(**{f"{field}__range": period}) for period in periods)
    else:
        every = []
        for period in periods:
            every += [*params[:-2], *(prep(day, connection) for day in period)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join([f"({sql})"] * len(periods)), every)
            found = cursor.fetchone()
    return [period for period, key in zip(periods, found, strict=True) if key is not None]


def _years(queryset, field: str, first: dt.date | None, last: dt.date | None) -> list[int]:
    if first is None:
        return []
    if last.year - first.year >= MAX_YEARS:
        return [d.year for d in queryset.dates(field, "year")]
    candidates = [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(first.year, last.year + 1)]
    return [start.year for start, _end in periods_with_rows(queryset, field, candidates)]


def years_with_rows(queryset, field: str) -> list[int]:
    """The years that hold a row, oldest first: two queries of index seeks, whatever the
    number of rows (Django's DISTINCT past `MAX_YEARS` of span)."""
    return _years(queryset, field, *date_bounds(queryset, field))


def _months(year: int) -> list[tuple[dt.date, dt.date]]:
    return [
        (dt.date(year, m, 1), dt.date(year, m, calendar.monthrange(year, m)[1]))
        for m in range(1, 13)
    ]


def _days(year: int, month: int) -> list[tuple[dt.date, dt.date]]:
    last = calendar.monthrange(year, month)[1]
    return [(dt.date(year, month, d), dt.date(year, month, d)) for d in range(1, last + 1)]


def date_hierarchy(cl) -> dict:
    """The context of Django's `admin/date_hierarchy.html` for a changelist whose
    `date_hierarchy` is a `DateField`: the same levels, choices and links as Django's
    `date_hierarchy` tag, read by index (two queries at the top level, one below it)."""
    if not cl.date_hierarchy:
        return {}
    field = cl.date_hierarchy
    year_field, month_field, day_field = (f"{field}__{part}" for part in ("year", "month", "day"))
    year, month, day = (cl.params.get(name) for name in (year_field, month_field, day_field))
    queryset = cl.queryset

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    bounds = None
    if not (year or month or day):
        # Django's start level: one year's months, or one month's days, when that is all.
        bounds = first, last = date_bounds(queryset, field)
        if first is not None and first.year == last.year:
            year = first.year
            if first.month == last.month:
                month = first.month
    if year and month and day:
        chosen = dt.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        days = periods_with_rows(queryset, field, _days(int(year), int(month)))
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d, _end in days
            ],
        }
    if year:
        months = periods_with_rows(queryset, field, _months(int(year)))
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m, _end in months
            ],
        }
    years = _years(queryset, field, *(bounds or date_bounds(queryset, field)))
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: str(y)}), "title": str(y)} for y in years],
    }
