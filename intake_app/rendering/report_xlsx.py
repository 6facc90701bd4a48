"""A report as an XLSX workbook (openpyxl, write-only): one sheet per table.

Each sheet starts with title rows (report and table, clinic, period, generated-at, and
"De-identified" or "IDENTIFIED"), then the header row, frozen so it stays in view. Numbers are
numbers with a number format by column kind (a share is 0.0%, hours and days 0.0, counts
whole), so a manager can sort and sum them; text cells are defused against formula injection.
The printed page's header says de-identified or identified too.
"""

import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from intake_app.domain.report_tables import Column, ReportDocument, Table
from intake_app.rendering.report_cells import (
    Progress,
    Steps,
    display_text,
    document_heading,
    is_numeric,
    met_text,
)
from intake_app.rendering.spreadsheet import spreadsheet_cell

NUMBER_FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "hours": "0.0",
    "days": "0.0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
HEADER_ROW = 6  # rows 1-4: title, details, privacy, note; row 5 blank
ROWS_PER_STEP = 500
WIDTH_SAMPLE = 500  # rows looked at to size a column
MIN_WIDTH, MAX_WIDTH = 8, 60

TITLE_FONT = Font(bold=True, size=14)
PRIVACY_FONT = Font(bold=True, color="9C0006")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4E6")
HEADER_BORDER = Border(bottom=Side(style="thin", color="5B6670"))
WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def report_xlsx(
    document: ReportDocument, progress: Progress | None = None, tables: tuple[Table, ...] = ()
) -> bytes:
    """The workbook as bytes; `tables` (default: all of the document's) one sheet each.

    Raises `report_cells.Cancelled` when `progress(done, total)` returns False.
    """
    chosen = tables or document.tables
    steps = Steps(sum(len(t.rows) for t in chosen) + len(chosen), progress, ROWS_PER_STEP)
    steps.check()
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in chosen:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        _write_sheet(sheet, document, table, steps)
        steps.advance()
    if not chosen:
        workbook.create_sheet("Report")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    """At most 31 characters, none of those Excel refuses, unique in the workbook."""
    base = _SHEET_UNSAFE.sub(" ", title).strip().strip("'")[:31] or "Table"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _text(value: str) -> str:
    """Text openpyxl can store (no XML-illegal control characters), formulas defused."""
    return str(spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))


def _write_sheet(
    sheet: WriteOnlyWorksheet, doc: ReportDocument, table: Table, steps: Steps
) -> None:
    heading = document_heading(doc)
    privacy = heading.privacy
    # Printed pages say it too, in the page header and footer.
    sheet.oddHeader.center.text = _text(privacy)
    sheet.oddFooter.left.text = _text(f"{doc.clinic} · {heading.period}")
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _width(table, index - 1, column)

    def styled(value: object, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        return cell

    sheet.append([styled(_text(f"{doc.title} — {table.title}"), TITLE_FONT)])
    sheet.append([styled(_text(heading.details))])
    sheet.append([styled(_text(privacy), PRIVACY_FONT)])
    sheet.append([styled(_text(" ".join(x for x in (table.note, heading.basis) if x)))])
    sheet.append([])
    header = []
    for column in table.columns:
        cell = styled(_text(column.label), HEADER_FONT)
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(
            horizontal="right" if is_numeric(column.kind) else "left", wrap_text=True
        )
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(c.kind) for c in table.columns]
    for row in table.rows:
        cells = []
        for value, column, number_format in zip(row, table.columns, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=_value(value, column))
            if number_format is not None and value is not None:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
        steps.advance()


def _value(value: object, column: Column) -> object:
    if value is None:
        return None
    if column.kind == "met":
        return _text(met_text(value))
    if is_numeric(column.kind) and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: the clock time as the clinic read it.
        return value.replace(tzinfo=None)
    if column.kind == "date" and not isinstance(value, str):
        return value
    return _text(str(value))


def _width(table: Table, index: int, column: Column) -> float:
    sample = table.rows[:WIDTH_SAMPLE]
    longest = max(
        [len(display_text(row[index], column.kind)) for row in sample]
        + [min(len(column.label), 24)],
        default=0,
    )
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
