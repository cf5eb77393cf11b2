"""The admin's confirmed CSV import, shown as it goes: one streamed page, in one request.

The page's head is rendered before the response starts (the admin's context, its queries, the
messages to show), then sent; then a line per progress report of the import
(`forms8829.filing.bills_csv_import`, one write batch, told through `ledger.progress`) as it is
made, each a `<progress>` bar and its words, no script (the CSP allows none inline); then the
result: how many bills were imported with a link back to the bill list, or what refused it.

What a streamed write must do itself, the response having left the middleware:

- the import runs in the generator, when the server pulls the page, inside its own write batch
  (one transaction, the user's lock), in the request's thread and database connection
  (`interface.progress_stream`); nothing is saved before its last step, and a failure at any
  step (a filed year refusing the batch at its end, a database error) rolls all of it back;
- simple-history's user comes from its middleware (`HistoricalRecords.context.request`), which
  has returned (and removed it) by then: the request is set again around the import, in the
  import's own context, and removed after (the bills' history rows also name the importer
  themselves: `ledger.bill_import` passes it as their user);
- the messages framework has stored its messages when the response started: the result is in
  the page, not a message; and the page cannot be a redirect, so it links to the bill list.

One path for every file: the admin's CSV is at most `ledger.bill_import.MAX_ROWS` bills (two
batches), so a short file shows a line or two and its result on the same page a long one does,
and there is no size threshold to keep in step with the batch.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Generator, Iterator

from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from simple_history.models import HistoricalRecords

from forms8829.filing import YearFiledError, bills_csv_import
from interface.progress_stream import Report, progress_reports
from ledger.bill_import import BillImportReport
from ledger.progress import Progress, progress_text
from review.links import review_url

logger = logging.getLogger(__name__)

_BODY = "IMPORT-PROGRESS-AND-RESULT"  # where the page is split: plain text, escaped as itself


def bill_import_streamed(request, *, text: str, context: dict) -> StreamingHttpResponse:
    """The page of the confirmed import of `text` into the user's bills (see the module)."""
    page = render_to_string(
        "admin/ledger/bill/import_progress.html",
        {**context, "title": "Importing bills (CSV)", "body": _BODY},
        request,
    )
    head, tail = page.split(_BODY)
    opts = context["opts"]
    urls = {
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
    }
    # The request's context (its time zone), taken while the request is being served.
    requested = contextvars.copy_context()
    response = StreamingHttpResponse(
        _page(request, text, head, tail, urls, requested), content_type="text/html; charset=utf-8"
    )
    response["X-Accel-Buffering"] = "no"  # a proxy (nginx) passes each line on as it comes
    return response


def _page(request, text, head, tail, urls, requested) -> Iterator[str]:
    yield head + '<ul id="import-progress">\n'
    result: dict = {}
    try:
        work = progress_reports(
            lambda progress: _import(request, text, progress), context=requested
        )
        result["report"] = yield from _lines(work)
    except YearFiledError as exc:
        result.update(failure=exc.messages[0], year=exc.year)
        if exc.tax_year_id is not None:
            result["reopen_url"] = review_url(exc.tax_year_id)
    except Exception:  # the page has started: say it here; the server logs it
        logger.exception("The admin's CSV import of user %s failed", request.user.pk)
        result["failure"] = "the import failed (the error is logged); nothing was saved."
    yield "</ul>\n" + render_to_string("admin/ledger/bill/import_result.html", {**result, **urls})
    yield tail


def _import(request, text: str, progress: Progress) -> BillImportReport:
    """The import as one write batch, its history rows by the request's user."""
    HistoricalRecords.context.request = request
    try:
        return bills_csv_import(owner=request.user, data=text, dry_run=False, progress=progress)
    finally:
        del HistoricalRecords.context.request


def _lines(reports: Generator[Report, None, BillImportReport]):
    """A line of the page per report, as it comes; returns the import's report."""
    while True:
        try:
            step, done, total = next(reports)
        except StopIteration as finished:
            return finished.value
        yield _line(step, done, total)


def _line(step: str, done: int, total: int | None) -> str:
    if total == 0:  # a step with nothing in it (no year to store a form of) shows nothing
        return ""
    if total is None:
        return format_html("<li><progress></progress> {}</li>\n", progress_text(step, done, total))
    return format_html(
        '<li><progress value="{}" max="{}"></progress> {}</li>\n',
        done,
        total,
        progress_text(step, done, total),
    )
