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
WIDTH_SAMPLE = 300  # rows looked at to size a column
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


def _flow_table(table: ReportTable) -> Table:
    columns = table.columns
    widths = _widths(table)
    header = [
        Paragraph(escape(c.label), HEAD_RIGHT if is_numeric(c.kind) else HEAD) for c in columns
    ]
    data: list[list[Any]] = [header]
    room = [w - 2 * CELL_PAD for w in widths]
    for row in table.rows:
        cells: list[Any] = []
        for value, column, fits in zip(row, columns, room, strict=True):
            text = display_text(value, column.kind)
            # A Paragraph only where the text must wrap: plain strings are many times faster.
            if not is_numeric(column.kind) and stringWidth(text, FONT, CELL_SIZE) > fits:
                cells.append(Paragraph(escape(text), CELL))
            else:
                cells.append(text)
        data.append(cells)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for index, column in enumerate(columns):
        if is_numeric(column.kind):
            style.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
        if column.kind == "met":
            # "not met" also in bold: the words say it, the weight helps the eye.
            for r, row in enumerate(table.rows, start=1):
                if display_text(row[index], "met") == "not met":
                    style.append(("FONT", (index, r), (index, r), FONT_BOLD, CELL_SIZE))
    flow = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    flow.setStyle(TableStyle(style))
    return flow


def _widths(table: ReportTable) -> list[float]:
    """Each column as wide as its widest value (a sample) or its header's longest word;
    when they do not fit, text columns give up room and wrap."""
    sample = table.rows[:WIDTH_SAMPLE]
    natural = []
    for index, column in enumerate(table.columns):
        words = column.label.split() or [""]
        head = max(stringWidth(w, FONT_BOLD, CELL_SIZE) for w in words)
        head = max(head, min(stringWidth(column.label, FONT_BOLD, CELL_SIZE), 90))
        body = max(
            (stringWidth(display_text(r[index], column.kind), FONT, CELL_SIZE) for r in sample),
            default=0.0,
        )
        natural.append(max(head, body) + 2 * CELL_PAD + 1)
    total = sum(natural)
    if total <= FRAME_W:
        return natural
    fixed = sum(w for w, c in zip(natural, table.columns, strict=True) if is_numeric(c.kind))
    flexible = total - fixed
    room = max(FRAME_W - fixed, 0.0)
    if flexible <= 0 or room <= 0:
        return [w * FRAME_W / total for w in natural]
    shrink = room / flexible
    return [
        w if is_numeric(c.kind) else max(w * shrink, 36.0)
        for w, c in zip(natural, table.columns, strict=True)
    ]


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
