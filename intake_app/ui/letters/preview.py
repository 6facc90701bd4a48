"""Preview letters to referring partners, then print or save them (SPEC §4).

The PDF comes from the Letters service; this dialog shows it page by page (PDFium draws the
pages: QtPdf is not part of this PySide6 build), and only after a successful print or save
records the letters on their referrals and announces them on the bus.
"""

from collections import OrderedDict
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.letters import LetterKind
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.files import write_private
from intake_app.services.letters import Letters
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter

POINTS_PER_INCH = 72
# Printing a raster page above this resolution costs memory and shows nothing more.
MAX_PRINT_DPI = 600
PAGE_GAP = 12  # pixels between pages on screen
CACHE_PAGES = 8  # rendered pages kept for scrolling back and forth

KIND_NOUNS: dict[LetterKind, tuple[str, str]] = {
    LetterKind.ACKNOWLEDGEMENT: ("acknowledgement letter", "acknowledgement letters"),
    LetterKind.MISSING_RECORDS: ("missing-records request", "missing-records requests"),
    LetterKind.STATUS: ("status update letter", "status update letters"),
    LetterKind.CONSULT_COMPLETED: ("consult-completed letter", "consult-completed letters"),
}
FILE_STEMS = {
    LetterKind.ACKNOWLEDGEMENT: "acknowledgement",
    LetterKind.MISSING_RECORDS: "missing-records",
    LetterKind.STATUS: "status-update",
    LetterKind.CONSULT_COMPLETED: "consult-completed",
}


def letters_phrase(kind: LetterKind, count: int) -> str:
    """'1 acknowledgement letter', '3 missing-records requests'."""
    singular, plural = KIND_NOUNS[kind]
    return f"{count} {singular if count == 1 else plural}"


def render_page(document: pdfium.PdfDocument, index: int, scale: float) -> QImage:
    """One page drawn by PDFium at `scale` (pixels per point), as a QImage of its own."""
    page = document[index]
    try:
        bitmap = page.render(scale=scale)
        try:
            picture = bitmap.to_pil().convert("RGBA")
        finally:
            bitmap.close()
    finally:
        page.close()
    data = picture.tobytes("raw", "RGBA")
    return QImage(data, picture.width, picture.height, QImage.Format.Format_RGBA8888).copy()


def print_document(printer: QPrinter, pdf: bytes) -> bool:
    """Send the letters to `printer`; True when every page went out.

    A printer writing a PDF file gets the letters' PDF bytes as they are: exact vector output.
    Any other printer gets each page rendered by PDFium as a raster image at the printer's
    resolution (capped at MAX_PRINT_DPI) and painted onto it page by page, because QtPdf, which
    could paint PDF pages as vectors, is not available in this PySide6 build.
    """
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        write_private(Path(printer.outputFileName()), pdf)
        return True
    return paint_pages(printer, pdf)


def paint_pages(printer: QPrinter, pdf: bytes) -> bool:
    """Raster printing at device resolution (see print_document)."""
    document = pdfium.PdfDocument(pdf)
    try:
        printer.setFullPage(True)  # the page's own margins are in the PDF already
        dpi = printer.resolution()
        scale = min(dpi, MAX_PRINT_DPI) / POINTS_PER_INCH
        painter = QPainter()
        if not painter.begin(printer):
            return False
        try:
            target_area = printer.pageLayout().fullRectPixels(dpi)
            for index in range(len(document)):
                if index and not printer.newPage():
                    return False
                image = render_page(document, index, scale)
                size = image.size().scaled(target_area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target_area.topLeft(), size), image)
        finally:
            painter.end()
        return True
    finally:
        document.close()


class PagesWidget(QWidget):
    """Every page of a PDF, one under the other, each as wide as the widget.

    Pages are drawn only when they come into view, and a few are cached, so a batch of
    hundreds of letters costs no more memory than a handful.
    """

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = pdfium.PdfDocument(pdf)
        # Closed with the dialog, or at the latest when this widget goes.
        self.destroyed.connect(self.document.close)
        self.page_sizes: list[tuple[float, float]] = []
        for index in range(len(self.document)):
            page = self.document[index]
            self.page_sizes.append(page.get_size())
            page.close()
        self._cache: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("#8a8f96"))
        self.setPalette(palette)

    def page_count(self) -> int:
        return len(self.page_sizes)

    def close_document(self) -> None:
        self._cache.clear()
        if self.document is not None:
            self.document.close()
            self.document = None

    def _page_width(self) -> int:
        return max(self.width() - 2 * PAGE_GAP, 50)

    def page_rects(self, width: int | None = None) -> list[QRect]:
        page_width = max((width or self.width()) - 2 * PAGE_GAP, 50)
        rects, top = [], PAGE_GAP
        for w, h in self.page_sizes:
            height = round(page_width * h / w)
            rects.append(QRect(PAGE_GAP, top, page_width, height))
            top += height + PAGE_GAP
        return rects

    def height_for(self, width: int) -> int:
        rects = self.page_rects(width)
        return (rects[-1].bottom() + 1 + PAGE_GAP) if rects else PAGE_GAP * 2

    def page_image(self, index: int, width: int) -> QImage:
        key = (index, width)
        image = self._cache.get(key)
        if image is None:
            scale = width * self.devicePixelRatioF() / self.page_sizes[index][0]
            image = render_page(self.document, index, scale)
            image.setDevicePixelRatio(self.devicePixelRatioF())
            self._cache[key] = image
            while len(self._cache) > CACHE_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.document is None:
            return
        painter = QPainter(self)
        try:
            for index, rect in enumerate(self.page_rects()):
                if not rect.intersects(event.rect()):
                    continue
                painter.fillRect(rect.translated(2, 3), QColor(0, 0, 0, 60))
                painter.drawImage(rect, self.page_image(index, rect.width()))
        finally:
            painter.end()


