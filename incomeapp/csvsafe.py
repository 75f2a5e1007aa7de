"""CSV files a spreadsheet can open safely: one writer for every export (issue 21, item 4).

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets
as a formula, so a tenant's name or a payment description such as `=HYPERLINK(...)` could run when an officer opens
the export (CSV injection, OWASP). Such a cell is written with a leading apostrophe, which spreadsheets show as text.
A plain number (`-12.50`, `+3`) is left alone: it is a value, not a formula, and analysts need it as a number.
"""

import csv
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_cell(value):
    """The value as it may go into a CSV cell: text that a spreadsheet would take as a formula is neutralised."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


class SafeCsvWriter:
    """`csv.writer` with every cell passed through `csv_cell`."""

    def __init__(self, handle, **options):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
