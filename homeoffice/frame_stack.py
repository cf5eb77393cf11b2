"""Room on the interpreter's frame stack for a whole request: `roomy_frame_stack`.

CPython 3.11 keeps the frames of Python calls in chunks of 16 KiB. When a call does not fit
in the current chunk it maps a new one (`mmap`), and when the return empties that chunk it
unmaps it (`munmap`): a loop whose calls go up and down across a chunk's boundary pays a pair
of system calls, and the page faults of a fresh chunk, on every call (python/cpython#142183,
"Calls across stack chunks perform badly"; fixed in 3.13 and 3.14 by keeping one chunk, not in
3.11). Where the boundaries fall depends on how deep each page's loops run, so a page is
steadily cheap or dear by luck: the admin's bill list took 24.8 to 42.6 ms of CPU by the depth
it was called at, the admin index 9.3 to 16.5 ms (the README, *Speed*).

A call needs a new chunk only when it does not fit in the current one, and the new chunk is
made big enough for it: the smallest of 16 KiB, 32 KiB, ... that holds it. `roomy` declares a
value stack of `ROOM_SLOTS` slots, never used (it calls one function), so its frame takes some
half a MiB: entering it maps a chunk of 1 MiB, whose other half holds the request's every
frame (some 4,000 of them) with no boundary to cross. One `mmap` and one `munmap` a request,
instead of up to thousands; the untouched half is never faulted in. On an interpreter that
keeps a spare chunk (3.13, 3.14) it costs at most that one pair.

Imports nothing of the ledger; no tax arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Value-stack slots (8 bytes each) declared by `roomy`: just over 512 KiB, so the chunk mapped
# for its frame is 1 MiB, half of it free for the frames called from it.
ROOM_SLOTS = 66_000


def roomy(fn: Callable[..., T], *args) -> T:
    """`fn(*args)`, its calls and theirs made in a chunk of the frame stack with some 500 KiB
    free (the module's docstring)."""
    return fn(*args)


roomy.__code__ = roomy.__code__.replace(co_stacksize=ROOM_SLOTS)


def roomy_frame_stack(get_response):
    """Middleware, outermost: each request's middleware, view and templates run in `roomy`."""

    def middleware(request):
        return roomy(get_response, request)

    return middleware
