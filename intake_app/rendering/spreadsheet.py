"""Cells of every CSV and XLSX we write: text a spreadsheet would run as a formula is defused.

OWASP's advice for CSV injection: a text cell that starts with =, +, -, @, tab or
carriage return gets a leading single quote, so Excel, LibreOffice and Google Sheets
show it as text instead of evaluating it (`=HYPERLINK(...)` as a partner's name).
Numbers stay numbers, whether given as numbers or as their text ("-1.5").
"""

import re
from collections.abc import Iterable

# The full-width forms are read as formulas by some spreadsheet applications too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


def spreadsheet_cell(value: object) -> object:
    """`value` safe to put in a spreadsheet cell: a formula-like text is quoted."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[object]) -> list[object]:
    return [spreadsheet_cell(v) for v in values]
