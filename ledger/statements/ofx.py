"""OFX statements: 1.x (SGML, the `.qfx` most US banks and card issuers offer) and 2.x (XML),
read by ofxtools.

A file holds one account's statement: its bank id, account id and type (checking, savings, credit
card), and its transactions, each with the bank's id for it (FITID), which is how a transaction
seen in two overlapping downloads is known to be the same. Amounts keep OFX's sign (negative:
money out), the ledger's too. The day of a transaction is the day written in the file (its time
and zone are not converted to UTC first, which could move an evening payment to the next day).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from ofxtools.Parser import OFXTree

from ledger.fields import FieldError, read_statement_amount, read_statement_date
from ledger.statements.layouts import MAX_ROWS, Problem
from ledger.statements.lines import StatementLine

_OFX_START = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*(OFXHEADER|<\?xml|<\?OFX|<OFX>)", re.IGNORECASE)


def is_ofx(data: bytes) -> bool:
    """Whether the file is OFX (by its content, whatever its name)."""
    return bool(_OFX_START.match(data[:512]))


@dataclass(frozen=True)
class OfxAccount:
    account_id: str  # ACCTID as the bank writes it (often the full number)
    bank_id: str = ""  # BANKID (routing number); "" for a card
    account_type: str = ""  # CHECKING, SAVINGS, CREDITLINE, ... or CREDITCARD

    @property
    def key(self) -> str:
        """What identifies the account across files."""
        return f"{self.bank_id}:{self.account_id}" if self.bank_id else self.account_id

    @property
    def label(self) -> str:
        kind = "Card" if self.account_type == "CREDITCARD" else self.account_type.title()
        return f"{kind or 'Account'} …{self.account_id[-4:]}"


@dataclass(frozen=True)
class OfxRead:
    account: OfxAccount | None = None
    lines: list[StatementLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_ofx(data: bytes) -> OfxRead:
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")))
        raw = tree.getroot()
        converted = tree.convert()
    except Exception as exc:  # ofxtools raises many kinds; every one means "not readable"
        message = " ".join(str(exc).split())[:200] or type(exc).__name__
        return OfxRead(problems=[Problem(None, None, f"is not a readable OFX file ({message})")])
    statements = [s for s in converted.statements if hasattr(s, "banktranlist")]
    if len(statements) != 1:
        found = f"{len(statements)} accounts" if statements else "no bank or card statement"
        return OfxRead(
            problems=[
                Problem(None, None, f"holds {found}; download one account's statement per file")
            ]
        )
    (statement,) = statements
    account = statement.account
    ofx_account = OfxAccount(
        account_id=str(account.acctid),
        bank_id=str(getattr(account, "bankid", "") or ""),
        account_type=str(getattr(account, "accttype", "") or "CREDITCARD"),
    )
    # The dates as written: the raw tree's DTPOSTED, in the same order as the transactions.
    written = [element.findtext("DTPOSTED") or "" for element in raw.iter("STMTTRN")]
    transactions = list(statement.banktranlist or [])
    if len(transactions) > MAX_ROWS:
        problem = Problem(None, None, f"the file has more than {MAX_ROWS:,} transactions")
        return OfxRead(account=ofx_account, problems=[problem])
    lines, problems = [], []
    for number, (transaction, date_text) in enumerate(zip(transactions, written, strict=True), 1):
        try:
            posted_on = read_statement_date(date_text.strip()[:8], "YYYYMMDD")
            amount = read_statement_amount(str(transaction.trnamt))
        except FieldError as exc:
            problems.append(Problem(number, f"transaction {transaction.fitid}", exc.message))
            continue
        name = str(transaction.name or getattr(transaction.payee, "name", "") or "")
        memo = str(transaction.memo or "")
        lines.append(
            StatementLine(
                line=number,
                posted_on=posted_on,
                amount=amount,
                description=" ".join((name or memo).split())[:200],
                memo=memo[:200] if name else "",
                fitid=str(transaction.fitid)[:255],
                kind=str(transaction.trntype or ""),
            )
        )
    if not lines and not problems:
        problems.append(Problem(None, None, "the statement lists no transactions"))
    return OfxRead(account=ofx_account, lines=lines, problems=problems)
