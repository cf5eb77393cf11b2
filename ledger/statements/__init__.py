"""Bank and card statements, read and matched without the database.

- `lines`: one transaction of a statement (`StatementLine`: date, signed amount, description,
  the bank's id), how a description is normalized and what makes two lines the same.
- `layouts`: CSV exports of any layout: the presets for the layouts US banks export, detection
  of an unknown layout (header after a preamble, date format, one signed amount column or
  debit/credit columns, the sign of a charge), and reading a file with a confirmed layout.
- `ofx`: OFX 1.x (SGML, `.qfx`) and 2.x (XML) through ofxtools.
- `reader`: `read_statement(data, layout=None)`, one entry for both formats.
- `matching`: payee rules (contains / starts with / regular expression, amount range, account)
  applied to a line, in order.

Every amount and date is read by `ledger.fields` (`read_statement_amount`,
`read_statement_date`), the one reader per field. This package must not import the ledger's
models, `forms8829`, `review` or `interface`: the import (`ledger.statement_import`) hands it
plain data and stores what it returns.
"""
