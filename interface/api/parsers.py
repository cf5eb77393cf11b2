"""How the API reads JSON bodies: as the ledger reads JSON everywhere (`ledger.fields.json_loads`).

`JSONParser` (the API's default, settings.REST_FRAMEWORK) keeps a number with a fraction as the
digits the client wrote (`ledger.fields.JSONNumber`), so `"amount": 12.5` is read like `"12.5"`
and `1.25e2` is refused like `"1.25e2"`, as in a ledger file or a CSV; `NaN` and `Infinity` are
not JSON. `LedgerFileParser` reads a ledger file sent as the body exactly as `manage.py
import_ledger` reads the same file (`ledger.ledger_file.ledger_file_parse`), answering 400 with
its `errors` list. No rules here beyond the reading.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from ledger.fields import json_loads
from ledger.ledger_file import LedgerFileError, ledger_file_parse


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json_loads(codecs.getreader(encoding)(stream).read())
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class LedgerFileParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return ledger_file_parse(stream.read(), name="file")
        except LedgerFileError as exc:
            raise ValidationError({"errors": exc.errors}) from None
