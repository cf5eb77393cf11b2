"""How the API reads JSON bodies: as the ledger reads JSON everywhere (`ledger.fields.json_loads`).

`JSONParser` (the API's default, settings.REST_FRAMEWORK) keeps a number with a fraction as the
digits the client wrote (`ledger.fields.JSONNumber`), so `"amount": 12.5` is read like `"12.5"`
and `1.25e2` is refused like `"1.25e2"`, as in a ledger file or a CSV; `NaN` and `Infinity` are
not JSON, and nothing nests deeper than `ledger.fields.JSON_MAX_DEPTH` (a 400 past it). A body
larger than the door's limit is answered 413 after reading one byte past the limit, never the
whole body: `settings.DATA_UPLOAD_MAX_MEMORY_SIZE` for a record, `LEDGER_JSON_MAX_BYTES` for a
ledger file.
`LedgerFileParser` reads a ledger file sent as the body exactly as `manage.py import_ledger`
reads the same file (`ledger.ledger_file.ledger_file_parse`), answering 400 with its `errors`
list. No rules here beyond the reading.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError

from ledger.fields import json_loads
from ledger.ledger_archive import LEDGER_JSON_MAX_BYTES
from ledger.ledger_file import LedgerFileError, ledger_file_parse


class RequestTooLarge(APIException):
    """413: the body is larger than this door takes; it was not read past the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def read_body(stream, limit: int, what: str = "The JSON body") -> bytes:
    """The body, read up to `limit` bytes; RequestTooLarge (413) past it."""
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise RequestTooLarge(f"{what} is larger than the limit of {limit:,} bytes.")
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = read_body(stream, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        try:
            return json_loads(raw.decode(encoding))
        except UnicodeDecodeError:
            raise ParseError(f"JSON parse error - the body is not {encoding} text.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class LedgerFileParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = read_body(stream, LEDGER_JSON_MAX_BYTES, "The ledger file")
        try:
            return ledger_file_parse(raw, name="file")
        except LedgerFileError as exc:
            raise ValidationError({"errors": exc.errors}) from None
