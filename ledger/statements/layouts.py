"""CSV statements of any layout: presets, detection, and reading a file with its layout.

A `Layout` says how one bank's CSV export is read: which row is the header (found by its cells,
after any preamble such as Bank of America's summary), which column holds the date (and in which
format), the description, the amount (one signed column, or separate debit and credit columns),
an optional memo and type, and whether a charge is written negative or positive. An account's
layout is proposed by `detect_layout`, confirmed once by the user, saved with the account, and
every later file of that account is read with it (`read_csv`).

`PRESETS` are the layouts US banks actually export (tests/ledger/statements has a fixture file
of each). A file whose header names a preset's columns takes that preset, sign and date format
included; any other header is read by the names of its columns (`ROLE_NAMES`) and its content
(the date format that reads every date, the sign most amounts have); a file without a header is
read by content alone (a column of dates, one of amounts, the longest text).

Cells are read by `ledger.fields` (`read_statement_date`, `read_statement_amount`): the one
reader per field. No database here.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal

from ledger.fields import (
    STATEMENT_DATE_FORMATS,
    FieldError,
    read_statement_amount,
    read_statement_date,
)
from ledger.statements.lines import StatementLine

NEGATIVE, POSITIVE = "negative", "positive"  # how a charge (money out) is written
CHARGE_SIGNS = {
    NEGATIVE: "Charges are negative (-89.99), credits positive",
    POSITIVE: "Charges are positive (89.99), credits negative",
}
ROLES = ("date", "description", "amount", "debit", "credit", "memo", "kind")
ROLE_LABELS = {
    "date": "Date",
    "description": "Description",
    "amount": "Amount (signed)",
    "debit": "Debit (money out)",
    "credit": "Credit (money in)",
    "memo": "Memo",
    "kind": "Type",
}
MAX_ROWS = 10_000
HEADER_SEARCH_ROWS = 40  # a preamble longer than this is not a statement's

# Column names as banks write them, by role, normalized by `_name` (lower case, no dots).
ROLE_NAMES = {
    "date": (
        "transaction date",
        "trans date",
        "date",
        "posting date",
        "posted date",
        "post date",
        "effective date",
        "date posted",
    ),
    "description": (
        "description",
        "payee",
        "merchant",
        "name",
        "transaction description",
        "original description",
        "details",
    ),
    "amount": ("amount", "transaction amount", "amt", "amount usd"),
    "debit": ("debit", "debits", "withdrawal", "withdrawals", "withdrawal amount", "money out"),
    "credit": ("credit", "credits", "deposit", "deposits", "deposit amount", "money in"),
    "memo": ("memo", "notes", "extended details"),
    "kind": ("type", "transaction type", "details"),
}


def _name(cell: str) -> str:
    return " ".join(cell.replace(".", " ").replace("_", " ").lower().split())


class LayoutError(ValueError):
    """A layout that cannot read the file, or that names no date, description or amount."""


@dataclass(frozen=True)
class Layout:
    """How one bank's CSV export is read. Columns are 0-based indexes."""

    header: tuple[str, ...] = ()  # the header row's cells; () when the file has none
    width: int = 0  # cells per row
    date: int = 0
    description: int = 1
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    memo: int | None = None
    kind: int | None = None
    date_format: str = "MM/DD/YYYY"
    charges: str = NEGATIVE
    preset: str = ""  # the preset it came from, "" when detected or mapped by hand

    def __post_init__(self):
        object.__setattr__(self, "header", tuple(self.header))

    def check(self) -> Layout:
        """This layout, or LayoutError naming what is wrong with it."""
        if self.date_format not in STATEMENT_DATE_FORMATS:
            raise LayoutError(f"unknown date format {self.date_format!r}")
        if self.charges not in CHARGE_SIGNS:
            raise LayoutError(f"charges must be {NEGATIVE!r} or {POSITIVE!r}")
        if self.amount is None and self.debit is None and self.credit is None:
            raise LayoutError("choose the amount column, or the debit and credit columns")
        used = [(role, getattr(self, role)) for role in ROLES if getattr(self, role) is not None]
        for role, column in used:
            if not 0 <= column < max(self.width, 1):
                raise LayoutError(f"the {role} column ({column + 1}) is not in the file")
        columns = [column for _, column in used]
        if len(columns) != len(set(columns)):
            raise LayoutError("one column is chosen for two roles")
        return self

    @property
    def signature(self) -> str:
        """What identifies the export: its header's names, or its width when it has none."""
        if self.header:
            return "|".join(_name(cell) for cell in self.header)
        return f"{self.width} columns, no header"

    def column_label(self, column: int | None) -> str:
        if column is None:
            return "—"
        if self.header and column < len(self.header):
            return f"{column + 1}: {self.header[column]}"
        return f"column {column + 1}"

    def described(self) -> list[tuple[str, str]]:
        """(role, column) pairs as a person reads them, plus date format and sign."""
        rows = [
            (ROLE_LABELS[role], self.column_label(getattr(self, role)))
            for role in ROLES
            if getattr(self, role) is not None
        ]
        rows.append(("Date format", self.date_format))
        rows.append(("Sign", CHARGE_SIGNS[self.charges]))
        return rows

    def to_dict(self) -> dict:
        data = asdict(self)
        data["header"] = list(self.header)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Layout:
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in data.items() if k in known}).check()
        except TypeError as exc:
            raise LayoutError(str(exc)) from None