class LetterPreviewDialog(QDialog):
    """Letters of one kind for one or more referrals: look, then print or save.

    Tests replace `choose_save_path()` and `print_pdf()`, the two places the user is asked.
    """

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        referral_ids: list[int],
        kind: LetterKind,
        pdf: bytes,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.signed_in = signed_in
        self.bus = bus
        self.prompter = prompter
        self.referral_ids = list(referral_ids)
        self.kind = kind
        self.pdf = pdf
        self.recorded: list[str] = []  # "printed" / "saved", in order
        self.title = letters_phrase(kind, len(self.referral_ids))
        self.setWindowTitle(f"Preview — {self.title}")
        self._build()
        self.resize(self._initial_size())

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        heading = QLabel(self.title[0].upper() + self.title[1:])
        heading.setProperty("role", "heading")
        layout.addWidget(heading)

        self.pages = PagesWidget(self.pdf)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(False)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.pages)
        self.scroll.viewport().installEventFilter(self)
        layout.addWidget(self.scroll, 1)

        count = self.pages.page_count()
        self.status = QLabel(
            f"{count} page{'s' if count != 1 else ''}. Printing or saving notes the letters on "
            f"{'the referral' if len(self.referral_ids) == 1 else 'their referrals'}."
        )
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        self.print_button = QPushButton("Print…")
        self.save_button = QPushButton("Save as PDF…")
        self.close_button = QPushButton("Close")
        self.print_button.clicked.connect(self.print_letters)
        self.save_button.clicked.connect(self.save_letters)
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.print_button.setDefault(True)

    def _initial_size(self) -> QSize:
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1280, 900)
        width = min(820, screen.width() - 80)
        return QSize(width, max(400, min(1000, screen.height() - 80)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_width()
        return super().eventFilter(watched, event)

    def _fit_width(self) -> None:
        width = self.scroll.viewport().width()
        self.pages.resize(width, self.pages.height_for(width))

    def done(self, result: int) -> None:
        self.pages.close_document()
        super().done(result)

    # -- where the letters go (tests replace these) ----------------------------
    def choose_save_path(self) -> Path | None:
        stem = FILE_STEMS[self.kind]
        if len(self.referral_ids) == 1:
            name = f"{stem}-R-{self.referral_ids[0]:06d}.pdf"
        else:
            name = f"{stem}-letters-{len(self.referral_ids)}.pdf"
        start = str(Path.home() / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save letters as PDF", start, "PDF (*.pdf)")
        if not path:
            return None
        chosen = Path(path)
        return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")

    def print_pdf(self, pdf: bytes) -> bool:
        """Ask for a printer and print; False when cancelled or the printer refused."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print {self.title}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if not print_document(printer, pdf):
            self.prompter.error(self, "Print", "The printer did not accept the letters.")
            return False
        return True

    # -- actions ----------------------------------------------------------------
    def print_letters(self) -> bool:
        try:
            printed = self.print_pdf(self.pdf)
        except OSError as exc:
            self.prompter.error(self, "Print", f"The letters could not be printed: {exc}")
            return False
        return bool(printed) and self._record("printed")

    def save_letters(self) -> bool:
        """Save (owner-only file) and record, both or neither: the service sees to that."""
        path = self.choose_save_path()
        if path is None:
            return False
        try:
            Letters(self.signed_in).save(self.referral_ids, self.kind, self.pdf, path)
        except OSError as exc:
            self.prompter.error(self, "Save as PDF", f"The letters could not be saved: {exc}")
            return False
        except ServiceError as exc:
            self.prompter.error(self, "Save as PDF", f"The letters were not saved: {exc}")
            return False
        return self._announce("saved", f" to {path.name}")

    def _record(self, how: str) -> bool:
        try:
            Letters(self.signed_in).record(self.referral_ids, self.kind, how)
        except ServiceError as exc:
            self.prompter.error(
                self,
                "Letters",
                f"The letters were {how}, but could not be noted on the referrals: {exc}",
            )
            return False
        return self._announce(how)

    def _announce(self, how: str, where: str = "") -> bool:
        self.recorded.append(how)
        if len(self.referral_ids) == 1:
            self.bus.referrals_changed.emit(self.referral_ids[0])
        else:
            self.bus.referrals_changed.emit(-1)
        count = len(self.referral_ids)
        self.status.setText(
            f"{self.title[0].upper() + self.title[1:]} {how}{where}; noted on "
            f"{'the referral' if count == 1 else f'all {count} referrals'}."
        )
        return True


def report_settled_letters(signed_in: SignedIn, prompter: Prompter) -> list[str]:
    """At start: settle letter files a stopped program left pending, and say what became of
    them (one message for all). Returns the lines shown."""
    lines = [settled.describe() for settled in Letters(signed_in).settle_pending()]
    if lines:
        prompter.info(
            None,
            "Letters",
            "The program stopped while saving letters last time:\n\n" + "\n".join(lines),
        )
    return lines
