"""Each request runs in a roomy chunk of the interpreter's frame stack (`homeoffice.frame_stack`).

The witness is the process's minor page faults: a chunk mapped again is faulted in again on its
first use, so calls that cross a chunk's boundary fault on every call, and calls that do not
cross one do not fault at all (the function called allocates nothing)."""

from __future__ import annotations

import resource
import sys

import pytest
from django.conf import settings
from django.test import Client

from homeoffice.frame_stack import roomy, roomy_frame_stack

CALLS = 2_000
# Depths swept: more than one 16 KiB chunk's worth of `_deeper` frames (some 140).
DEPTHS = range(0, 200)


def _leaf() -> None:
    # Twenty locals: its frame is larger than a step of the sweep (a `_deeper` frame), so at
    # some depth it is the call that does not fit in its chunk.
    _a0 = _a1 = _a2 = _a3 = _a4 = _a5 = _a6 = _a7 = _a8 = _a9 = None
    _b0 = _b1 = _b2 = _b3 = _b4 = _b5 = _b6 = _b7 = _b8 = _b9 = None


def _calls() -> None:
    for _ in range(CALLS):
        _leaf()


def _deeper(n: int, fn) -> None:
    return fn() if n <= 0 else _deeper(n - 1, fn)


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _most_faults(wrap) -> int:
    """The most page faults `CALLS` calls of a trivial function made, over every depth swept."""
    most = 0
    for depth in DEPTHS:
        before = _faults()
        _deeper(depth, lambda: wrap(_calls))
        most = max(most, _faults() - before)
    return most


def test_calls_at_any_depth_make_no_page_faults_in_a_roomy_chunk():
    assert _most_faults(roomy) < CALLS // 20


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="3.13 and later keep a spare chunk")
def test_without_it_some_depth_faults_on_every_call():
    # The control: the cost `roomy` removes is there on this interpreter.
    assert _most_faults(lambda fn: fn()) >= CALLS


def test_roomy_passes_arguments_and_answers():
    assert roomy(divmod, 17, 5) == (3, 2)
    with pytest.raises(ZeroDivisionError):
        roomy(divmod, 1, 0)


def test_the_middleware_is_outermost_and_answers(db):
    assert settings.MIDDLEWARE[0] == "homeoffice.frame_stack.roomy_frame_stack"
    seen = []
    middleware = roomy_frame_stack(lambda request: seen.append(request) or "answer")
    assert middleware("request") == "answer"
    assert seen == ["request"]
    assert Client().get("/admin/login/").status_code == 200
