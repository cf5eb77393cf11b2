"""Lists that do not slow down as a ledger grows: counts that stop counting, and a cursor.

- `CappedCountPaginator` (admin change lists): counts at most `COUNT_CAP` rows
  (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`) instead of the whole table. Past the cap the list
  shows that many results and pages; narrower filters, the search or the date drill-down reach
  the rest. Used with `show_full_result_count = False`, which drops the admin's second, unfiltered
  COUNT(*).
- `BillPagination` (the API's bills): page numbers as before (`?page=N`, with `count`), and a
  cursor for large sets (`?cursor=` for the first page, then the `next` link): each page is a
  keyset read (`paid_on < ...` on the (owner, paid_on) index), as fast on the last page as on
  the first, with no COUNT(*).

No tax arithmetic; imports nothing of `forms8829`.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import CursorPagination, PageNumberPagination

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """A paginator whose count stops at `COUNT_CAP` (+1 read to know it was reached)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # Keys only, unordered: the rows' annotations and ordering are no part of a count.
        counted = self.object_list.order_by().values("pk")[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class BillCursorPagination(CursorPagination):
    """The bills newest first (the list's order), page after page by position, not offset."""

    ordering = ("-paid_on", "-id")
    page_size_query_param = None


class BillPagination(PageNumberPagination):
    """Page numbers (`?page=N`, with `count`) unless the request asks for a cursor (`?cursor=`,
    empty for the first page): then `BillCursorPagination`'s pages (`next`, `previous`,
    `results`, no `count`)."""

    cursor_query_param = BillCursorPagination.cursor_query_param

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
