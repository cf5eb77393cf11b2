"""One entry for every statement file: `read_statement(data, layout=None)`.

An OFX file (1.x or 2.x, told by its content) names its account and gives each transaction the
bank's id. A CSV file is read with the layout given (its account's confirmed layout), else with
the layout `detect_layout` proposes, which the person then confirms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.statements.layouts import (
    Detection,
    Layout,
    Problem,
    Skipped,
    decode,
    detect_layout,
    read_csv,
)
from ledger.statements.lines import StatementLine
from ledger.statements.ofx import OfxAccount, is_ofx, read_ofx

OFX, CSV = "ofx", "csv"


@dataclass(frozen=True)
class StatementFile:
    format: str  # OFX or CSV
    lines: list[StatementLine] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ofx_account: OfxAccount | None = None
    layout: Layout | None = None  # CSV: the layout it was read with
    detection: Detection | None = None  # CSV read with a detected (unconfirmed) layout

    @property
    def ok(self) -> bool:
        return not self.problems


def file_format(data: bytes) -> str:
    return OFX if is_ofx(data) else CSV


def read_statement(data: bytes, *, layout: Layout | None = None) -> StatementFile:
    if is_ofx(data):
        read = read_ofx(data)
        return StatementFile(OFX, read.lines, [], read.problems, ofx_account=read.account)
    if b"\x00" in data[:4096]:
        return StatementFile(CSV, problems=[Problem(None, None, "is not a CSV or OFX file")])
    detection = None
    if layout is None:
        detection = detect_layout(decode(data))
        if detection.layout is None:
            return StatementFile(
                CSV, problems=[Problem(None, None, detection.problem)], detection=detection
            )
        layout = detection.layout
    read = read_csv(data, layout)
    return StatementFile(
        CSV, read.lines, read.skipped, read.problems, layout=layout, detection=detection
    )
