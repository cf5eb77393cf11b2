"""A long write's progress as it happens, for a page streamed to the browser (the admin's CSV
import): `progress_reports(work)` runs `work(progress)` and yields each report the work tells
its `progress` (`ledger.progress`), then returns the work's result.

The services tell progress through a callable, deep inside their loops and their one write
batch; a streamed response is a generator the server pulls from, between those calls. The work
runs in a greenlet, in this thread: at each report it hands control back to the generator,
which yields the report to the page, and takes it back when the server asks for more. So the
work uses this thread's database connection and its one transaction, as it would unstreamed,
and nothing runs beside it (no thread, no second connection, no task queue). The work runs in
`context` (the request's `contextvars`, copied while the request was being served: its time
zone), never in the server's context after the response has started.

If the page is abandoned (the client goes away and the server closes the response, or the
generator is dropped), the work is stopped where it waits: `ProgressStopped` is raised in it
from its `progress` call, so its transaction rolls back and nothing is saved.

Imports nothing of this project's models: an edge's helper.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Generator
from contextlib import suppress
from typing import TypeVar

from greenlet import getcurrent, greenlet

from ledger.progress import Progress

T = TypeVar("T")
Report = tuple[str, int, "int | None"]


class ProgressStopped(Exception):
    """The listener went away: raised in the work at its progress call, to unwind it."""


def progress_reports(
    work: Callable[[Progress], T], *, context: contextvars.Context | None = None
) -> Generator[Report, None, T]:
    """Yield each `(step, done, total)` the work tells, as it tells it; return its result. An
    exception of the work is raised here, after the reports it made before."""
    stopped = False

    def progress(step: str, done: int, total: int | None) -> None:
        if stopped:
            raise ProgressStopped
        runner.parent.switch((step, done, total))  # raises ProgressStopped if abandoned

    def run() -> tuple[T]:
        return (work(progress),)  # a tuple: the result, told apart from a report

    runner = greenlet(run)
    runner.gr_context = context if context is not None else contextvars.copy_context()
    try:
        runner.parent = getcurrent()
        told = runner.switch()
        while not runner.dead:
            yield told
            runner.parent = getcurrent()  # whoever resumes the page is who the work answers
            told = runner.switch()
        return told[0]
    finally:
        if not runner.dead:  # closed while the work waits at a report: unwind it
            stopped = True
            with suppress(ProgressStopped):
                runner.throw(ProgressStopped)
