"""Import files to rows of text: CSV as Excel saves it (UTF-8 or UTF-16; , ; or tab) or XLSX.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first referral
row 2, a blank row still counts, and a cell with a line break in it does not add a row.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from intake_app.services.errors import ValidationFailed

SAVE_AS_CSV = "in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"
DELIMITERS = (",", ";", "\t")
Row = tuple[int, list[str]]


@dataclass
class Table:
    """The header and the rows after it, each with its number as the user sees it."""

    header: list[str]
    rows: Iterator[Row]


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read as a table; one line says why and what to do."""

    def __init__(self, problem: str) -> None:
        super().__init__([f"file: {problem}"])


def read_table(data: bytes, is_column: Callable[[str], bool], sheet: str | None = None) -> Table:
    """Rows of an XLSX workbook (first sheet, or `sheet`) or of a CSV file, by content."""
    if data.startswith(b"PK\x03\x04"):
        return xlsx_table(data, sheet)
    if sheet is not None:
        raise ValidationFailed(["sheet: only an Excel workbook (.xlsx) has sheets"])
    return csv_table(decode(data), is_column)


# -- CSV ---------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark, or UTF-16 with one; anything else refused."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise FileRefused(f"is UTF-32 text; {SAVE_AS_CSV}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileRefused(f"is damaged UTF-16 text; {SAVE_AS_CSV}") from None
    for magic, what in KNOWN_BINARIES:
        if data.startswith(magic):
            raise FileRefused(f"{what}, not a CSV file; {SAVE_AS_CSV}")
    head = data[:4096]
    if head.count(0) > len(head) // 4:
        raise FileRefused(
            f"is not text (it may be UTF-16 without a byte-order mark); {SAVE_AS_CSV}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRefused(
            f"is not UTF-8 text (from line {line}; probably saved in a Windows or Mac "
            f"code page such as Windows-1252); {SAVE_AS_CSV}"
        ) from None


KNOWN_BINARIES = (
    (b"\xd0\xcf\x11\xe0", "is an Excel 97-2003 workbook (.xls) or a password-protected one"),
    (b"%PDF", "is a PDF document"),
    (b"\x1f\x8b", "is a gzip archive"),
    (b"{\\rtf", "is an RTF document"),
)


def csv_table(text: str, is_column: Callable[[str], bool]) -> Table:
    # Lines split only where the csv module splits them (not at U+2028 and friends).
    lines = list(io.StringIO(text, newline=""))
    delimiter = sniff_delimiter(lines[0] if lines else "", is_column)
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] = []

    def rows() -> Iterator[Row]:
        number = 0
        while True:
            start = reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                record = "".join(lines[start : reader.line_num])
                raise ValidationFailed(
                    [_csv_error(number + 1, record, delimiter, header)]
                ) from None
            number += 1
            yield number, cells

    iterator = rows()
    first = next(iterator, None)
    header.extend(first[1] if first else [])
    return Table(header, iterator)


def sniff_delimiter(first_line: str, is_column: Callable[[str], bool]) -> str:
    """The delimiter that makes the most known column names of the header; comma on a tie."""

    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:
            return 0
        return sum(is_column(c.strip()) for c in cells)

    return max(DELIMITERS, key=known)  # max keeps the first of equals: the comma


def _csv_error(number: int, record: str, delimiter: str, header: list[str]) -> str:
    """Python's csv module refuses a field over its limit; say which cell, not 'Error'."""
    limit = csv.field_size_limit()
    index = _long_field(record, delimiter, limit)
    if index is None:
        return f"row {number}: is not valid CSV (check its quotes)"
    column = header[index] if index < len(header) else f"column {index + 1}"
    return f"row {number}, {column}: is longer than {limit} characters"