@dataclass(frozen=True)
class Preset:
    """A layout a US bank exports, by the names of its columns (or, headerless, its width)."""

    key: str
    label: str
    columns: dict[str, str]  # role -> the header cell that holds it
    charges: str
    date_format: str = "MM/DD/YYYY"
    requires: tuple[str, ...] = ()  # other header cells that tell this export from others
    headerless: Layout | None = None  # a file with no header row

    def layout_for(self, header: tuple[str, ...]) -> Layout | None:
        """The preset's layout for a file whose header is `header`, if every column it names
        is there."""
        if self.headerless is not None:
            return None
        names = [_name(cell) for cell in header]
        if any(_name(cell) not in names for cell in self.requires):
            return None
        roles = {}
        for role, column in self.columns.items():
            if _name(column) not in names:
                return None
            roles[role] = names.index(_name(column))
        return Layout(
            header=header,
            width=len(header),
            date_format=self.date_format,
            charges=self.charges,
            preset=self.key,
            **roles,
        )


PRESETS: tuple[Preset, ...] = (
    Preset(
        "checking-details",
        "Checking export (Details, Posting Date, Description, Amount, Type, Balance)",
        {
            "date": "Posting Date",
            "description": "Description",
            "amount": "Amount",
            "kind": "Type",
        },
        NEGATIVE,
        requires=("Details", "Balance"),
    ),
    Preset(
        "bank-of-america",
        "Bank of America checking (summary, then Date, Description, Amount, Running Bal.)",
        {"date": "Date", "description": "Description", "amount": "Amount"},
        NEGATIVE,
        requires=("Running Bal.",),
    ),
    Preset(
        "card-debit-credit",
        "Card export with separate Debit and Credit columns",
        {
            "date": "Transaction Date",
            "description": "Description",
            "debit": "Debit",
            "credit": "Credit",
            "memo": "Category",
        },
        POSITIVE,
        date_format="YYYY-MM-DD",
        requires=("Posted Date", "Card No."),
    ),
    Preset(
        "card-charges-positive",
        "Card export where charges are positive (Trans. Date, Post Date, Description, Amount)",
        {
            "date": "Trans. Date",
            "description": "Description",
            "amount": "Amount",
            "memo": "Category",
        },
        POSITIVE,
        requires=("Post Date",),
    ),
    Preset(
        "card-charges-negative",
        "Card export where charges are negative (Transaction Date, Post Date, ..., Amount, Memo)",
        {
            "date": "Transaction Date",
            "description": "Description",
            "amount": "Amount",
            "kind": "Type",
            "memo": "Memo",
        },
        NEGATIVE,
        requires=("Post Date",),
    ),
    Preset(
        "headerless-five",
        "Headerless five-column export (date, amount, *, check number, description)",
        {},
        NEGATIVE,
        headerless=Layout(
            width=5, date=0, amount=1, description=4, memo=3, preset="headerless-five"
        ),
    ),
)
PRESETS_BY_KEY = {preset.key: preset for preset in PRESETS}


