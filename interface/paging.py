"""Lists that do not slow down as a ledger grows: counts that stop counting, and a cursor.

- `CappedCountPaginator` (admin change lists): counts at most `COUNT_CAP` rows
  (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`) instead of the whole table. Past the cap the list
  shows that many results and pages; narrower filters, the search or the date drill-down reach
  the rest. Used with `show_full_result_count = False`, which drops the admin's second, unfiltered
  COUNT(*). A search counts to `SEARCH_COUNT_CAP` only (`search_cap`): its count reads bills
  until it has that many matches (a common word, one bill in seven: 70,000 bills for 10,001),
  or every bill of the user for a word that matches none, and its pages say "more than 1,000".
- `KeysFirstPaginator`, the pages of both: a page reads its keys first (an index-only read of
  the ordering's keys, with the OFFSET), then only its own rows by key.
- `BillPagination` (the API's bills): page numbers as before (`?page=N`, with the exact `count`,
  an index-only COUNT(*)), its pages read keys first and, past the middle, from the end
  (`ExactCountPaginator`: the last page skips no key); and a cursor for large sets (`?cursor=`
  for the first page, then the `next` link): each page is a keyset read (`paid_on < ...` on the
  (owner, paid_on) index), as fast on the last page as on the first, with no COUNT(*).

No tax arithmetic; imports nothing of `forms8829`.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination

COUNT_CAP = 10_000
# A search's matches are counted to this many: a product decision (the README, Speed), as a
# search engine's "about" count; past it the page says "more than 1,000" and a year, a home or
# a longer word narrows it. Below it the count is exact.
SEARCH_COUNT_CAP = 1_000


class KeysFirstPaginator(Paginator):
    """Django's paginator whose pages are read keys first (`page`): the admin's bill list
    (`CappedCountPaginator`) and the API's bills (`ExactCountPaginator`)."""

    # A page past the middle reads its keys from the end, in the opposite order (the last page
    # skips none): only where the count is exact and the list's order total (ends with the key),
    # so that the same rows are counted from either end.
    reads_from_the_end = False

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, rows=None):
        """`rows`: the queryset a page's rows are read from by key; the list's own if None. An
        admin passes its queryset without the list's filters (the keys were read through them
        already): given `paid_on BETWEEN ...` beside the keys, SQLite walks that range in the
        index (a year of a million-bill ledger, 30 ms) instead of seeking the keys."""
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.rows = rows

    def page(self, number):
        """The page's keys first (`SELECT id ... ORDER BY ... LIMIT 100 OFFSET 9900`, read from
        the index alone), then its rows by key, in the keys' order: a deep page's joins,
        annotations and rows are read for its own rows only, not for every row it skips (the
        last of 100 pages, on SQLite, 24 ms to 1.3 ms at 100,000 bills). Still a queryset (the
        list's editable rows are a model formset over it)."""
        queryset = self.object_list
        if not hasattr(queryset, "values_list") or queryset.query.distinct:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self._keys(queryset, bottom, top)
        if not keys:
            return self._get_page(queryset.none(), number, self)
        rows = queryset if self.rows is None else self.rows
        return self._get_page(_in_order_of(rows, keys), number, self)

    def _keys(self, queryset, bottom: int, top: int) -> list:
        if self.reads_from_the_end and queryset.ordered and bottom > self.count - top:
            # The same keys counted from the end, read in the opposite order and turned back:
            # the last of 20,000 pages skips no key (PostgreSQL, 1,000,000 bills: the OFFSET
            # over the index alone 90-240 ms; from the end, under 1 ms).
            ends = queryset.reverse().values_list("pk", flat=True)
            return list(ends[self.count - top : self.count - bottom])[::-1]
        return list(queryset.values_list("pk", flat=True)[bottom:top])


class ExactCountPaginator(KeysFirstPaginator):
    """The API's bills by page number: the exact count (`COUNT(*)`, read from the (owner) index
    alone, as before), pages keys first, past the middle from the end (the list's order always
    ends with `id`: `StableOrderingFilter`, the view's `ordering`)."""

    reads_from_the_end = True


class CappedCountPaginator(KeysFirstPaginator):
    """A paginator whose count stops at `COUNT_CAP` (+1 read to know it was reached), and whose
    pages are read keys first (`KeysFirstPaginator.page`)."""

    cap = COUNT_CAP
    search_cap = SEARCH_COUNT_CAP

    # Set for a search (the admin's get_paginator): its count reads the matching keys
    # themselves, and a list of one page keeps them (`few_keys`).
    counts_keys = False
    few_keys = None

    @cached_property
    def count(self) -> int:
        # Keys only, unordered: the rows' annotations and ordering are no part of a count.
        keys = self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1]
        if self.counts_keys:
            # A search's matches may be few and far between: the rows and the date drill-down
            # then seek these keys, instead of walking the user's bills by date for them
            # (SQLite, a word in 27 of 100,000 bills: the rows 117 ms, the drill-down 30 ms).
            keys = list(keys)
            counted = len(keys)
            if counted <= self.per_page:
                self.few_keys = keys
        else:
            counted = keys.count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def _in_order_of(queryset, keys: list):
    """The rows of `keys`, in that order, by one `CASE id WHEN ... END` (a Django `Case` of a
    hundred `When`s costs more to build than the query costs to run). Sorting by an expression
    also keeps SQLite from walking an index in the list's order to find the hundred keys."""
    opts = queryset.model._meta
    quote = connections[queryset.db].ops.quote_name
    column = f"{quote(opts.db_table)}.{quote(opts.pk.column)}"
    whens = " ".join("WHEN %s THEN %s" for _ in keys)
    params = [value for position, key in enumerate(keys) for value in (key, position)]
    position = RawSQL(f"CASE {column} {whens} END", params)  # noqa: S611 (values are params)
    return queryset.filter(pk__in=keys).order_by(position.asc())


class BillCursorPagination(CursorPagination):
    """The bills newest first (the list's order), page after page by position, not offset."""

    ordering = ("-paid_on", "-id")
    page_size_query_param = None


class BillPagination(PageNumberPagination):
    """Page numbers (`?page=N`, with `count`) unless the request asks for a cursor (`?cursor=`,
    empty for the first page): then `BillCursorPagination`'s pages (`next`, `previous`,
    `results`, no `count`)."""

    cursor_query_param = BillCursorPagination.cursor_query_param
    django_paginator_class = ExactCountPaginator

    def _cursor(self, request) -> BillCursorPagination | None:
        if self.cursor_query_param not in request.query_params:
            return None
        if not hasattr(self, "_cursor_pagination"):
            self._cursor_pagination = BillCursorPagination()
        return self._cursor_pagination

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor pages a queryset by its keys; a list already read (a bill's history) pages
        # by number whatever the request says.
        cursor = self._cursor(request) if hasattr(queryset, "order_by") else None
        self._active = cursor
        if cursor is not None:
            return cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self._active is not None:
            return self._active.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        page["properties"]["count"]["description"] = "Left out when paging by cursor."
        page["required"] = ["results"]
        return page

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            *BillCursorPagination().get_schema_operation_parameters(view),
        ]
