"""Letters to referring partners as PDF (SPEC §4): pure functions from `LetterData` to bytes.

The wording comes from templates in resources/letters/ (see `templates` for the syntax), the
clinic's details from resources/letterhead.json: both are settings, not code. Text is set in
DejaVu Sans, shipped in resources/fonts/ and embedded, so names such as Nguyễn Thị Bích or
Siobhán Fernández print as written; none of the standard 14 PDF fonts is used.

Placeholders a template may use (`PLACEHOLDERS`), all text, dates written out in full:
partner, clinician, partner_fax, patient_name, patient_birth_date, received_on, service_line,
reference, letter_date, next_step, next_step_by, missing_items (a list), missing_count,
status, appointment_at, reason, redirect_to, seen_on, clinic_name, clinic_phone, clinic_fax,
intake_team, intake_phone, intake_fax, and two that are empty unless the letterhead allows
them: diagnosis (include_diagnosis) and priority (disclose_priority). Keys of
`LetterData.extra` are placeholders too (they cannot replace the ones above).
"""

import io
import json
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as PdfParagraph

from intake_app.domain.dates import MONTHS, WEEKDAYS
from intake_app.domain.letters import LetterData, Letterhead, LetterKind
from intake_app.paths import resource
from intake_app.rendering.templates import (
    Block,
    Bullets,
    Paragraph,
    Template,
    TemplateError,
    Value,
)

__all__ = [
    "PLACEHOLDERS",
    "TemplateError",
    "check_template",
    "load_letterhead",
    "render_batch",
    "render_letter",
    "template_name",
]

# -- page geometry (US Letter, points from the bottom-left corner) ---------------------------

PAGE_W, PAGE_H = LETTER  # 8.5 in x 11 in
MARGIN = 1 * inch
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TEXT_W = RIGHT - LEFT

# Recipient block for a #10 window envelope. The envelope is 4 1/8 in x 9 1/2 in; its standard
# address window is 1 1/8 in high x 4 1/2 in wide, 7/8 in from the left edge and 1/2 in from
# the bottom edge (window specs are given "size, then from the left, then from the bottom",
# see e.g. response-envelope.com/windows.htm). The letter is folded in thirds (panels of
# 11/3 in = 3 2/3 in). Settled with the fold on the envelope's bottom, the sheet's top edge is
# 4 1/8 - 3 2/3 = 0.458 in below the envelope's top, so on the sheet the window spans
#   top:    4 1/8 - 1/2 - 1 1/8 - 0.458 = 2.04 in (about 2 1/16 in) from the top edge,
#   bottom: 2.04 + 1 1/8 = 3.17 in, left 7/8 in, right 5 3/8 in.
# The sheet can ride up by those 0.458 in (window then 2.5 in to 3.625 in) and slide sideways
# (9 1/2 - 8 1/2 = 1 in of play), so the address starts 3/16 in below the settled window's top
# and 1/8 in right of its left edge (our 1 in margin), is at most 3 1/4 in wide, ends above
# 3.1 in, and nothing else is printed between 1.5 in and 3.65 in from the top.
WINDOW_TOP = 2.0625 * inch  # from the page top
WINDOW_LEFT = 0.875 * inch
WINDOW_W = 4.5 * inch
WINDOW_H = 1.125 * inch
ADDRESS_TOP = WINDOW_TOP + 0.1875 * inch
ADDRESS_BOTTOM = WINDOW_TOP + WINDOW_H - 0.07 * inch
ADDRESS_W = 3.25 * inch
FOLDS = (PAGE_H / 3, 2 * PAGE_H / 3)  # tri-fold marks, from the top

BODY_TOP_FIRST = 3.65 * inch  # from the page top: the date starts below the window
BODY_TOP_LATER = 1.0 * inch
BODY_BOTTOM = 0.95 * inch  # from the page bottom; page numbers sit below it

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f5f6b")
GREY = colors.HexColor("#5b6670")
RULE = colors.HexColor("#b8c4c8")

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
BODY_SIZE = 10.5
BODY_LEADING = 14.5


STATUSES = ("triaged", "scheduled", "declined", "redirected")