# --------------------------------------------------------------------------------------------
# Reading the rows


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Skipped:
    """A row of the file that is no transaction (a balance line, the summary before the header),
    reported, never silently dropped."""

    line: int
    reason: str


@dataclass(frozen=True)
class CsvRead:
    lines: list[StatementLine] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def decode(data: bytes | str) -> str:
    """Text of a statement: UTF-8 with or without a byte-order mark, else Windows-1252 (what
    a bank's "Excel" export often is)."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row; the delimiter is sniffed (, ; tab |)."""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    if delimiter != "," and sample.count(",") > sample.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    line = 1
    for cells in reader:
        cells = [cell.strip() for cell in cells]
        if any(cells):
            rows.append((line, cells))
        line = reader.line_num + 1
    return rows


def _find_header(rows, header: tuple[str, ...]) -> int | None:
    wanted = [_name(cell) for cell in header]
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if [_name(cell) for cell in cells[: len(wanted)]] == wanted:
            return index
    return None


def read_csv(data: bytes | str, layout: Layout) -> CsvRead:
    """The transactions of a CSV statement read with `layout`; every row that is not one is
    in `skipped` with its reason, every cell that cannot be read in `problems`."""
    rows = csv_rows(decode(data))
    result = CsvRead()
    if layout.header:
        at = _find_header(rows, layout.header)
        if at is None:
            result.problems.append(
                Problem(
                    None,
                    None,
                    "the header row of this account's layout ("
                    + ", ".join(layout.header)
                    + ") is not in the file; is it another account's export?",
                )
            )
            return result
        if at:
            first, last = rows[0][0], rows[at - 1][0]
            span = f"lines {first}-{last}" if first != last else f"line {first}"
            result.skipped.append(
                Skipped(first, f"{span}: the statement's summary, before the header")
            )
        rows = rows[at + 1 :]
    if len(rows) > MAX_ROWS:
        result.problems.append(Problem(None, None, f"the file has more than {MAX_ROWS:,} rows"))
        return result
    for line, cells in rows:
        _read_row(line, cells, layout, result)
    if not result.lines and not result.problems:
        result.problems.append(Problem(None, None, "the file lists no transactions"))
    return result


def _cell(cells: list[str], column: int | None) -> str:
    if column is None or column >= len(cells):
        return ""
    return cells[column]


def _read_row(line: int, cells: list[str], layout: Layout, result: CsvRead) -> None:
    date_text = _cell(cells, layout.date)
    money = [_cell(cells, c) for c in (layout.amount, layout.debit, layout.credit)]
    if not any(money):
        what = " ".join(cell for cell in cells if cell)[:60]
        result.skipped.append(Skipped(line, f"no amount (a balance or summary line: {what})"))
        return
    problems = []
    try:
        posted_on = read_statement_date(date_text, layout.date_format)
    except FieldError as exc:
        problems.append(Problem(line, f"column {layout.column_label(layout.date)}", exc.message))
    try:
        amount = _amount(cells, layout)
    except _CellError as exc:
        problems.append(Problem(line, f"column {layout.column_label(exc.column)}", exc.message))
    description = _cell(cells, layout.description)
    if not description:
        problems.append(
            Problem(line, f"column {layout.column_label(layout.description)}", "is required")
        )
    if problems:
        result.problems.extend(problems)
        return
    result.lines.append(
        StatementLine(
            line=line,
            posted_on=posted_on,
            amount=amount,
            description=" ".join(description.split())[:200],
            memo=_cell(cells, layout.memo)[:200],
            kind=_cell(cells, layout.kind)[:40],
        )
    )


