"""A report as an XLSX workbook (openpyxl): one sheet per table, built in memory.

Each sheet starts with title rows (report and table, clinic, period, generated-at, and
"De-identified" or "IDENTIFIED"), then the header row, frozen so it stays in view. Numbers are
numbers with a number format by column kind (a share is 0.0%, hours and days 0.0, counts
whole), so a manager can sort and sum them; text cells are defused against formula injection.
The printed page's header says de-identified or identified too.

openpyxl's own writer puts each sheet's XML in a temporary file (in write-only mode too); an
identified report would leave names in plain text in the temp folder, against SPEC §6. So
`_save` serialises every sheet into memory instead (`WorksheetWriter` takes a BytesIO).
"""

import io
import re
from datetime import UTC, datetime
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

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
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in chosen:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        _write_sheet(sheet, document, table, steps)
        steps.advance()
    if not chosen:
        workbook.create_sheet("Report")
    return _save(workbook)


class _MemoryExcelWriter(ExcelWriter):  # type: ignore[misc]
    """openpyxl's writer, each sheet's XML kept in memory rather than in a temporary file."""

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
        _MemoryExcelWriter(workbook, archive).save()
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


def _write_sheet(sheet: Worksheet, doc: ReportDocument, table: Table, steps: Steps) -> None:
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
    lines = (
        (f"{doc.title} — {table.title}", TITLE_FONT),
        (heading.details, None),
        (privacy, PRIVACY_FONT),
        # The table's own note says which clock its waits are on, where it has waits.
        (" ".join(x for x in (heading.grouping, table.note) if x), None),
    )
    for row, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, _text(text))
        if font is not None:
            cell.font = font
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, _text(column.label))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(
            horizontal="right" if is_numeric(column.kind) else "left", wrap_text=True
        )
    formats = [NUMBER_FORMATS.get(c.kind) for c in table.columns]
    for row_number, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for index, (value, column, number_format) in enumerate(
            zip(row, table.columns, formats, strict=True), start=1
        ):
            if value is None:
                continue
            cell = sheet.cell(row_number, index, _value(value, column))
            if number_format is not None:
                cell.number_format = number_format
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
