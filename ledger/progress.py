"""How far a long write has got, told to the edge that started it.

A service that can run long (the ledger-file and archive imports, `ledger.ledger_file` and
`forms8829.filing`) takes an optional `progress` callable and calls it at its natural points:
`progress(step, done, total)`, where `step` names what is being done in words a user reads
("bills", "checking bills", "forms"), `done` counts what of it is done so far and `total` is
how much there is (None when not known). Within a step `done` only grows; a step ends when
`done == total`. The edges decide what to show (the `import_ledger` command writes a line per
call to stderr); the service does the same work whether anyone listens or not, in the same
transaction, so a failure after some progress still changes nothing.

`BATCH` is how many rows a service writes (or checks) between two calls: large enough that a
batch is a few INSERTs whatever its size, small enough that a million rows report often.

Plain Python: imports nothing of Django or of this project.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

Progress = Callable[[str, int, "int | None"], None]

BATCH = 5_000


def progress_none(step: str, done: int, total: int | None) -> None:
    """The progress of a caller that does not listen."""


def batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of `BATCH`, the last one shorter; none if `items` is empty."""
    size = BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


def counted(items: Sequence[T], step: str, progress: Progress) -> Iterator[T]:
    """Each of `items`, telling `progress(step, ...)` after every whole batch of them: while a
    file is still being checked, a short file (or its last, shorter batch) tells nothing, so a
    file with errors shows its errors alone unless it is long."""
    size = BATCH
    for done, item in enumerate(items, start=1):
        yield item
        if done % size == 0:
            progress(step, done, len(items))


def progress_text(step: str, done: int, total: int | None) -> str:
    """One progress report as a line: `bills: 20,000 / 100,000`."""
    return f"{step}: {done:,}" + (f" / {total:,}" if total is not None else "")
