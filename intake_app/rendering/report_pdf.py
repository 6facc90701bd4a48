"""A report as PDF (reportlab platypus): letterhead, period, each table with its charts.

Landscape US Letter, so a partner scorecard's columns fit. The first page carries the clinic's
letterhead (the letters' own, `letters.draw_letterhead`); every page carries the report's
title and period, "Page N of M", and "De-identified" or "IDENTIFIED". Long tables split across
pages with their header row repeated. Text is DejaVu Sans, embedded, as in the letters.
"""

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from intake_app.domain.letters import Letterhead
from intake_app.domain.report_tables import ReportDocument
from intake_app.domain.report_tables import Table as ReportTable
from intake_app.rendering.letters import (
    ACCENT,
    FONT,
    FONT_BOLD,
    GREY,
    INK,
    RULE,
    draw_letterhead,
    register_fonts,
)
from intake_app.rendering.report_cells import (
    Heading,
    Progress,
    Steps,
    display_text,
    document_heading,
    is_numeric,
)
from intake_app.rendering.report_charts import charts_for

PAGE_W, PAGE_H = landscape(LETTER)
MARGIN = 0.6 * inch
LEFT, RIGHT = MARGIN, PAGE_W - MARGIN
FRAME_W = RIGHT - LEFT
FIRST_TOP = 1.62 * inch  # below the letterhead, from the page top
LATER_TOP = 0.85 * inch
BOTTOM = 0.75 * inch
ALERT = colors.HexColor("#9c0006")
ZEBRA = colors.HexColor("#f3f6f7")
HEADER_BG = colors.HexColor("#dde4e6")

CELL_SIZE = 7.5
CELL_PAD = 3.0
WIDTH_SAMPLE = 2000  # rows looked at to size a column
ROWS_PER_STEP = 200


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": 9, "leading": 12, "textColor": INK}
    base.update(kw)
    return ParagraphStyle(name, **base)


TITLE = _style("report-title", fontName=FONT_BOLD, fontSize=17, leading=21, textColor=ACCENT)
DETAILS = _style("report-details", textColor=GREY)
PRIVACY = _style("report-privacy", fontName=FONT_BOLD)
PRIVACY_ALERT = _style(
    "report-privacy-alert",
    fontName=FONT_BOLD,
    textColor=ALERT,
    borderColor=ALERT,
    borderWidth=1,
    borderPadding=4,
    spaceBefore=4,
    spaceAfter=4,
)
TABLE_TITLE = _style("report-table-title", fontName=FONT_BOLD, fontSize=12, leading=15)
NOTE = _style("report-note", fontSize=8, leading=10, textColor=GREY)
CELL = _style("report-cell", fontSize=CELL_SIZE, leading=CELL_SIZE + 2)
HEAD = _style("report-head", fontName=FONT_BOLD, fontSize=CELL_SIZE, leading=CELL_SIZE + 2)
HEAD_RIGHT = ParagraphStyle("report-head-right", parent=HEAD, alignment=2)


def report_pdf(
    document: ReportDocument,
    letterhead: Letterhead,
    progress: Progress | None = None,
    tables: Sequence[ReportTable] = (),
) -> bytes:
    """The report as PDF bytes; `tables` (default: all of the document's) in order.

    `progress(done, total)` counts table rows, once as they are set and once as they are
    laid out on pages; returning False raises `report_cells.Cancelled`.
    """
    register_fonts()
    chosen = tuple(tables) or document.tables
    heading = document_heading(document)
    steps = Steps(2 * sum(len(t.rows) + 1 for t in chosen), progress, ROWS_PER_STEP)
    steps.check()
    story: list[Any] = [
        NextPageTemplate("later"),
        Paragraph(escape(document.title), TITLE),
        Paragraph(escape(heading.details), DETAILS),
        Paragraph(escape(heading.privacy), PRIVACY_ALERT if document.identified else PRIVACY),
    ]
    if heading.basis:
        story.append(Paragraph(escape(heading.basis), NOTE))
    for table in chosen:
        story += _table_story(table)
        steps.advance(len(table.rows) + 1)
    if not chosen:
        story.append(Paragraph("This report has no tables.", NOTE))
    buffer = io.BytesIO()
    doc = _ReportDoc(buffer, document, letterhead, heading, steps)
    doc.build(story, canvasmaker=_numbered_canvas(document, heading, letterhead))
    steps.advance(steps.total)  # the pages are numbered and saved: done
    return buffer.getvalue()