class _CellError(ValueError):
    def __init__(self, column: int | None, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _read_money(cells: list[str], column: int | None) -> Decimal | None:
    text = _cell(cells, column)
    if not text:
        return None
    try:
        return read_statement_amount(text)
    except FieldError as exc:
        raise _CellError(column, exc.message) from None


def _amount(cells: list[str], layout: Layout) -> Decimal:
    """The signed amount (negative: money out), whatever the layout's convention."""
    if layout.amount is not None and _cell(cells, layout.amount):
        value = _read_money(cells, layout.amount)
        return value if layout.charges == NEGATIVE else -value
    debit = _read_money(cells, layout.debit) or Decimal("0.00")
    credit = _read_money(cells, layout.credit) or Decimal("0.00")
    # A debit column holds money out whichever sign the bank gives it; a credit money in.
    return abs(credit) - abs(debit)


# --------------------------------------------------------------------------------------------
# Detection


@dataclass(frozen=True)
class Detection:
    layout: Layout | None
    notes: tuple[str, ...] = ()  # what detection decided, for the person who confirms it
    problem: str = ""  # why no layout could be proposed

    @property
    def preset(self) -> Preset | None:
        return PRESETS_BY_KEY.get(self.layout.preset) if self.layout else None


def detect_layout(data: bytes | str) -> Detection:
    """A layout proposed for a CSV statement: a preset when its header (or, headerless, its
    shape) is one, else read from the names of its columns and its content."""
    rows = csv_rows(decode(data))
    if not rows:
        return Detection(None, problem="the file is empty")
    header_at = _header_row(rows)
    if header_at is None:
        return _detect_headerless(rows)
    header = tuple(rows[header_at][1])
    body = [cells for _, cells in rows[header_at + 1 :]]
    notes = []
    if header_at:
        notes.append(f"The header is line {rows[header_at][0]}; the lines before it are skipped.")
    for preset in PRESETS:
        layout = preset.layout_for(header)
        if layout is not None and _reads(body, layout):
            return Detection(layout, (f"Preset: {preset.label}.", *notes))
    roles = _roles_by_name(header)
    if "date" not in roles or "description" not in roles:
        missing = [r for r in ("date", "description") if r not in roles]
        return Detection(
            None, problem=f"no {' or '.join(missing)} column found in the header; map it by hand"
        )
    if not {"amount", "debit", "credit"} & roles.keys():
        return Detection(None, problem="no amount, debit or credit column found; map it by hand")
    layout = Layout(header=header, width=len(header), **roles)
    return _with_content(layout, body, notes)


def _header_row(rows) -> int | None:
    """The first row (of the first few) whose cells name a date and an amount column, followed
    by a row as wide."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {_name(cell) for cell in cells}
        has_date = names & set(ROLE_NAMES["date"])
        has_money = names & set(ROLE_NAMES["amount"] + ROLE_NAMES["debit"] + ROLE_NAMES["credit"])
        if has_date and has_money and len([c for c in cells if c]) >= 3:
            following = rows[index + 1 : index + 2]
            if not following or len(following[0][1]) >= len([c for c in cells if c]) - 1:
                return index
    return None


def _roles_by_name(header: tuple[str, ...]) -> dict[str, int]:
    names = [_name(cell) for cell in header]
    roles: dict[str, int] = {}
    for role in ROLES:
        for wanted in ROLE_NAMES[role]:  # the first synonym listed wins
            if wanted in names and names.index(wanted) not in roles.values():
                roles[role] = names.index(wanted)
                break
    if "amount" in roles:  # one signed column: debit/credit columns would be read twice
        roles.pop("debit", None)
        roles.pop("credit", None)
    return roles


def _reads(body: list[list[str]], layout: Layout) -> bool:
    """Whether the layout reads every transaction row of the sample."""
    sample = [cells for cells in body[:200] if any(_cell(cells, c) for c in _money_columns(layout))]
    for cells in sample:
        try:
            read_statement_date(_cell(cells, layout.date), layout.date_format)
            _amount(cells, layout)
        except (FieldError, _CellError):
            return False
    return bool(sample)


def _money_columns(layout: Layout) -> list[int]:
    return [c for c in (layout.amount, layout.debit, layout.credit) if c is not None]


def _date_format(dates: list[str]) -> tuple[str | None, bool]:
    """The first format (in STATEMENT_DATE_FORMATS order) that reads every date, and whether
    another one does too (a file whose days are all 12 or less reads as MM/DD and DD/MM)."""
    fitting = []
    for name in STATEMENT_DATE_FORMATS:
        try:
            for text in dates:
                read_statement_date(text, name)
        except FieldError:
            continue
        fitting.append(name)
    return (fitting[0] if fitting else None), len(fitting) > 1


def _with_content(layout: Layout, body: list[list[str]], notes: list[str]) -> Detection:
    money_rows = [cells for cells in body if any(_cell(cells, c) for c in _money_columns(layout))]
    dates = [_cell(cells, layout.date) for cells in money_rows[:500]]
    date_format, ambiguous = _date_format(dates)
    if date_format is None:
        return Detection(None, problem="the dates are in no format this reader knows; map by hand")
    notes.append(
        f"Dates read as {date_format}"
        + (" (they would read as another format too: check a date)." if ambiguous else ".")
    )
    layout = replace(layout, date_format=date_format)
    if layout.amount is not None:
        signs = Counter()
        for cells in money_rows:
            try:
                value = read_statement_amount(_cell(cells, layout.amount))
            except FieldError:
                return Detection(
                    None,
                    problem=f"column {layout.column_label(layout.amount)} "
                    "holds something that is not an amount; map by hand",
                )
            signs[value < 0] += 1
        negative, positive = signs[True], signs[False]
        # Most lines of a statement are money out: the sign most amounts have is a charge's.
        charges = NEGATIVE if negative >= positive else POSITIVE
        layout = replace(layout, charges=charges)
        notes.append(
            f"{CHARGE_SIGNS[charges]}: {max(negative, positive)} of {negative + positive} "
            "amounts have that sign (most lines of a statement are charges); check it."
        )
    try:
        layout.check()
    except LayoutError as exc:
        return Detection(None, problem=str(exc))
    return Detection(layout, tuple(notes))


def _detect_headerless(rows) -> Detection:
    width = Counter(len(cells) for _, cells in rows).most_common(1)[0][0]
    body = [cells for _, cells in rows if len(cells) == width]
    for preset in PRESETS:
        if preset.headerless is not None and preset.headerless.width == width:
            layout = replace(preset.headerless, charges=preset.charges)
            for date_format in STATEMENT_DATE_FORMATS:
                candidate = replace(layout, date_format=date_format)
                if _reads(body, candidate):
                    return Detection(candidate, (f"Preset: {preset.label}.",))
    # By content: the column every row has a date in, one every row has an amount in, and the
    # longest text.
    columns = range(width)
    sample = body[:200]
    date_column = next((c for c in columns if _date_format([r[c] for r in sample])[0]), None)
    if date_column is None:
        return Detection(None, problem="no header row and no column of dates; map it by hand")
    amount_column = next(
        (c for c in columns if c != date_column and _all_amounts([r[c] for r in sample])), None
    )
    if amount_column is None:
        return Detection(None, problem="no header row and no column of amounts; map it by hand")
    others = [c for c in columns if c not in (date_column, amount_column)]
    if not others:
        return Detection(None, problem="no column of descriptions; map it by hand")
    description = max(others, key=lambda c: sum(len(r[c]) for r in sample))
    layout = Layout(width=width, date=date_column, amount=amount_column, description=description)
    return _with_content(layout, body, ["The file has no header row; columns read by content."])


def _all_amounts(cells: list[str]) -> bool:
    try:
        return all(read_statement_amount(cell) is not None for cell in cells) and any(cells)
    except FieldError:
        return False
