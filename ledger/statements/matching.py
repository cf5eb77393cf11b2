"""Payee rules, matched without the database.

A rule matches a statement line when its text matches the line's description (`contains` and
`starts_with` compare normalized text: capitals, no punctuation, no reference numbers;
`regex` is a regular expression searched in the description as written, any letter case), the
line's amount (as a positive number: 89.99 for a charge of -89.99) is within the rule's range
when it has one, and the line comes from the rule's account when it names one. Rules are tried in
their order; the first that matches decides.

`first_match` takes any objects with the rule's attributes (`match`, `pattern`, `amount_min`,
`amount_max`, `account_id`), the ledger's `PayeeRule` rows among them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ledger.statements.lines import normalize_description

CONTAINS, STARTS_WITH, REGEX = "contains", "starts_with", "regex"
MATCH_KINDS = {
    CONTAINS: "Description contains",
    STARTS_WITH: "Description starts with",
    REGEX: "Description matches the regular expression",
}
MAX_PATTERN_WORDS = 2  # enough to name a payee, few enough to match its next line


class PatternError(ValueError):
    pass


@lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise PatternError(f"is not a valid regular expression ({exc})") from None


def check_pattern(match: str, pattern: str) -> None:
    """Raise PatternError when the rule's text could never match anything."""
    if match == REGEX:
        compiled(pattern)
    elif not normalize_description(pattern):
        raise PatternError("must contain a letter or a digit")


def text_matches(match: str, pattern: str, description: str, normalized: str) -> bool:
    if match == REGEX:
        return compiled(pattern).search(description) is not None
    wanted = normalize_description(pattern)
    if not wanted:
        return False
    if match == STARTS_WITH:
        return normalized == wanted or normalized.startswith(wanted + " ")
    return f" {wanted} " in f" {normalized} "


def rule_matches(rule: Any, *, description: str, normalized: str, amount: Decimal, account_id):
    if rule.account_id is not None and rule.account_id != account_id:
        return False
    size = abs(amount)
    if rule.amount_min is not None and size < rule.amount_min:
        return False
    if rule.amount_max is not None and size > rule.amount_max:
        return False
    return text_matches(rule.match, rule.pattern, description, normalized)


def first_match(rules: Iterable[Any], *, description: str, amount: Decimal, account_id=None):
    """The first of `rules` (in order) that matches the line, or None."""
    normalized = normalize_description(description)
    for rule in rules:
        if rule_matches(
            rule,
            description=description,
            normalized=normalized,
            amount=amount,
            account_id=account_id,
        ):
            return rule
    return None


def pattern_for(description: str) -> str:
    """The text a rule made from one line matches: the first words of its normalized description
    ("COMCAST CABLE COMM 800-266-2278 PA" -> "COMCAST CABLE")."""
    words = normalize_description(description).split()
    # Leading words that say how the bank moved the money, not who was paid ("POS DEBIT ...").
    noise = {"POS", "ACH", "DEBIT", "PURCHASE", "CARD", "WEB", "PMT", "PPD", "ONLINE", "CHECKCARD"}
    start = 0
    while start < len(words) - 1 and words[start] in noise:
        start += 1
    return " ".join(words[start : start + MAX_PATTERN_WORDS])