PLACEHOLDERS = frozenset(
    {
        "partner",
        "clinician",
        "partner_fax",
        "patient_name",
        "patient_birth_date",
        "diagnosis",
        "received_on",
        "service_line",
        "reference",
        "letter_date",
        "next_step",
        "next_step_by",
        "missing_items",
        "missing_count",
        "status",
        "priority",
        "appointment_at",
        "reason",
        "redirect_to",
        "seen_on",
        "clinic_name",
        "clinic_phone",
        "clinic_fax",
        "intake_team",
        "intake_phone",
        "intake_fax",
    }
)

# -- fonts, styles, templates: prepared once, reused -----------------------------------------

_lock = threading.Lock()
_fonts_ready = False


def register_fonts() -> None:
    """Register the shipped DejaVu Sans (regular and bold) with reportlab, once."""
    global _fonts_ready
    with _lock:
        if _fonts_ready:
            return
        pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts/DejaVuSans.ttf"))))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource("fonts/DejaVuSans-Bold.ttf"))))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _fonts_ready = True


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {
        "fontName": FONT,
        "fontSize": BODY_SIZE,
        "leading": BODY_LEADING,
        "textColor": INK,
        "alignment": TA_LEFT,
        "bulletFontName": FONT,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


BODY = _style("letter-body", spaceAfter=8)
ITEM = _style("letter-item", spaceAfter=2)
REF = _style("letter-re", fontName=FONT_BOLD)
DATE = _style("letter-date")
SIGN = _style("letter-sign", leading=13.5)
SIGN_SMALL = _style("letter-sign-small", fontSize=9.5, leading=13, textColor=GREY)

_templates: dict[Path, tuple[tuple[int, int], Template]] = {}
_images: dict[Path, tuple[tuple[int, int], ImageReader]] = {}


def _cached(cache: dict, path: Path, make):
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    hit = cache.get(path)
    if hit and hit[0] == key:
        return hit[1]
    value = make(path)
    with _lock:
        cache[path] = (key, value)
    return value


def _template(path: Path) -> Template:
    """The parsed template, re-read only when the file changed (an administrator edited it)."""
    try:
        return _cached(_templates, path, lambda p: Template(p.read_text(encoding="utf-8"), p.name))
    except FileNotFoundError:
        raise TemplateError(f"letter template {path.name} not found", template=path.name) from None


def _logo(path_text: str | None) -> ImageReader | None:
    if not path_text:
        return None
    path = Path(path_text)
    if not path.is_absolute():
        path = resource(path_text)
    try:
        return _cached(_images, path, lambda p: ImageReader(str(p)))
    except OSError:
        return None  # a missing logo does not stop a letter; the letterhead text remains


# -- settings --------------------------------------------------------------------------------


def load_letterhead(path: Path | str | None = None) -> Letterhead:
    """The clinic letterhead from JSON (default: resources/letterhead.json).

    A relative "logo" is read from the JSON file's folder. Raises ValueError naming the file
    and the field when a field is missing or of the wrong type.
    """
    path = Path(path) if path is not None else resource("letterhead.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a JSON object")

    def text(key: str, required: bool = True) -> str:
        value = raw.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ValueError(f"{path}: '{key}' must be a non-empty text")
        return value.strip()

    def flag(key: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(f"{path}: '{key}' must be true or false")
        return value

    lines = raw.get("address_lines", [])
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise ValueError(f"{path}: 'address_lines' must be a list of texts")
    logo = raw.get("logo")
    if logo is not None and not isinstance(logo, str):
        raise ValueError(f"{path}: 'logo' must be a file name or null")
    logo_path = None
    if logo:
        logo_path = str(Path(logo) if Path(logo).is_absolute() else path.parent / logo)
    return Letterhead(
        clinic_name=text("clinic_name"),
        address_lines=tuple(x.strip() for x in lines if x.strip()),
        phone=text("phone"),
        fax=text("fax"),
        intake_team=text("intake_team"),
        intake_phone=text("intake_phone"),
        intake_fax=text("intake_fax"),
        logo_path=logo_path,
        disclose_priority=flag("disclose_priority"),
        include_diagnosis=flag("include_diagnosis"),
    )


# -- wording ---------------------------------------------------------------------------------


NBSP = "\u00a0"  # dates and times are not broken across lines


def long_date(d: date | None) -> str:
    return "" if d is None else f"{MONTHS[d.month - 1]}{NBSP}{d.day},{NBSP}{d.year}"


def long_datetime(dt: datetime | None) -> str:
    if dt is None:
        return ""
    hour = dt.hour % 12 or 12
    half = "AM" if dt.hour < 12 else "PM"
    return (
        f"{WEEKDAYS[dt.weekday()]}, {long_date(dt.date())}, at {hour}:{dt.minute:02d}{NBSP}{half}"
    )


def template_name(data: LetterData) -> str:
    """The template file for a letter: by kind, and for status letters by data.status."""
    if data.kind is LetterKind.STATUS:
        status = data.status.strip().lower()
        if status not in STATUSES:
            raise TemplateError(
                f"no status letter for status {data.status!r} (one of {', '.join(STATUSES)})",
                template=f"status-{status}.txt",
            )
        return f"status-{status}.txt"
    return f"{LetterKind(data.kind).value}.txt"


def values_for(data: LetterData, letterhead: Letterhead) -> dict[str, Value]:
    """What placeholders stand for. Diagnosis and priority are empty unless allowed."""
    values: dict[str, Value] = {key: str(v) for key, v in data.extra.items()}
    values.update(
        {
            "partner": data.partner,
            "clinician": data.clinician,
            "partner_fax": data.partner_fax,
            "patient_name": data.patient_name,
            "patient_birth_date": long_date(data.patient_birth_date),
            "diagnosis": data.diagnosis if letterhead.include_diagnosis else "",
            "received_on": long_date(data.received_on),
            "service_line": data.service_line,
            "reference": data.reference,
            "letter_date": long_date(data.letter_date),
            "next_step": data.next_step,
            "next_step_by": long_date(data.next_step_by),
            "missing_items": tuple(data.missing_items),
            "missing_count": str(len(data.missing_items)) if data.missing_items else "",
            "status": data.status,
            "priority": data.priority if letterhead.disclose_priority else "",
            "appointment_at": long_datetime(data.appointment_at),
            "reason": data.reason,
            "redirect_to": data.redirect_to,
            "seen_on": long_date(data.seen_on),
            "clinic_name": letterhead.clinic_name,
            "clinic_phone": letterhead.phone,
            "clinic_fax": letterhead.fax,
            "intake_team": letterhead.intake_team,
            "intake_phone": letterhead.intake_phone,
            "intake_fax": letterhead.intake_fax,
        }
    )
    return values


def check_template(text: str, *, extra: Sequence[str] = ()) -> list[str]:
    """Problems with a template's text, for an administrator's editor; [] when it is fine."""
    return Template(text).check(PLACEHOLDERS | set(extra))


def letter_blocks(
    data: LetterData, letterhead: Letterhead, template_dir: Path | None = None
) -> list[Block]:
    """The letter's body as paragraphs and lists, from its template."""
    folder = template_dir if template_dir is not None else resource("letters")
    return _template(folder / template_name(data)).render(values_for(data, letterhead))


# -- layout ----------------------------------------------------------------------------------


def _x(text: str) -> str:
    return escape(text)


def _re_line(data: LetterData, letterhead: Letterhead) -> str:
    born = long_date(data.patient_birth_date)
    line = f"Re: referral {data.reference} — patient {data.patient_name}, born {born}"
    if letterhead.include_diagnosis and data.diagnosis.strip():
        line += f"; diagnosis: {data.diagnosis.strip()}"
    return line


def _recipient_lines(data: LetterData) -> list[str]:
    lines = [data.partner.strip()]
    if data.clinician.strip():
        lines.append(f"Attn: {data.clinician.strip()}")
    lines += [line.strip() for line in data.recipient_lines if line.strip()]
    if not data.recipient_lines and data.partner_fax.strip():
        lines.append(f"By fax: {data.partner_fax.strip()}")
    return [line for line in lines if line]


class _LetterStart(Flowable):
    """Zero-size marker at the head of each letter: tells the canvas whose pages follow."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def wrap(self, availWidth, availHeight):
        return (0, 0)

    def draw(self) -> None:
        self.canv.letter_index = self.index


def _story(index: int, data: LetterData, letterhead: Letterhead, blocks: list[Block]) -> list:
    story: list = [
        _LetterStart(index),
        PdfParagraph(_x(long_date(data.letter_date)), DATE),
        Spacer(0, 16),
        PdfParagraph(_x(_re_line(data, letterhead)), REF),
        Spacer(0, 14),
    ]
    body: list = []
    for block in blocks:
        if isinstance(block, Paragraph):
            body.append(PdfParagraph(_x(block.text), BODY))
        elif isinstance(block, Bullets):
            items = [ListItem(PdfParagraph(_x(item), ITEM)) for item in block.items]
            body.append(
                ListFlowable(
                    items,
                    bulletType="bullet",
                    start="•",
                    bulletFontName=FONT,
                    bulletFontSize=BODY_SIZE,
                    leftIndent=18,
                    bulletDedent=12,
                    spaceAfter=8,
                )
            )
    signature = [
        Spacer(0, 26),
        PdfParagraph(f"<b>{_x(letterhead.intake_team)}</b>", SIGN),
        PdfParagraph(_x(letterhead.clinic_name), SIGN),
        PdfParagraph(
            _x(f"Direct line {letterhead.intake_phone}  ·  Fax {letterhead.intake_fax}"),
            SIGN_SMALL,
        ),
    ]
    # The closing ("Sincerely,") stays with the signature on the same page.
    closing = body[-1:] if body and isinstance(body[-1], PdfParagraph) else []
    story += body[: len(body) - len(closing)]
    story.append(KeepTogether(closing + signature))
    return story


def _fit(text: str, font: str, size: float, width: float, smallest: float = 7.0) -> float:
    """The largest size (down to `smallest`) at which the text fits the width."""
    w = pdfmetrics.stringWidth(text, font, size)
    return size if w <= width else max(smallest, size * width / w)


def _address_layout(lines: list[str]) -> tuple[float, float, list[str]]:
    """Size, leading and lines of the recipient block, which must stay inside the window.

    Long lines wrap; if the block is then too tall it steps down from 10 pt to 8 pt (USPS
    asks for no smaller); past that, the last lines run together on one line.
    """
    height = ADDRESS_BOTTOM - ADDRESS_TOP
    wrapped: list[str] = []
    for size, leading in ((10.0, 12.0), (9.0, 10.0), (8.0, 9.2)):  # 5, 6, 7 lines
        wrapped = [part for line in lines for part in simpleSplit(line, FONT, size, ADDRESS_W)]
        room = int((height - 1.25 * size) // leading) + 1  # first ascent to last descent
        if len(wrapped) <= room:
            return size, leading, wrapped
    return size, leading, [*wrapped[: room - 1], ", ".join(wrapped[room - 1 :])]


def draw_letterhead(
    c: Canvas,
    lh: Letterhead,
    *,
    top: float = PAGE_H,
    left: float = LEFT,
    right: float = RIGHT,
    subtitle: str = "New patient referrals",
) -> float:
    """The clinic's letterhead across the top of a page (letters and reports share it):
    logo and name on the left, address and numbers on the right, a rule below. Returns the
    rule's height from the page bottom."""
    logo = _logo(lh.logo_path)
    name_x = left
    if logo is not None:
        size = 0.72 * inch
        c.drawImage(
            logo, left, top - 0.55 * inch - size, size, size, mask="auto", preserveAspectRatio=True
        )
        name_x = left + size + 0.16 * inch
    name_size = _fit(lh.clinic_name, FONT_BOLD, 15, right - name_x - 2.6 * inch)
    c.setFillColor(ACCENT)
    c.setFont(FONT_BOLD, name_size)
    c.drawString(name_x, top - 0.86 * inch, lh.clinic_name)
    c.setFillColor(GREY)
    c.setFont(FONT, 8.5)
    c.drawString(name_x, top - 1.07 * inch, subtitle)
    contact = [*lh.address_lines, f"Phone {lh.phone}", f"Fax {lh.fax}"]
    y = top - 0.62 * inch
    for line in contact:
        c.setFont(FONT, _fit(line, FONT, 8.5, 2.5 * inch))
        c.drawRightString(right, y, line)
        y -= 11
    rule_y = min(top - 1.42 * inch, y + 4)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(left, rule_y, right, rule_y)
    return rule_y


def _draw_first_page(c: Canvas, data: LetterData, lh: Letterhead) -> None:
    top = PAGE_H
    draw_letterhead(c, lh)

    # Recipient, inside the #10 window (see the geometry above).
    size, leading, lines = _address_layout(_recipient_lines(data))
    c.setFillColor(INK)
    y = top - ADDRESS_TOP - size
    for line in lines:
        c.setFont(FONT, _fit(line, FONT, size, ADDRESS_W, smallest=6.0))
        c.drawString(LEFT, y, line)
        y -= leading

    # Fold marks for the window envelope, in the left margin.
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    for fold in FOLDS:
        c.line(0.2 * inch, top - fold, 0.45 * inch, top - fold)


def _draw_later_page(c: Canvas, data: LetterData, lh: Letterhead) -> None:
    c.setFillColor(GREY)
    c.setFont(FONT, 8.5)
    c.drawString(LEFT, PAGE_H - 0.6 * inch, lh.clinic_name)
    text = f"Referral {data.reference} — {data.patient_name} (continued)"
    c.drawRightString(RIGHT, PAGE_H - 0.6 * inch, text)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.6)
    c.line(LEFT, PAGE_H - 0.7 * inch, RIGHT, PAGE_H - 0.7 * inch)


def _canvas_for(letters: Sequence[LetterData], lh: Letterhead) -> type[Canvas]:
    """A canvas that holds pages back until the end, to number them per letter."""

    class LetterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.letter_index = 0
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            totals = Counter(state["letter_index"] for state in self._held)
            seen: Counter[int] = Counter()
            for state in self._held:
                self.__dict__.update(state)
                index = self.letter_index
                seen[index] += 1
                data = letters[index]
                if seen[index] == 1:
                    _draw_first_page(self, data, lh)
                else:
                    _draw_later_page(self, data, lh)
                if totals[index] > 1:
                    self.setFillColor(GREY)
                    self.setFont(FONT, 8.5)
                    self.drawRightString(
                        RIGHT, 0.6 * inch, f"Page {seen[index]} of {totals[index]}"
                    )
                    self.drawString(LEFT, 0.6 * inch, f"Referral {data.reference}")
                super().showPage()
            super().save()

    return LetterCanvas


def _frame(top_from_top: float, name: str) -> Frame:
    return Frame(
        LEFT,
        BODY_BOTTOM,
        TEXT_W,
        PAGE_H - top_from_top - BODY_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=name,
    )


def _pdf(letters: Sequence[LetterData], lh: Letterhead, stories: list[list], title: str) -> bytes:
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=LEFT,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BODY_BOTTOM,
        title=title,
        author=lh.clinic_name,
        creator="Referral Intake",
        invariant=True,
        initialFontName=FONT,  # keeps Helvetica out of the page preamble
        pageTemplates=[
            PageTemplate("first", [_frame(BODY_TOP_FIRST, "first")], autoNextPageTemplate="later"),
            PageTemplate("later", [_frame(BODY_TOP_LATER, "later")]),
        ],
    )
    flowables: list = []
    for i, story in enumerate(stories):
        if i:
            flowables += [NextPageTemplate("first"), PageBreak()]
        flowables += story
    doc.build(flowables, canvasmaker=_canvas_for(letters, lh))
    return buffer.getvalue()


