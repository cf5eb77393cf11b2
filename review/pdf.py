"""A printable PDF of a year's Form 8829s (one form per home) made with reportlab.

Lays out the stored forms with the same layout as the review page (`forms8829.render.FORM_8829`):
Parts I-IV with every line number and columns (a)/(b), or the Simplified Method Worksheet, the
Schedule C amounts beside the form, the carryover summary, the "See attached" statements and the
notes (project rules marked). Values are the engine's stored output; nothing is computed here.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forms8829 import lines as bill_lines
from forms8829.chain import YearForms, year_forms
from forms8829.render import FORM_8829, SIMPLIFIED_WORKSHEET, Part, layout
from ledger.models import Home
from review.page import attached_statements, business_rows, form_notes, line_value, money

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=8.5, leading=10.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
SMALL_NUMBER = ParagraphStyle("small_number", parent=SMALL, alignment=TA_RIGHT)
NUMBER = ParagraphStyle("number", parent=BODY, alignment=TA_RIGHT)
TITLE = ParagraphStyle("title", parent=_styles["Title"], fontSize=15, leading=18, spaceAfter=2)
HEADING = ParagraphStyle(
    "heading", parent=_styles["Heading3"], fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3
)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Helvetica-Bold")
BOLD_NUMBER = ParagraphStyle("bold_number", parent=NUMBER, fontName="Helvetica-Bold")
GRID = colors.HexColor("#9AA5B1")
SHADE = colors.HexColor("#DCE6F0")
KEY = colors.HexColor("#FFF4C2")
KEY_LINES = {FORM_8829: ("36", "43", "44")}
KEY_WORKSHEET_LINES = ("34", "41", "42")  # Pub 587's worksheet
WIDTHS = (0.45 * inch, 3.95 * inch, 1.3 * inch, 1.3 * inch)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: str, style=BODY, *, raw: bool = False) -> Paragraph:
    return Paragraph(text if raw else _esc(text), style)


def _table(rows, widths, *, header: bool = True, key_rows=(), numeric_from: int | None = None):
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    for row in key_rows:
        style.append(("BACKGROUND", (0, row), (-1, row), KEY))
    table.setStyle(TableStyle(style))
    return table


def _form_parts(lines: dict, rooms: bool, parts: tuple[Part, ...] = FORM_8829) -> list:
    flow = []
    key_lines = KEY_LINES.get(parts, KEY_WORKSHEET_LINES)
    for part in parts:
        two_columns = any(line.columns for line in part.lines)
        rows = [
            [
                _p("<b>Line</b>", raw=True),
                _p(f"<b>{_esc(part.title)}</b>", raw=True),
                _p("<b>(a) Direct</b>" if two_columns else "", NUMBER, raw=True),
                _p("<b>(b) Indirect</b>" if two_columns else "<b>Amount</b>", NUMBER, raw=True),
            ]
        ]
        key_rows = []
        for index, line in enumerate(part.lines, start=1):
            if line.columns:
                a = line_value(lines.get(f"{line.number}a"), line.kind, rooms=rooms)
                b = line_value(lines.get(f"{line.number}b"), line.kind, rooms=rooms)
            else:
                a, b = "", line_value(lines.get(line.number), line.kind, rooms=rooms)
            key = line.number in key_lines
            if key:
                key_rows.append(index)
            style, number_style = (BOLD, BOLD_NUMBER) if key else (BODY, NUMBER)
            rows.append(
                [
                    _p(line.number, style),
                    _p(line.title, style),
                    _p(a, number_style),
                    _p(b, number_style),
                ]
            )
        flow.append(KeepTogether(_table(rows, WIDTHS, key_rows=key_rows)))
        flow.append(Spacer(1, 5))
    return flow


def _worksheet(worksheet: dict, rooms: bool) -> list:
    rows = [
        [
            _p("<b>Line</b>", raw=True),
            _p("<b>Simplified Method Worksheet</b>", raw=True),
            _p(""),
            _p("<b>Amount</b>", NUMBER, raw=True),
        ]
    ]
    for line in SIMPLIFIED_WORKSHEET:
        value = line_value(worksheet.get(line.number), line.kind, rooms=rooms)
        rows.append([_p(line.number), _p(line.title), _p(""), _p(value, NUMBER)])
    key = [i for i, line in enumerate(SIMPLIFIED_WORKSHEET, start=1) if line.number == "5"]
    return [_table(rows, WIDTHS, key_rows=key), Spacer(1, 5)]


def _destinations(output: dict) -> tuple[str, list]:
    """(heading, rows) of where the deduction goes: Schedule C line 30 and the internet and
    phone shares beside the form, or each business's part (docs/tax-rules.md §6a)."""
    rows = business_rows(output)
    if rows:
        table = [[_p("Business and where its part goes"), _p("Amount", NUMBER)]]
        for row in rows:
            table.append(
                [
                    _p(f"{row.name} ({row.share_percent}%): to {row.goes_to}"),
                    _p(row.deduction, NUMBER),
                ]
            )
            if row.beside:
                table.append(
                    [
                        _p(f"{row.name}: internet and phone to {row.internet_phone_go_to}"),
                        _p(f"{row.internet} / {row.phone}", NUMBER),
                    ]
                )
        return "Where the deduction goes, and carryovers", table
    other = output.get("schedule_c_other") or {}
    return "Schedule C and carryovers", [
        [_p("Schedule C, beside the form"), _p("Amount", NUMBER)],
        [
            _p("Line 30: expenses for business use of your home"),
            _p(money(output.get("schedule_c_line_30")), NUMBER),
        ],
        *(
            [
                _p(
                    f"Line {entry.schedule_c_line}, utilities: {entry.label.lower()} "
                    "(business share)"
                ),
                _p(money(other.get(entry.category)), NUMBER),
            ]
            for entry in bill_lines.SCHEDULE_C
        ),
    ]