def _table_story(table: ReportTable) -> list[Any]:
    head: list[Any] = [Spacer(0, 12), Paragraph(escape(table.title), TABLE_TITLE)]
    if table.note:
        head.append(Paragraph(escape(table.note), NOTE))
    head.append(Spacer(0, 4))
    parts: list[Any] = [CondPageBreak(1.6 * inch)]
    charts = charts_for(table, FRAME_W)
    if len(charts) > 2:
        # Several small charts (a wait chart per measure): two to a row, at half the width.
        half = (FRAME_W - CHART_GAP) / 2
        small = charts_for(table, half)
        grid = [
            small[i : i + 2] + [""] * (2 - len(small[i : i + 2])) for i in range(0, len(small), 2)
        ]
        charts = [_chart_row(row, half) for row in grid]
    if charts:
        # The title stays with the first chart; each chart is kept whole.
        parts.append(KeepTogether([*head, charts[0]]))
        for chart in charts[1:]:
            parts += [Spacer(0, 8), chart]
        parts.append(Spacer(0, 8))
    else:
        parts += head
    if not table.rows:
        parts.append(Paragraph("No referrals in this period.", NOTE))
        return parts
    parts.append(_flow_table(table))
    return parts


TOP_PAD, BOTTOM_PAD = 1.5, 2.0
LINE = CELL_SIZE * 1.2  # a plain-text cell's line, as Table sets it


CHART_GAP = 0.3 * inch


def _chart_row(charts: list[Any], width: float) -> Table:
    """Charts side by side, top-aligned, without borders."""
    row = Table([charts], colWidths=[width + CHART_GAP, width], hAlign="LEFT")
    row.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return row


def _flow_table(table: ReportTable) -> Flowable:
    """The table as pages of platypus Tables, each with the header row."""
    columns = table.columns
    widths = _widths(table)
    header = [
        Paragraph(escape(c.label), HEAD_RIGHT if is_numeric(c.kind) else HEAD) for c in columns
    ]
    room = [w - 2 * CELL_PAD for w in widths]
    rows: list[list[Any]] = []
    heights: list[float] = []
    for row in table.rows:
        cells: list[Any] = []
        height = LINE
        for value, column, fits in zip(row, columns, room, strict=True):
            text = display_text(value, column.kind)
            # A Paragraph only where the text must wrap: plain strings are many times faster.
            if not is_numeric(column.kind) and stringWidth(text, FONT, CELL_SIZE) > fits:
                cell = Paragraph(escape(text), CELL)
                height = max(height, cell.wrap(fits, PAGE_H)[1])
                cells.append(cell)
            else:
                cells.append(text)
        rows.append(cells)
        heights.append(height + TOP_PAD + BOTTOM_PAD)
    head_h = max(p.wrap(w, PAGE_H)[1] for p, w in zip(header, room, strict=True))
    met = [i for i, c in enumerate(columns) if c.kind == "met"]
    numeric = [i for i, c in enumerate(columns) if is_numeric(c.kind)]
    return _PagedTable(header, rows, heights, head_h + TOP_PAD + BOTTOM_PAD, widths, met, numeric)


class _PagedTable(Flowable):
    """A table that splits where a page is full, in time linear in its rows.

    platypus's own Table re-measures every remaining row at each page break, which makes a
    list of 25,000 referrals take minutes; here each row is measured once, up front, and a
    page takes the rows that fit (a plain Table of them, the header row first).
    """

    def __init__(
        self,
        header: list[Any],
        rows: list[list[Any]],
        heights: list[float],
        header_height: float,
        widths: list[float],
        met: list[int],
        numeric: list[int],
    ) -> None:
        super().__init__()
        self.header, self.rows, self.heights = header, rows, heights
        self.header_height, self.widths = header_height, widths
        self.met, self.numeric = met, numeric
        self.hAlign = "LEFT"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self.header_height + sum(self.heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        room = availHeight - self.header_height
        fit = 0
        for height in self.heights:
            if room < height:
                break
            room -= height
            fit += 1
        if fit == 0:
            return []  # not even one row: the next page
        if fit == len(self.rows):
            return [self._part(0, fit)]
        rest = _PagedTable(
            self.header,
            self.rows[fit:],
            self.heights[fit:],
            self.header_height,
            self.widths,
            self.met,
            self.numeric,
        )
        return [self._part(0, fit), rest]

    def draw(self) -> None:
        part = self._part(0, len(self.rows))
        part.wrapOn(self.canv, self.width, self.height)
        part.drawOn(self.canv, 0, 0)

    def _part(self, start: int, end: int) -> Table:
        rows = self.rows[start:end]
        style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREY),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
            ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), TOP_PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), BOTTOM_PAD),
        ]
        style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in self.numeric]
        # "not met" also in bold: the words say it, the weight helps the eye.
        style += [
            ("FONT", (i, r), (i, r), FONT_BOLD, CELL_SIZE)
            for r, row in enumerate(rows, start=1)
            for i in self.met
            if row[i] == "not met"
        ]
        part = Table([self.header, *rows], colWidths=self.widths, repeatRows=1, hAlign="LEFT")
        part.setStyle(TableStyle(style))
        return part