def render_batch(
    letters: Sequence[LetterData], letterhead: Letterhead, *, template_dir: Path | None = None
) -> bytes:
    """One PDF, the letters one after another, each from a new page.

    Every template is rendered before any page is made: a `TemplateError` in one letter
    means no PDF at all rather than a batch with a bad letter in it.
    """
    if not letters:
        raise ValueError("no letters to render")
    register_fonts()
    stories = [
        _story(i, data, letterhead, letter_blocks(data, letterhead, template_dir))
        for i, data in enumerate(letters)
    ]
    if len(letters) == 1:
        title = f"{_kind_title(letters[0])} — referral {letters[0].reference}"
    else:
        title = f"{len(letters)} letters"
    return _pdf(letters, letterhead, stories, title)


def render_letter(
    data: LetterData, letterhead: Letterhead, *, template_dir: Path | None = None
) -> bytes:
    """One letter as PDF bytes."""
    return render_batch([data], letterhead, template_dir=template_dir)


def _kind_title(data: LetterData) -> str:
    if data.kind is LetterKind.STATUS:
        return f"Status update ({data.status})"
    return {
        "acknowledgement": "Acknowledgement",
        "missing-records": "Missing records",
        "consult_completed": "Consult completed",
    }.get(LetterKind(data.kind).value, "Letter")