def _summary(form) -> list:
    output = form.output
    lines = output.get("lines") or {}
    regular = output.get("lines") is not None
    heading, schedule_c = _destinations(output)
    carry = [
        [
            _p("Carryover summary"),
            _p("Operating (25 / 27 / 43)", NUMBER),
            _p("Casualty & depreciation (31 / 33 / 44)", NUMBER),
        ],
        [
            _p("In from the last Form 8829 filed"),
            _p(money(form.carryover_operating_in), NUMBER),
            _p(money(form.carryover_casualty_depreciation_in), NUMBER),
        ],
        [
            _p("Allowed this year"),
            _p(money(lines.get("27")) if regular else "— (kept, simplified)", NUMBER),
            _p(money(lines.get("33")) if regular else "— (kept, simplified)", NUMBER),
        ],
        [
            _p("Carried to next year"),
            _p(money(form.carryover_operating_out), NUMBER),
            _p(money(form.carryover_casualty_depreciation_out), NUMBER),
        ],
    ]
    return [
        KeepTogether([_p(heading, HEADING), _table(schedule_c, (5.4 * inch, 1.6 * inch))]),
        Spacer(1, 5),
        _table(carry, (3.4 * inch, 1.8 * inch, 1.8 * inch)),
    ]


def _is_amount(text: str) -> bool:
    return text.startswith("$") or text.endswith("%") or (text.isdigit() and len(text) < 3)


def _attachments(form) -> list:
    flow = []
    for statement in attached_statements(form):
        block = [_p(f"See attached: {statement.title}", HEADING)]
        if statement.rows:
            count = len(statement.header)
            # The first column is a label (or a line number), the last ones are amounts.
            numeric = [i for i, cell in enumerate(statement.rows[0]) if i and _is_amount(cell)]
            rows = [
                [
                    _p(h, SMALL_NUMBER if i in numeric else SMALL)
                    for i, h in enumerate(statement.header)
                ]
            ]
            rows += [
                [_p(c, SMALL_NUMBER if i in numeric else SMALL) for i, c in enumerate(row)]
                for row in statement.rows
            ]
            if count == 3:
                widths = [0.5 * inch, 4.5 * inch, 2.0 * inch]
            else:
                widths = [2.0 * inch] + [5.0 * inch / (count - 1)] * (count - 1)
            block.append(_table(rows, widths))
        if statement.text:
            block.append(_p(statement.text))
        flow.append(KeepTogether(block))
    return flow


def _notes(form) -> list:
    notes = form_notes(form)
    if not notes:
        return []
    flow = [_p("Notes", HEADING)]
    for note in notes:
        tag = "<b>Project rule.</b> " if note.project_rule else ""
        flow.append(Paragraph(f"• {tag}{_esc(note.text)}", BODY))
    return flow


def _home_form(form, year: int, filed_text: str, owner_name: str) -> list:
    output = form.output
    rooms = form.home.area_method == Home.AreaMethod.ROOMS
    title, parts, values = layout(output)
    if title == "Form 8829":
        title = "Form 8829: Expenses for Business Use of Your Home"
    flow = [
        _p(f"{title} ({year})", TITLE),
        _p(
            f"Home: {output['home']}  ·  {output['method'].capitalize()} method  ·  "
            f"Taxpayer: {owner_name}  ·  {filed_text}"
        ),
        Spacer(1, 6),
    ]
    if output.get("lines") is not None:
        flow += _form_parts(values, rooms, parts)
    else:
        flow += _worksheet(output.get("simplified_worksheet") or {}, rooms)
    flow += _summary(form)
    flow += _attachments(form)
    flow += _notes(form)
    return flow


def _footer(year: int):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(
            doc.leftMargin,
            0.45 * inch,
            f"homeoffice ledger — Form 8829 for {year}, computed from the ledger; "
            "transcribe to the official IRS form.",
        )
        canvas.drawRightString(LETTER[0] - doc.rightMargin, 0.45 * inch, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def form_pdf(*, owner, year: int, forms: YearForms | None = None) -> bytes:
    """The year's Form 8829 for each home, as PDF bytes."""
    forms = forms if forms is not None else year_forms(owner=owner, year=year)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.55 * inch,
        bottomMargin=0.7 * inch,
        title=f"Form 8829 {year}",
        author="homeoffice",
        invariant=1,
    )
    tax_year = forms.tax_year
    filed_text = (
        f"Filed {tax_year.filed_at:%Y-%m-%d}"
        if tax_year.filed and tax_year.filed_at
        else ("Filed" if tax_year.filed else "Draft (not filed)")
    )
    # The taxpayer's name from the account (first and last name), else the username.
    full_name = getattr(owner, "get_full_name", lambda: "")().strip()
    owner_name = full_name or getattr(owner, "get_username", lambda: str(owner))()
    flow: list = []
    for index, form in enumerate(forms.forms):
        if index:
            flow.append(PageBreak())
        flow += _home_form(form, year, filed_text, owner_name)
    if not forms.forms:
        flow.append(_p(f"Form 8829 ({year})", TITLE))
        flow.append(_p(f"No home was used for business in {year}: there is no Form 8829."))
    for warning in forms.warnings:
        flow.append(Paragraph(f"<b>Warning.</b> {_esc(warning)}", BODY))
    doc.build(flow, onFirstPage=_footer(year), onLaterPages=_footer(year))
    return buffer.getvalue()
