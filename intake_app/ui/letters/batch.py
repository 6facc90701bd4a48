"""Letters in a batch: the day's acknowledgements, or requests for records still missing.

The dialog asks the Letters service which referrals qualify, renders their letters with a
progress dialog (cancelling records nothing and opens nothing), then opens the preview, where
printing or saving records them.
"""

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.letters import LetterKind
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.letters import Letters
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.letters.preview import LetterPreviewDialog, letters_phrase

DEFAULT_MISSING_AFTER_DAYS = 3


class LetterBatchDialog(QDialog):
    """Choose a batch, see how many referrals it holds, prepare and preview its letters.

    Tests replace `exec_dialog()` (the preview) and `make_progress()`.
    """

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.signed_in = signed_in
        self.bus = bus
        self.prompter = prompter
        self.letters = Letters(signed_in)
        self.ids: list[int] = []
        self.setWindowTitle("Batch letters")
        self._build()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self.refresh()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel("Prepare one letter for each referral in a batch, then print or save.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        self.acknowledgements = QRadioButton("Acknowledgements for referrals received on")
        self.missing = QRadioButton("Missing-records requests, records still missing after")
        self.kinds = QButtonGroup(self)
        self.kinds.addButton(self.acknowledgements)
        self.kinds.addButton(self.missing)
        self.acknowledgements.setChecked(True)

        clinic = self.signed_in.clinic
        today = clinic.now().astimezone(clinic.calendar.tz).date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.days = QSpinBox()
        self.days.setRange(0, 60)
        self.days.setValue(DEFAULT_MISSING_AFTER_DAYS)
        self.days.setSuffix(" business days")

        grid.addWidget(self.acknowledgements, 0, 0)
        grid.addWidget(self.day, 0, 1)
        grid.addWidget(self.missing, 1, 0)
        grid.addWidget(self.days, 1, 1)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)

        self.count = QLabel()
        self.count.setProperty("role", "heading")
        layout.addWidget(self.count)
        self.hint = QLabel()
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        layout.addStretch(1)

        row = QHBoxLayout()
        row.addStretch(1)
        self.prepare_button = QPushButton("Prepare…")
        self.close_button = QPushButton("Close")
        self.prepare_button.setDefault(True)
        row.addWidget(self.prepare_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)

        self.kinds.buttonToggled.connect(lambda *_: self.refresh())
        self.day.dateChanged.connect(lambda *_: self.refresh())
        self.days.valueChanged.connect(lambda *_: self.refresh())
        self.prepare_button.clicked.connect(self.prepare)
        self.close_button.clicked.connect(self.reject)

    # -- what the batch holds ------------------------------------------------------
    @property
    def kind(self) -> LetterKind:
        if self.missing.isChecked():
            return LetterKind.MISSING_RECORDS
        return LetterKind.ACKNOWLEDGEMENT

    def chosen_day(self) -> date:
        qdate = self.day.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def refresh(self) -> None:
        """Ask the service which referrals qualify now and say how many."""
        self.day.setEnabled(self.kind is LetterKind.ACKNOWLEDGEMENT)
        self.days.setEnabled(self.kind is LetterKind.MISSING_RECORDS)
        try:
            if self.kind is LetterKind.ACKNOWLEDGEMENT:
                self.ids = self.letters.unacknowledged_received_on(self.chosen_day())
            else:
                self.ids = self.letters.missing_records_older_than(self.days.value())
        except ServiceError as exc:
            self.ids = []
            self.count.setText("No letters")
            self.hint.setText(str(exc))
            self.prepare_button.setEnabled(False)
            return
        if self.ids:
            self.count.setText(letters_phrase(self.kind, len(self.ids)))
            self.hint.setText(
                "Open referrals only. Printing or saving the letters notes them on each referral"
                + (" and acknowledges it." if self.kind is LetterKind.ACKNOWLEDGEMENT else ".")
            )
        else:
            self.count.setText("No referrals qualify")
            self.hint.setText(
                "No open referral received that day is waiting for an acknowledgement."
                if self.kind is LetterKind.ACKNOWLEDGEMENT
                else "No open referral has been missing records that long."
            )
        self.prepare_button.setEnabled(bool(self.ids))

    # -- preparing ---------------------------------------------------------------
    def make_progress(self, total: int) -> QProgressDialog:
        progress = QProgressDialog("Preparing letters…", "Cancel", 0, total, self)
        progress.setWindowTitle("Batch letters")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        return progress

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally; True when accepted. The one place tests intercept."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def render(self) -> bytes | None:
        """The batch's PDF, or None if cancelled or refused (nothing is recorded either way)."""
        ids, kind = list(self.ids), self.kind
        progress = self.make_progress(len(ids))

        def step(done: int, total: int) -> bool:
            progress.setLabelText(f"Preparing letter {done} of {total}…")
            progress.setValue(done)
            return not progress.wasCanceled()

        try:
            return self.letters.render(ids, kind, step)
        except ServiceError as exc:
            self.prompter.error(self, "Batch letters", str(exc))
            return None
        finally:
            progress.close()
            progress.deleteLater()

    def prepare(self) -> LetterPreviewDialog | None:
        """Render the batch and open its preview; None if nothing was prepared."""
        self.refresh()  # the batch as it is now, not as it was when the dialog opened
        if not self.ids:
            return None
        ids, kind = list(self.ids), self.kind
        pdf = self.render()
        if pdf is None:
            return None
        preview = LetterPreviewDialog(self.signed_in, self.bus, self.prompter, ids, kind, pdf, self)
        self.exec_dialog(preview)
        self.refresh()
        return preview
