"""`interface.progress_stream`: a callback-telling work's reports, yielded as they are told."""

import pytest

from interface.progress_stream import ProgressStopped, progress_reports


def test_the_reports_as_told_then_the_result():
    def work(progress):
        progress("bills", 1, 2)
        progress("bills", 2, 2)
        return "done"

    reports = progress_reports(work)
    assert next(reports) == ("bills", 1, 2)
    assert next(reports) == ("bills", 2, 2)
    with pytest.raises(StopIteration) as finished:
        next(reports)
    assert finished.value.value == "done"


def test_the_works_error_comes_after_its_reports():
    def work(progress):
        progress("bills", 1, 2)
        raise ValueError("refused")

    reports = progress_reports(work)
    assert next(reports) == ("bills", 1, 2)
    with pytest.raises(ValueError, match="refused"):
        next(reports)


def test_closed_early_the_work_is_stopped_where_it_waits():
    unwound = []

    def work(progress):
        try:
            progress("bills", 1, 2)
            progress("bills", 2, 2)
        except ProgressStopped:
            unwound.append("stopped")
            raise
        return "done"

    reports = progress_reports(work)
    assert next(reports) == ("bills", 1, 2)
    reports.close()
    assert unwound == ["stopped"]