def _long_field(record: str, delimiter: str, limit: int) -> int | None:
    """The index of the first field of `record` longer than `limit`, or None."""
    index, length, quoted, i = 0, 0, False, 0
    while i < len(record):
        ch = record[i]
        if ch == '"' and quoted and record[i + 1 : i + 2] == '"':
            length, i = length + 1, i + 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            index, length = index + 1, 0
        elif ch in "\r\n" and not quoted:
            return None
        else:
            length += 1
        if length > limit:
            return index
        i += 1
    return None


# -- XLSX --------------------------------------------------------------------------------

DATE_ONLY_COLUMNS = frozenset({"date_of_birth"})


def xlsx_table(data: bytes, sheet: str | None) -> Table:
    import openpyxl

    what = _zip_kind(data)
    if what is not None:
        raise FileRefused(f"{what}; save it as an Excel Workbook (.xlsx) or as CSV UTF-8")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its zip and XML readers meet in a bad file
        raise FileRefused(_UNREADABLE) from None
    if sheet is None:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
    else:
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else None
        if worksheet is None:
            names = ", ".join(workbook.sheetnames)
            workbook.close()
            raise ValidationFailed([f"sheet: the workbook has no sheet {sheet!r} (it has {names})"])
    if worksheet is None or not hasattr(worksheet, "iter_rows"):
        workbook.close()
        raise FileRefused("has no worksheet to read")
    # The stored dimension may claim a million columns; read only the cells that exist.
    worksheet.reset_dimensions()
    rows = _xlsx_rows(workbook, worksheet.iter_rows())
    first = next(rows, None)
    while first is not None and all(getattr(c, "value", None) in (None, "") for c in first[1]):
        first = next(rows, None)  # blank rows above the header, kept for looks
    header = [_text(c, "") for c in first[1]] if first else []
    return Table(header, _with_columns(rows, header))


_UNREADABLE = "is not an Excel workbook that can be read (.xlsx); save it again from Excel"


def _zip_kind(data: bytes) -> str | None:
    """A ZIP file that is another application's document, named as the user knows it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.open("mimetype").read(100):
                return "is an OpenDocument file (.ods)"
            if "word/document.xml" in names:
                return "is a Word document"
            if "xl/workbook.xml" not in names:
                return "is a ZIP archive, not an Excel workbook"
    except Exception:  # a damaged archive: openpyxl will say it cannot read it
        return None
    return None


def _xlsx_rows(workbook: Any, cells: Iterator[tuple[Any, ...]]) -> Iterator[Row]:
    number = 0
    try:
        for row in cells:
            number += 1
            stated = next((c.row for c in row if getattr(c, "row", None)), None)
            number = stated or number
            yield number, row  # type: ignore[misc]
    except Exception:  # a damaged sheet part fails only when it is read
        raise FileRefused(_UNREADABLE) from None
    finally:
        workbook.close()


def _with_columns(rows: Iterator[Row], header: list[str]) -> Iterator[Row]:
    """Cells as text, the way the spreadsheet shows them, knowing each cell's column."""
    for number, cells in rows:
        texts = [_text(c, header[i] if i < len(header) else "") for i, c in enumerate(cells)]
        # Excel stores cells formatted but empty past the last column; they are not data.
        while len(texts) > len(header) and not texts[-1].strip():
            texts.pop()
        texts.extend([""] * (len(header) - len(texts)))
        yield number, texts


_TIME_TOKENS = re.compile(r"[hs]")
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _text(cell: Any, column: str) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        # Excel keeps times as fractions of a day; round the float noise to the second.
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
        if value.time() == time(0) and (
            column in DATE_ONLY_COLUMNS or not _shows_time(getattr(cell, "number_format", ""))
        ):
            return value.date().isoformat()
        return value.isoformat(sep="T")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        # An MRN typed as a number is stored as 123456.0; shown (and meant) as 123456.
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def _shows_time(number_format: str) -> bool:
    return bool(_TIME_TOKENS.search(_LITERALS.sub("", str(number_format).lower())))