def _widths(table: ReportTable) -> list[float]:
    """Each column as wide as its widest value (a sample) and its header, within the page.

    When they do not fit, every column starts from the least it needs (its header's longest
    word; a number whole; a text's longest word) and the rest of the width is shared out in
    proportion to what each would like beyond that: headers and long texts wrap.
    """
    sample = table.rows[:WIDTH_SAMPLE]
    pad = 2 * CELL_PAD + 1
    natural, least = [], []
    for index, column in enumerate(table.columns):
        words = column.label.split() or [""]
        head_word = max(stringWidth(w, FONT_BOLD, CELL_SIZE) for w in words)
        head = max(head_word, min(stringWidth(column.label, FONT_BOLD, CELL_SIZE), 90))
        texts = [display_text(r[index], column.kind) for r in sample]
        body = max((stringWidth(t, FONT, CELL_SIZE) for t in texts), default=0.0)
        if is_numeric(column.kind) or column.kind in ("date", "datetime", "met"):
            body_least = body
        else:
            body_least = max(
                (stringWidth(w, FONT, CELL_SIZE) for t in texts for w in t.split()), default=0.0
            )
            body_least = min(body_least, 90.0)
        natural.append(max(head, body) + pad)
        least.append(max(head_word, body_least) + pad)
    if sum(natural) <= FRAME_W:
        return natural
    if sum(least) >= FRAME_W:
        return [w * FRAME_W / sum(least) for w in least]
    spare = FRAME_W - sum(least)
    wanted = sum(n - m for n, m in zip(natural, least, strict=True))
    return [m + (n - m) * spare / wanted for n, m in zip(natural, least, strict=True)]


class _ReportDoc(BaseDocTemplate):
    """Two page templates (first: below the letterhead; later) and progress as rows are laid."""

    def __init__(
        self,
        buffer: io.BytesIO,
        document: ReportDocument,
        letterhead: Letterhead,
        heading: Heading,
        steps: Steps,
    ) -> None:
        super().__init__(
            buffer,
            pagesize=(PAGE_W, PAGE_H),
            leftMargin=LEFT,
            rightMargin=MARGIN,
            topMargin=LATER_TOP,
            bottomMargin=BOTTOM,
            title=f"{document.title}, {heading.period}",
            author=letterhead.clinic_name,
            subject=heading.privacy,
            creator="Referral Intake",
            invariant=True,
            initialFontName=FONT,
        )
        self.steps = steps
        self.addPageTemplates(
            [
                PageTemplate("first", [_frame(FIRST_TOP, "first")]),
                PageTemplate("later", [_frame(LATER_TOP, "later")]),
            ]
        )

    def afterFlowable(self, flowable: Any) -> None:
        if isinstance(flowable, Table):
            # Each page's part of a split table is its own Table; its first row is the header.
            self.steps.advance(max(len(flowable._cellvalues) - 1, 0))


def _frame(top: float, name: str) -> Frame:
    return Frame(
        LEFT,
        BOTTOM,
        FRAME_W,
        PAGE_H - top - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=name,
    )


def _numbered_canvas(
    document: ReportDocument, heading: Heading, letterhead: Letterhead
) -> type[Canvas]:
    """A canvas that holds its pages back to write "Page N of M" on each."""

    class ReportCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                _decorate(self, number, total, document, heading, letterhead)
                super().showPage()
            super().save()

    return ReportCanvas


def _decorate(
    c: Canvas,
    number: int,
    total: int,
    document: ReportDocument,
    heading: Heading,
    letterhead: Letterhead,
) -> None:
    """Letterhead (first page) or running header (later pages), and the footer."""
    if number == 1:
        draw_letterhead(
            c, letterhead, top=PAGE_H + 0.25 * inch, left=LEFT, right=RIGHT, subtitle="Reports"
        )
    else:
        c.setFillColor(GREY)
        c.setFont(FONT, 8)
        c.drawString(LEFT, PAGE_H - 0.5 * inch, f"{letterhead.clinic_name} · {document.title}")
        c.drawRightString(RIGHT, PAGE_H - 0.5 * inch, f"Period {heading.period}")
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(LEFT, PAGE_H - 0.6 * inch, RIGHT, PAGE_H - 0.6 * inch)
    if document.identified:
        # Every page says it, above the content and in red: a page on its own is a record.
        c.setFillColor(ALERT)
        c.setFont(FONT_BOLD, 8.5)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 0.3 * inch, heading.privacy)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(LEFT, 0.55 * inch, RIGHT, 0.55 * inch)
    c.setFont(FONT_BOLD if document.identified else FONT, 7.5)
    c.setFillColor(ALERT if document.identified else GREY)
    c.drawString(LEFT, 0.4 * inch, heading.privacy)
    c.setFont(FONT, 7.5)
    c.setFillColor(GREY)
    c.drawCentredString(PAGE_W / 2, 0.4 * inch, f"Generated {heading.generated}")
    c.drawRightString(RIGHT, 0.4 * inch, f"Page {number} of {total}")
