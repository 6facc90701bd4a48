"""The triage queue page: the queue in decision order, the selected referral beside it, and
the decisions, all by keyboard (arrows move, Enter opens the referral in full, Alt+A accept,
Alt+I more information, Alt+R redirect, Alt+D decline; the next row is selected after each).

Every decision goes through the Referrals service, which checks the permission, the state and
the reason again; after a successful one the page announces the referral on the bus.
"""

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.enums import CloseReason, Priority
from intake_app.domain.letters import LetterKind
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ConcurrentEdit, ServiceError
from intake_app.services.letters import Letters
from intake_app.services.permissions import Permission
from intake_app.services.referrals import QueueRow, QueueScope, Referrals
from intake_app.services.views import ReferralDetail
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.flow_layout import FlowLayout
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.step_dialogs import ReasonDialog, TriageDialog, readable_reason
from intake_app.ui.triage.dialogs import MoreInformationDialog, RedirectDialog
from intake_app.ui.triage.model import COLUMN_INDEX, PRIORITY_LABELS, TriageQueueModel

SCOPES = (
    (QueueScope.ALL, "All"),
    (QueueScope.UNASSIGNED, "Unassigned"),
    (QueueScope.MINE, "Assigned to me"),
)
NOT_TRIAGE = "Only triage staff may take triage decisions"
# Column widths from sample text in the table's font (bold for the urgent and pressing ones).
WIDTH_SAMPLES = {
    "priority": "Routine ",
    "patient": "Fernández, Siobhán (00 May 0000)",
    "service_line": "Radiation oncology",
    "missing": "Patient demographics, Insu",
    "waiting": "00 d 00 h",
    "due": "On hold since 00 May (patient unavailable)",
    "hold": "On hold since 00 May (awaiting referrer)",
    "assigned": "Unassigned",
}
CELL_PADDING = 22 + 22  # the item padding and text margins, and room for a status icon


class DecisionButton(QPushButton):
    """A button whose Alt+letter presses it at once and leaves the focus in the queue (Qt's
    mnemonic takes the focus and clicks after a delay: the arrows would stop moving rows)."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Shortcut and self.isEnabled():
            self.click()
            return True
        return super().event(event)


class TriageQueueView(QWidget):
    """The queue for triage staff; `open_requested` asks the main window to show a referral."""

    open_requested = Signal(int)

    def __init__(
        self, signed_in: SignedIn, bus: Bus, prompter: Prompter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("triageQueue")
        self.signed_in = signed_in
        self.bus = bus
        self.prompter = prompter
        self.may_decide = signed_in.actor.may(Permission.TRIAGE)
        self.detail: ReferralDetail | None = None
        self._deciding = False  # a decision of this page's own refreshes it itself

        self.heading = QLabel()
        self.heading.setObjectName("triageHeading")
        self.heading.setProperty("role", "heading")
        self.scope = QComboBox()
        self.scope.setAccessibleName("Show")
        for scope, text in SCOPES:
            self.scope.addItem(text, scope.value)
        scope_label = QLabel("&Show")
        scope_label.setBuddy(self.scope)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(scope_label)
        top.addWidget(self.scope)

        self.model = TriageQueueModel(signed_in, self)
        self.table = QTableView()
        self.table.setObjectName("triageTable")
        self.table.setAccessibleName("Referrals awaiting triage, in the order to decide them")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        chars = self.fontMetrics().averageCharWidth()
        bold = QFont(self.table.font())
        bold.setBold(True)
        for key, sample in WIDTH_SAMPLES.items():
            font = bold if key in ("priority", "due") else self.table.font()
            width = QFontMetrics(font).horizontalAdvance(sample) + CELL_PADDING
            self.table.setColumnWidth(COLUMN_INDEX[key], width)

        self.summary = QLabel()
        self.summary.setObjectName("triageSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.summary)

        self.accept_button = DecisionButton("&Accept…")
        self.accept_button.setToolTip("Accept with a priority (Alt+A)")
        self.info_button = DecisionButton("More &information…")
        self.info_button.setToolTip("Ask the referrer for more: on hold awaiting them (Alt+I)")
        self.redirect_button = DecisionButton("&Redirect…")
        self.redirect_button.setToolTip("To another of our service lines, or outside (Alt+R)")
        self.decline_button = DecisionButton("&Decline…")
        self.decline_button.setToolTip("Decline, with a reason (Alt+D)")
        self.open_button = DecisionButton("&Open referral")
        self.open_button.setToolTip("The referral in full, in the worklist (Enter)")
        self.decision_buttons = (
            self.accept_button,
            self.info_button,
            self.redirect_button,
            self.decline_button,
        )
        # The buttons wrap onto more lines when the pane is narrow, rather than clip.
        buttons = FlowLayout(spacing=6)
        for button in (*self.decision_buttons, self.open_button):
            buttons.addWidget(button)
        self.message = QLabel()
        self.message.setObjectName("triageMessage")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "hint")

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 0, 0, 0)
        side_layout.addWidget(scroll, 1)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([660, 340])  # scaled to the page: the queue the larger share
        side.setMinimumWidth(chars * 44)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self._connect_signals()
        self._after_refresh(select_id=None)

    def showEvent(self, event: QShowEvent) -> None:
        """Landing on the page, the arrows move in the queue at once."""
        super().showEvent(event)
        self.table.setFocus()

    def _connect_signals(self) -> None:
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self.table.activated.connect(lambda _index: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.accept_button.clicked.connect(self.accept_current)
        self.info_button.clicked.connect(self.ask_for_information)
        self.redirect_button.clicked.connect(self.redirect_current)
        self.decline_button.clicked.connect(self.decline_current)
        self.open_button.clicked.connect(self.open_current)
        self.bus.referrals_changed.connect(self._referrals_changed)

    def _referrals_changed(self, _referral_id: int) -> None:
        if not self._deciding:
            self.refresh()

    # -- the queue --------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the queue, keeping the selected referral selected if it is still there."""
        current = self.current_row()
        self.model.refresh()
        self._after_refresh(select_id=current.id if current else None)

    def _scope_changed(self) -> None:
        self.model.set_scope(QueueScope(self.scope.currentData()))
        self._after_refresh(select_id=None)

    def _after_refresh(self, select_id: int | None) -> None:
        count = self.model.rowCount()
        overdue = self.model.overdue_count()
        text = f"{count} awaiting triage" if count else "Nothing awaiting triage"
        if overdue:
            text += f" · {overdue} overdue"
        self.heading.setText(self.model.error or text)
        row = self.model.row_of(select_id) if select_id is not None else -1
        self.select_row(row if row >= 0 else 0)

    def select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.table.clearSelection()
            self.table.setCurrentIndex(self.model.index(-1, 0))
            self._show_current()
            return
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        self._show_current()

    def current_row(self) -> QueueRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.row(index.row())

    def _show_current(self) -> None:
        row = self.current_row()
        self.detail = None
        if row is not None:
            try:
                self.detail = Referrals(self.signed_in).get(row.id)
            except ServiceError as exc:
                self.message.setText(str(exc))
        self.summary.setText(self._summary_html(row, self.detail))
        self._update_buttons(row)

    def _update_buttons(self, row: QueueRow | None) -> None:
        for button in self.decision_buttons:
            button.setEnabled(self.may_decide and row is not None)
            if not self.may_decide:
                button.setToolTip(NOT_TRIAGE)
        if self.may_decide and row is not None and row.hold_reason:
            self.info_button.setEnabled(False)
        self.open_button.setEnabled(row is not None)

    def _summary_html(self, row: QueueRow | None, detail: ReferralDetail | None) -> str:
        if row is None:
            return "<p>Select a referral in the queue.</p>"
        model = self.model
        lines = [
            f"<h3>{escape(model.text(row, 'patient'))}</h3>",
            f"<p><b>Proposed {PRIORITY_LABELS.get(row.proposed_priority, '').lower()}</b>: "
            + escape("; ".join(readable_reason(r) for r in row.proposal_reasons))
            + "</p>",
        ]
        facts = [
            ("Referral", str(row.id)),
            ("Service line", model.text(row, "service_line")),
            ("Partner", row.partner),
            ("Waiting", model.text(row, "waiting")),
            ("Triage due", model.due_sentence(row)),
            ("Hold", model.text(row, "hold")),
            ("Assigned", model.text(row, "assigned")),
            ("Missing", model.text(row, "missing")),
        ]
        if detail is not None:
            timeframe = detail.preferred_timeframe_days
            facts += [
                ("Referring clinician", detail.referring_clinician),
                ("Trigger", readable_reason(f"trigger {detail.trigger}").removeprefix("trigger ")),
                ("Referrer urgency", detail.referrer_urgency or "not stated"),
                ("Wanted within", f"{timeframe} days" if timeframe else ""),
                ("Diagnosis", detail.diagnosis),
                ("Clinical question", detail.clinical_question),
            ]
        rows = "".join(
            f"<tr><td style='padding-right:10px'><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>"
            for k, v in facts
            if v
        )
        return "".join(lines) + f"<table>{rows}</table>"

    # -- dialogs (tests may replace exec_dialog; the keyboard test runs them modally) ------
    def exec_dialog(self, dialog: QDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted

    @property
    def tz(self):  # type: ignore[no-untyped-def]
        return self.signed_in.clinic.calendar.tz

    # -- decisions --------------------------------------------------------------
    def open_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.open_requested.emit(row.id)

    def accept_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        dialog = TriageDialog(
            self,
            Priority(row.proposed_priority),
            row.proposal_reasons,
            self.tz,
            self.signed_in.clinic.now(),
            row.missing_items,
        )
        if not self.exec_dialog(dialog):
            return
        choice = dialog.value()
        self._decide(
            "Accept",
            lambda r, rid, v: r.triage(
                rid, choice.priority, at=choice.at, expected_version=v, reason=choice.reason
            ),
            f"accepted as {choice.priority.value}",
        )

    def ask_for_information(self) -> None:
        row = self.current_row()
        if row is None:
            return
        dialog = MoreInformationDialog(
            self, row.missing_items, self.tz, self.signed_in.clinic.now()
        )
        if not self.exec_dialog(dialog):
            return
        at = dialog.value()
        done = self._decide(
            "Ask for more information",
            lambda r, rid, v: r.request_information(rid, at=at, expected_version=v),
            "on hold, awaiting the referrer",
        )
        if done:
            self._offer_letter(row)

    def _offer_letter(self, row: QueueRow) -> None:
        """The missing-records request, for a user who may send letters; else say who does."""
        if not row.missing_items:
            return
        if not self.signed_in.actor.may(Permission.SEND_LETTERS):
            self.message.setText(
                f"Referral {row.id} is on hold awaiting the referrer. A coordinator sends the "
                "missing-records request (Letters ▸ Batch letters)."
            )
            return
        if not self.prompter.confirm(
            self,
            "Missing-records request",
            "Prepare the missing-records request to the referrer now?",
            yes="Prepare letter",
            no="Not now",
        ):
            return
        from intake_app.ui.letters.preview import LetterPreviewDialog

        try:
            pdf = Letters(self.signed_in).render([row.id], LetterKind.MISSING_RECORDS)
        except ServiceError as exc:
            self.prompter.error(self, "Letter", str(exc))
            return
        if pdf is not None:
            kind = LetterKind.MISSING_RECORDS
            preview = LetterPreviewDialog(
                self.signed_in, self.bus, self.prompter, [row.id], kind, pdf, self
            )
            self.exec_dialog(preview)

    def redirect_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        lines = sorted(
            ((key, line.name) for key, line in self.signed_in.clinic.service_lines.items()),
            key=lambda kv: kv[1],
        )
        others = [(key, name) for key, name in lines if key != row.service_line]
        dialog = RedirectDialog(self, others, self.tz, self.signed_in.clinic.now())
        if not self.exec_dialog(dialog):
            return
        choice = dialog.choice()
        to_line = choice.service_line
        if to_line is None:
            self._decide(
                "Redirect",
                lambda r, rid, v: r.close(
                    rid, CloseReason.REDIRECTED, choice.reason, at=choice.at, expected_version=v
                ),
                "redirected outside the clinic",
            )
            return
        self._decide(
            "Redirect",
            lambda r, rid, v: r.redirect_internally(
                rid, to_line, choice.reason, at=choice.at, expected_version=v
            ),
            f"redirected to {dict(lines).get(to_line, to_line)}",
        )

    def decline_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        dialog = ReasonDialog(
            self,
            "Decline",
            "Decline",
            "Why is the referral declined?",
            self.tz,
            self.signed_in.clinic.now(),
        )
        if not self.exec_dialog(dialog):
            return
        choice = dialog.reason_value()
        self._decide(
            "Decline",
            lambda r, rid, v: r.close(
                rid, CloseReason.DECLINED, choice.reason, at=choice.at, expected_version=v
            ),
            "declined",
        )

    def _decide(
        self, title: str, change: Callable[[Referrals, int, int], None], outcome: str
    ) -> bool:
        """Take the decision on the selected referral at the version shown; then select the
        referral that followed it in the queue (the next to decide)."""
        row = self.current_row()
        if row is None:
            return False
        order = self.model.ids()
        try:
            change(Referrals(self.signed_in), row.id, row.row_version)
        except ConcurrentEdit as exc:
            self.prompter.error(self, title, f"{exc}\nThe queue has been reloaded.")
            self.refresh()
            return False
        except ServiceError as exc:
            self.prompter.error(self, title, str(exc))
            self.refresh()
            return False
        # The other views refresh from the announcement; this page once, here, so that it
        # can select the next referral to decide.
        self._deciding = True
        try:
            self.bus.referrals_changed.emit(row.id)
        finally:
            self._deciding = False
        self.model.refresh()
        later = order[order.index(row.id) + 1 :]
        after = next((i for i in later if self.model.row_of(i) >= 0), None)
        if after is None:  # the last one decided: the new last row, if any
            self._after_refresh(select_id=None)
            self.select_row(self.model.rowCount() - 1)
        else:
            self._after_refresh(select_id=after)
        self.message.setText(f"Referral {row.id} {outcome}.")
        self.table.setFocus()
        return True
