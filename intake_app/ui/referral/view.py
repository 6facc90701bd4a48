"""One referral: its header, checklist, timeline and the actions allowed now (SPEC §3.2-3.5).

The view talks only to the Referrals service. After a successful change it announces the
referral on the bus and reloads from it; a service error is shown through the prompter and the
view reloads, so what is on screen is always what is stored.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.access import ON_HOLD
from intake_app.domain.corrections import CORRECTION_KINDS
from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.holds import HOLD_EVENTS, hold_event_text
from intake_app.domain.letters import LetterKind
from intake_app.services.actions import Action, ActionState
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ConcurrentEdit, ServiceError
from intake_app.services.letters import Letters
from intake_app.services.permissions import Permission
from intake_app.services.referrals import Referrals
from intake_app.services.views import ChecklistLine, ReferralDetail, TimelineEvent
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.flow_layout import FlowLayout
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.step_dialogs import (
    PRIORITY_LABELS,
    MarkSeenDialog,
    ReasonChoice,
    ReasonDialog,
    ReceivedAtDialog,
    ScheduleChoice,
    ScheduleDialog,
    SeenChoice,
    TriageChoice,
    TriageDialog,
    WhenDialog,
    readable_reason,
)
from intake_app.ui.common.style import icon
from intake_app.ui.referral.corrections import CorrectionsMixin
from intake_app.ui.referral.holds import HoldsMixin
from intake_app.ui.referral.ownership import OwnershipRow

# An event recorded this long after the time it claims is marked "(recorded later)".
RECORDED_LATE_AFTER = timedelta(minutes=30)

STATE_LABELS = {
    State.NEW: "New",
    State.TRIAGED: "Triaged",
    State.SCHEDULED: "Scheduled",
    State.SEEN: "Seen",
    State.DECLINED: "Declined",
    State.REDIRECTED: "Redirected",
    State.WITHDRAWN: "Withdrawn",
    State.NO_SHOW: "No-show",
}
MEASURE_LABELS = {
    "acknowledge": "Acknowledge",
    "records_complete": "Records complete",
    "triage": "Triage",
    "first_consult": "First consult",
}
CHANNEL_LABELS = {
    "fax": "fax",
    "phone": "phone",
    "email": "e-mail",
    "web_form": "web form",
    "portal": "portal",
    "walk_in": "walk-in",
}
BUTTON_TEXT = {
    Action.ACKNOWLEDGE: "Acknowledge…",
    Action.TRIAGE: "Triage…",
    Action.SCHEDULE: "Schedule…",
    Action.MARK_SEEN: "Mark seen…",
    Action.DECLINE: "Decline…",
    Action.REDIRECT: "Redirect…",
    Action.WITHDRAW: "Withdraw…",
    Action.NO_SHOW: "No-show…",
    Action.REOPEN: "Reopen…",
    Action.HOLD: "Put on hold…",
    Action.RESUME: "Resume…",
}
LETTER_TEXT = {
    LetterKind.ACKNOWLEDGEMENT: "Acknowledgement…",
    LetterKind.MISSING_RECORDS: "Missing-records request…",
    LetterKind.STATUS: "Status update…",
    LetterKind.CONSULT_COMPLETED: "Consult completed…",
}
CLOSE_ACTIONS = {
    Action.DECLINE: (CloseReason.DECLINED, "Decline", "Why is the referral declined?"),
    Action.REDIRECT: (
        CloseReason.REDIRECTED,
        "Redirect",
        "Where is the referral redirected, and why?",
    ),
    Action.WITHDRAW: (CloseReason.WITHDRAWN, "Withdraw", "Why is the referral withdrawn?"),
    Action.NO_SHOW: (CloseReason.NO_SHOW, "No-show", "What happened? (e.g. no answer to calls)"),
}

DATE = "%a %d %b %Y"
DATE_TIME = "%d %b %Y %H:%M"
LONG_DATE_TIME = "%a %d %b %Y %H:%M"
SHORT_DATE_TIME = "%d %b %H:%M"

# Checklist and timeline side by side from this width (in average characters), else stacked.
SIDE_BY_SIDE_CHARS = 120

TREE_STYLE = "QTreeView::item { padding: 3px 4px; }"
# The checklist and the timeline keep this many rows in sight; the view scrolls beyond that.
MIN_VISIBLE_ROWS = 3

# Checklist columns
C_ITEM, C_STATE = 0, 1
# Timeline columns
T_WHEN, T_WHAT, T_BY = 0, 1, 2


def _label(text: str = "", role: str | None = None) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _state_label(value: str | None) -> str:
    if value is None:
        return "?"
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return value


class ReferralView(CorrectionsMixin, HoldsMixin, QWidget):
    """The referral screen; `show_referral(id)` loads one referral."""

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.signed_in = signed_in
        self.referrals = Referrals(signed_in)
        self.clinic = signed_in.clinic
        self.tz: ZoneInfo = self.clinic.calendar.tz
        self.bus = bus
        self.prompter = prompter
        self.referral_id: int | None = None
        self.detail: ReferralDetail | None = None
        self.allowed: dict[Action, ActionState] = {}
        self._filling = False
        self._build()
        bus.referrals_changed.connect(self._on_referrals_changed)
        self._show_empty()

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(10)
        outer.addWidget(self._build_header())
        outer.addWidget(self._build_links())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_checklist())
        self.splitter.addWidget(self._build_timeline())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        outer.addWidget(self.splitter, 1)

        outer.addLayout(self._build_actions())

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("referralHeader")
        layout = QVBoxLayout(header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        self.patient = _label(role="heading")
        self.reference = _label(role="hint")
        title_row.addWidget(self.patient)
        title_row.addWidget(self.reference)
        title_row.addStretch(1)
        layout.addLayout(title_row)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.dob = _label()
        self.mrn = _label()
        self.partner = _label()
        self.service_line = _label()
        self.received = _label()
        self.status = _label()
        self.priority = _label()
        self.acknowledged = _label()
        self.partner.setWordWrap(True)
        self.status.setWordWrap(True)
        fields = [
            ("Date of birth", self.dob),
            ("MRN", self.mrn),
            ("Received", self.received),
            ("Partner", self.partner),
            ("Service line", self.service_line),
            ("Status", self.status),
            ("Priority", self.priority),
            ("Acknowledged", self.acknowledged),
        ]
        per_column = 4
        for index, (name, widget) in enumerate(fields):
            row, col = index % per_column, (index // per_column) * 2
            caption = _label(name, "hint")
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            widget.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(caption, row, col)
            grid.addWidget(widget, row, col + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, self.fontMetrics().averageCharWidth() * 2)
        layout.addLayout(grid)

        status_row = QHBoxLayout()
        status_row.setSpacing(8)
        self.due_icon = QLabel()
        self.due_badge = _label(role="badge")
        self.missing_icon = QLabel()
        self.missing = _label()
        status_row.addWidget(self.due_icon)
        status_row.addWidget(self.due_badge)
        status_row.addSpacing(16)
        status_row.addWidget(self.missing_icon)
        status_row.addWidget(self.missing)
        status_row.addStretch(1)
        layout.addLayout(status_row)
        self.ownership = OwnershipRow(self.signed_in, self._run, self._short)
        layout.addWidget(self.ownership)
        hold_row = QHBoxLayout()  # its own line: the hold is read before the due time
        hold_row.addWidget(self._build_hold_banner())
        hold_row.addStretch(1)
        layout.addLayout(hold_row)
        return header

    def _build_checklist(self) -> QWidget:
        box = QGroupBox("Checklist")
        layout = QVBoxLayout(box)
        layout.setSpacing(6)
        self.checklist = QTreeWidget()
        self.checklist.setColumnCount(2)
        self.checklist.setHeaderLabels(["Item", "Received"])
        self.checklist.setRootIsDecorated(False)
        self.checklist.setUniformRowHeights(True)
        self.checklist.setAlternatingRowColors(True)
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checklist.setIconSize(self._icon_size())
        self.checklist.setStyleSheet(TREE_STYLE)
        head = self.checklist.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(C_ITEM, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(C_STATE, QHeaderView.ResizeMode.ResizeToContents)
        self.checklist.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.checklist.setMinimumHeight(self._rows_height(MIN_VISIBLE_ROWS))
        self.checklist.itemChanged.connect(self._on_item_changed)
        self.checklist.currentItemChanged.connect(lambda *_: self._update_item_buttons())
        layout.addWidget(self.checklist, 1)

        hint = _label(
            "Tick an item when it arrives; use “Received at…” for an earlier time.", "hint"
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = FlowLayout()
        self.receive_now = QPushButton("Received now")
        self.receive_at = QPushButton("Received at…")
        self.receive_now.clicked.connect(lambda: self._receive_selected(ask_time=False))
        self.receive_at.clicked.connect(lambda: self._receive_selected(ask_time=True))
        row.addWidget(self.receive_now)
        row.addWidget(self.receive_at)
        row.addWidget(self._build_unreceive())
        layout.addLayout(row)
        return box

    def _build_timeline(self) -> QWidget:
        box = QGroupBox("Timeline")
        layout = QVBoxLayout(box)
        self.timeline = QTreeWidget()
        self.timeline.setColumnCount(3)
        self.timeline.setHeaderLabels(["When", "What happened", "By"])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setWordWrap(False)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline.setStyleSheet(TREE_STYLE)
        self.timeline.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.timeline.setMinimumHeight(self._rows_height(MIN_VISIBLE_ROWS))
        head = self.timeline.header()
        head.setStretchLastSection(False)
        head.setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 6)
        for column, mode in (
            (T_WHEN, QHeaderView.ResizeMode.ResizeToContents),
            (T_WHAT, QHeaderView.ResizeMode.Stretch),
            (T_BY, QHeaderView.ResizeMode.ResizeToContents),
        ):
            head.setSectionResizeMode(column, mode)
        layout.addWidget(self.timeline, 1)
        self.timeline_hint = _label(role="hint")
        self.timeline_hint.setWordWrap(True)
        layout.addWidget(self.timeline_hint)
        return box

    def _build_actions(self) -> FlowLayout:
        row = FlowLayout()
        self.buttons: dict[Action, QPushButton] = {}
        handlers: dict[Action, Callable[[], None]] = {
            Action.ACKNOWLEDGE: self._acknowledge,
            Action.TRIAGE: self._triage,
            Action.SCHEDULE: self._schedule,
            Action.MARK_SEEN: self._mark_seen,
            Action.REOPEN: self._reopen,
            Action.HOLD: self._hold,
            Action.RESUME: self._resume,
        }
        for action, text in BUTTON_TEXT.items():
            button = QPushButton(text)
            button.setObjectName(f"action_{action.value}")
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            handler = handlers.get(action)
            if handler is None:
                button.clicked.connect(lambda _=False, a=action: self._close(a))
            else:
                button.clicked.connect(lambda _=False, h=handler: h())
            if action in (Action.TRIAGE, Action.DECLINE, Action.REOPEN, Action.HOLD):
                row.add_group_break()  # milestone | moves | closing | reopening | holds
            self.buttons[action] = button
            row.addWidget(button)
        row.add_group_break()
        row.addWidget(self._build_letter_button())
        row.addWidget(self._build_edit_button())
        return row

    def _build_letter_button(self) -> QToolButton:
        """'Letter ▾': a letter to the referring partner, previewed before print or save."""
        self.letter_button = QToolButton()
        self.letter_button.setObjectName("letters")
        self.letter_button.setText("Letter")
        self.letter_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.letter_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.letter_button)
        self.letter_actions: dict[LetterKind, QAction] = {}
        for kind, text in LETTER_TEXT.items():
            action = menu.addAction(text)
            action.setObjectName(f"letter_{kind.value}")
            action.triggered.connect(lambda _=False, k=kind: self.open_letter(k))
            self.letter_actions[kind] = action
        self.letter_button.setMenu(menu)
        self.may_write_letters = Permission.SEND_LETTERS in self.signed_in.actor.permissions
        return self.letter_button

    def _fill_letter_button(self) -> None:
        shown = self.referral_id is not None and self.detail is not None
        self.letter_button.setEnabled(shown and self.may_write_letters)
        # Offered once the patient was seen: it tells the referrer the loop is closed.
        seen = shown and self.detail is not None and self.detail.summary.state == State.SEEN
        self.letter_actions[LetterKind.CONSULT_COMPLETED].setEnabled(seen)
        if not self.may_write_letters:
            self.letter_button.setToolTip("Only a coordinator may prepare letters to partners")
        else:
            self.letter_button.setToolTip("Preview a letter to the referring partner")

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side when there is room, else the checklist above the timeline."""
        super().resizeEvent(event)
        wide = event.size().width() >= self.fontMetrics().averageCharWidth() * SIDE_BY_SIDE_CHARS
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    def heightForWidth(self, width: int) -> int:
        """The height the view needs at `width` with its checklist and timeline at their
        minimum: what the main window's scroll area gives it, so it scrolls only when even
        that does not fit (a box layout would ask for every part's preferred height)."""
        layout = self.layout()
        margins = layout.contentsMargins()
        inner = width - margins.left() - margins.right()
        height = margins.top() + margins.bottom() + layout.spacing() * (layout.count() - 1)
        for index in range(layout.count()):
            item = layout.itemAt(index)
            if item.hasHeightForWidth():
                height += item.heightForWidth(inner)
            else:
                height += item.minimumSize().height()
        return height

    def _rows_height(self, rows: int) -> int:
        """Room for a header and `rows` rows of a tree in this font (TREE_STYLE's padding)."""
        line = max(self.fontMetrics().height(), self._icon_size().height()) + 8
        return line * (rows + 2)  # the header, and a margin for frames and row padding

    def _icon_size(self) -> QSize:
        side = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        return QSize(side, side)

    # -- loading ------------------------------------------------------------
    def show_referral(self, referral_id: int) -> None:
        self.referral_id = referral_id
        self.reload()

    def reload(self) -> None:
        if self.referral_id is None:
            self._show_empty()
            return
        try:
            detail = self.referrals.get(self.referral_id)
            actions = self.referrals.actions(self.referral_id)
        except ServiceError as exc:
            self.prompter.error(self, "Referral", str(exc))
            self.referral_id = None
            self._show_empty()
            return
        self.detail = detail
        self.allowed = {a.action: a for a in actions}
        self._fill_header(detail)
        self._fill_checklist(detail)
        self._fill_timeline(detail)
        self._fill_actions()
        self._fill_corrections(detail)
        self.ownership.fill(detail)

    def _on_referrals_changed(self, referral_id: int) -> None:
        if self.referral_id is not None and referral_id in (self.referral_id, -1):
            self.reload()

    def _show_empty(self) -> None:
        self.detail = None
        self.allowed = {}
        self.patient.setText("No referral selected")
        self.reference.clear()
        for label in (
            self.dob,
            self.mrn,
            self.partner,
            self.service_line,
            self.received,
            self.acknowledged,
        ):
            label.clear()
        for label in (self.status, self.priority, self.due_badge, self.missing):
            label.clear()
            label.setToolTip("")
        self.due_badge.hide()
        self._fill_hold(None)
        self.due_icon.clear()
        self.missing_icon.clear()
        self._filling = True
        self.checklist.clear()
        self._filling = False
        self.timeline.clear()
        self.timeline_hint.clear()
        for button in self.buttons.values():
            button.setEnabled(False)
            button.setToolTip("")
        self._fill_letter_button()
        self._update_item_buttons()
        self._fill_corrections(None)
        self.ownership.fill(None)

    # -- formatting -----------------------------------------------------------
    def _local(self, moment: datetime | None, fmt: str = DATE_TIME) -> str:
        return moment.astimezone(self.tz).strftime(fmt) if moment else ""

    def _short(self, moment: datetime) -> str:
        """Day and time, with the year only when it is not this year (as mail programs do)."""
        local = moment.astimezone(self.tz)
        this_year = self.clinic.now().astimezone(self.tz).year
        return local.strftime(SHORT_DATE_TIME if local.year == this_year else DATE_TIME)

    def _fill_header(self, detail: ReferralDetail) -> None:
        s = detail.summary
        self.patient.setText(f"{s.family_name}, {s.given_name}")
        self.reference.setText(f"Referral #{s.id}")
        self.dob.setText(s.date_of_birth.strftime("%d %b %Y"))
        self.mrn.setText(s.mrn or "—")
        self.partner.setText(s.partner)
        line = self.clinic.service_lines.get(s.service_line)
        self.service_line.setText(line.name if line else s.service_line)
        channel = CHANNEL_LABELS.get(s.channel, s.channel)
        self.received.setText(f"{self._local(s.received_at, LONG_DATE_TIME)} by {channel}")
        self.status.setText(self._status_text(detail))
        self.acknowledged.setText(
            self._local(detail.acknowledged_at, LONG_DATE_TIME) or "Not yet acknowledged"
        )
        self.status.setToolTip(f"Closed: {detail.close_reason}" if detail.close_reason else "")

        reasons = (
            "\n".join(f"• {readable_reason(r)}" for r in detail.proposal_reasons)
            or "• no rule applied"
        )
        if s.priority:
            final = PRIORITY_LABELS[Priority(s.priority)]
            self.priority.setText(final)
            self.priority.setToolTip(
                f"Set at triage (proposed {s.proposed_priority}, because:)\n{reasons}"
            )
        else:
            proposed = PRIORITY_LABELS[Priority(s.proposed_priority)]
            self.priority.setText(f"{proposed} (proposed, not yet triaged)")
            self.priority.setToolTip(f"Proposed {s.proposed_priority} because:\n{reasons}")

        self._fill_due(detail)
        self._fill_hold(detail)
        size = self._icon_size()
        if s.missing_required:
            self.missing_icon.setPixmap(icon("missing").pixmap(size))
            plural = "s" if s.missing_required != 1 else ""
            self.missing.setText(f"{s.missing_required} required item{plural} missing")
        else:
            self.missing_icon.setPixmap(icon("check").pixmap(size))
            when = self._local(detail.records_complete_at)
            self.missing.setText(f"Records complete {when}".strip())

    def _status_text(self, detail: ReferralDetail) -> str:
        s = detail.summary
        text = _state_label(s.state)
        state = State(s.state)
        if state is State.SCHEDULED and detail.appointment_at:
            text += f" — appointment {self._local(detail.appointment_at, LONG_DATE_TIME)}"
        elif not state.is_open:
            if detail.closed_from:
                text += f" (from {_state_label(detail.closed_from).lower()})"
            if detail.close_reason:
                text += f": {detail.close_reason}"
        return text

    def _fill_due(self, detail: ReferralDetail) -> None:
        s = detail.summary
        size = self._icon_size()
        if not s.next_due or not s.due_at:
            self.due_badge.setText("Nothing due")
            self.due_badge.setProperty("tone", "")
            self.due_badge.setToolTip("")
            self.due_icon.clear()
            self.due_icon.hide()
        else:
            step = MEASURE_LABELS.get(s.next_due, s.next_due)
            # A deadline is the midnight that ends the due day: name that day.
            due_day = self._local(s.due_at - timedelta(microseconds=1), DATE)
            if s.due_status == "overdue":
                text = f"Overdue: {step}, was due by end of {due_day}"
                self.due_icon.setPixmap(icon("overdue").pixmap(size))
                self.due_icon.show()
            elif s.due_status == "due_today":
                text = f"Due today: {step}"
                self.due_icon.setPixmap(icon("due_today").pixmap(size))
                self.due_icon.show()
            elif s.due_status == ON_HOLD:
                # Suspended while held (never overdue); a patient's wait moves the day on.
                text = f"{step}: due time suspended while on hold"
                self.due_icon.clear()
                self.due_icon.hide()
            else:
                text = f"Next: {step}, due by end of {due_day}"
                self.due_icon.clear()
                self.due_icon.hide()
            self.due_badge.setText(text)
            self.due_badge.setProperty("tone", s.due_status or "")
            tip = f"Deadline {self._local(s.due_at)} ({self.tz.key})"
            if s.due_status == ON_HOLD:
                tip = f"If resumed now: due by end of {due_day} ({self.tz.key})"
            self.due_badge.setToolTip(tip)
        self.due_badge.show()
        _repolish(self.due_badge)

    def _fill_checklist(self, detail: ReferralDetail) -> None:
        may_receive = self.allowed.get(Action.RECEIVE_ITEM)
        can_tick = bool(may_receive and may_receive.allowed)
        current = self.checklist.currentItem()
        current_key = current.data(C_ITEM, Qt.ItemDataRole.UserRole) if current else None
        self._filling = True
        try:
            self.checklist.clear()
            for line in detail.checklist:
                item = QTreeWidgetItem()
                item.setData(C_ITEM, Qt.ItemDataRole.UserRole, line.key)
                item.setText(C_ITEM, line.label + ("" if line.required else " (optional)"))
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if line.received_at is None and can_tick:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)
                received = line.received_at is not None
                item.setCheckState(
                    C_ITEM, Qt.CheckState.Checked if received else Qt.CheckState.Unchecked
                )
                item.setText(C_STATE, self._line_state(line))
                if received:
                    item.setIcon(C_STATE, icon("check"))
                elif line.required:
                    item.setIcon(C_STATE, icon("missing"))
                tip = f"Received {self._line_state(line)}" if received else self._line_state(line)
                if not can_tick and not received and may_receive:
                    tip += f"\nCannot record receipt: {may_receive.reason}"
                item.setToolTip(C_ITEM, tip)
                item.setToolTip(C_STATE, tip)
                self.checklist.addTopLevelItem(item)
                if line.key == current_key:
                    self.checklist.setCurrentItem(item)
        finally:
            self._filling = False
        if self.checklist.currentItem() is None:
            first_missing = next(
                (
                    self.checklist.topLevelItem(i)
                    for i in range(self.checklist.topLevelItemCount())
                    if self.checklist.topLevelItem(i).checkState(C_ITEM) == Qt.CheckState.Unchecked
                ),
                None,
            )
            if first_missing is not None:
                self.checklist.setCurrentItem(first_missing)
        self._update_item_buttons()

    def _line_state(self, line: ChecklistLine) -> str:
        if line.received_at is not None:
            by = f" by {line.received_by}" if line.received_by else ""
            return f"{self._short(line.received_at)}{by}"
        return "Missing (required)" if line.required else "Not received"

    def _fill_timeline(self, detail: ReferralDetail) -> None:
        labels = {line.key: line.label for line in detail.checklist}
        self.timeline.clear()
        # At the same moment, the last receipt comes before the "records complete" it caused.
        events = sorted(
            detail.timeline, key=lambda e: (e.effective_at, e.kind == "records_complete")
        )
        for event in events:
            when = self._short(event.effective_at)
            late = event.recorded_at - event.effective_at > RECORDED_LATE_AFTER
            if late:
                when += " (recorded later)"
            what = self._event_text(event, labels)
            detail = self._event_detail(event)
            if detail:
                what += f" — {detail}"
            item = QTreeWidgetItem([when, what, event.user])
            recorded = f"Recorded {self._local(event.recorded_at, LONG_DATE_TIME)} by {event.user}"
            item.setToolTip(T_WHEN, recorded)
            item.setToolTip(T_WHAT, what)
            self.timeline.addTopLevelItem(item)
        minutes = int(RECORDED_LATE_AFTER.total_seconds() // 60)
        self.timeline_hint.setText(
            f"Times in {self.tz.key}. “Recorded later”: entered more than {minutes} minutes "
            "after the time it claims; point at the time to see when it was recorded."
        )
        self.timeline.scrollToBottom()

    def _event_text(self, event: TimelineEvent, labels: dict[str, str]) -> str:
        if held := hold_event_text(event.kind, event.detail):
            return held
        if event.kind in CORRECTION_KINDS:
            return self._correction_text(event, labels)
        if event.kind == "item_received":
            return f"Received: {labels.get(event.detail, event.detail)}"
        if event.kind == "received":
            return "Referral received"
        if event.kind == "acknowledged":
            return "Acknowledged to partner"
        if event.kind == "records_complete":
            return "Records complete"
        if event.kind == "transition":
            if event.from_state == event.to_state == State.SCHEDULED.value:
                return "Rescheduled"
            return f"{_state_label(event.from_state)} → {_state_label(event.to_state)}"
        if event.kind == "reopened":
            return f"Reopened: {_state_label(event.from_state)} → {_state_label(event.to_state)}"
        if event.kind == "merged_intake":
            return "Duplicate intake merged"
        if event.kind == "assigned":
            return f"Assigned to {event.detail}" if event.detail else "Unassigned"
        if event.kind == "followup_done":  # detail "step N: outcome"
            return "Follow-up done"
        return event.kind.replace("_", " ").capitalize()

    def _event_detail(self, event: TimelineEvent) -> str:
        if event.kind in ("item_received", "assigned"):  # the detail is in the text already
            return ""
        if event.kind in CORRECTION_KINDS:  # the detail is in the text already
            return f"Reason: {event.reason}" if event.reason else ""
        if event.kind in HOLD_EVENTS:  # the reason is in the text already
            return ""
        parts = []
        if event.reason:
            parts.append(f"Reason: {event.reason}")
        detail = event.detail
        for prefix in ("rescheduled: appointment ", "appointment "):
            if detail.startswith(prefix):
                try:
                    at = datetime.fromisoformat(detail.removeprefix(prefix))
                except ValueError:
                    break
                detail = f"appointment {self._local(at)}"
                break
        if detail and event.kind != "merged_intake":
            parts.append(detail)
        return " · ".join(parts)

    def _fill_actions(self) -> None:
        for action, button in self.buttons.items():
            state = self.allowed.get(action)
            button.setEnabled(bool(state and state.allowed))
            button.setToolTip("" if state is None or state.allowed else f"Not now: {state.reason}")
        schedule = self.buttons[Action.SCHEDULE]
        scheduled = self.detail and self.detail.summary.state == State.SCHEDULED.value
        schedule.setText("Reschedule…" if scheduled else BUTTON_TEXT[Action.SCHEDULE])
        self._fill_letter_button()

    def _update_item_buttons(self) -> None:
        item = self.checklist.currentItem()
        may = self.allowed.get(Action.RECEIVE_ITEM)
        pending = bool(item and item.checkState(C_ITEM) == Qt.CheckState.Unchecked)
        enabled = bool(may and may.allowed and pending)
        for button in (self.receive_now, self.receive_at):
            button.setEnabled(enabled)
            if may and not may.allowed:
                button.setToolTip(f"Not now: {may.reason}")
            elif not pending:
                button.setToolTip("Select an item not yet received")
            else:
                button.setToolTip("")

    # -- dialogs (tests replace exec_dialog) ----------------------------------
    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally; True when accepted. The one place tests intercept."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def ask_received_at(self, line: ChecklistLine) -> datetime | None:
        dialog = ReceivedAtDialog(self, line.label, self.tz, self.clinic.now())
        return dialog.value() if self.exec_dialog(dialog) else None

    def ask_triage(self, detail: ReferralDetail) -> TriageChoice | None:
        proposed = Priority(detail.summary.proposed_priority)
        missing = tuple(
            line.label for line in detail.checklist if line.required and line.received_at is None
        )
        dialog = TriageDialog(
            self, proposed, detail.proposal_reasons, self.tz, self.clinic.now(), missing
        )
        return dialog.value() if self.exec_dialog(dialog) else None

    def ask_seen(self, detail: ReferralDetail) -> SeenChoice | None:
        dialog = MarkSeenDialog(self, self.tz, self.clinic.now(), detail.appointment_at)
        return dialog.value() if self.exec_dialog(dialog) else None

    def ask_schedule(self, detail: ReferralDetail) -> ScheduleChoice | None:
        dialog = ScheduleDialog(self, self.tz, self.clinic.now(), detail.appointment_at)
        return dialog.value() if self.exec_dialog(dialog) else None

    def ask_reason(self, title: str, ok_text: str, prompt: str) -> ReasonChoice | None:
        dialog = ReasonDialog(self, title, ok_text, prompt, self.tz, self.clinic.now())
        return dialog.reason_value() if self.exec_dialog(dialog) else None

    def ask_when(self, title: str, ok_text: str, prompt: str) -> tuple[bool, datetime | None]:
        """(accepted, time or None for now)."""
        dialog = WhenDialog(self, title, ok_text, prompt, self.tz, self.clinic.now())
        accepted = self.exec_dialog(dialog)
        return accepted, dialog.value() if accepted else None

    # -- letters --------------------------------------------------------------
    def open_letter(self, kind: LetterKind) -> bool:
        """Render this referral's letter and open its preview; False if refused."""
        from intake_app.ui.letters.preview import LetterPreviewDialog

        if self.referral_id is None:
            return False
        referral_id = self.referral_id
        try:
            pdf = Letters(self.signed_in).render([referral_id], kind)
        except ServiceError as exc:
            self.prompter.error(self, "Letter", str(exc))
            return False
        if pdf is None:
            return False
        dialog = LetterPreviewDialog(
            self.signed_in, self.bus, self.prompter, [referral_id], kind, pdf, self
        )
        self.exec_dialog(dialog)
        return True

    # -- changes ------------------------------------------------------------
    def _run(self, title: str, change: Callable[[int, int], None]) -> bool:
        """Call the service with the id and the version shown; announce or report the outcome."""
        if self.referral_id is None or self.detail is None:
            return False
        referral_id, version = self.referral_id, self.detail.row_version
        try:
            change(referral_id, version)
        except ConcurrentEdit as exc:
            self.prompter.error(self, title, f"{exc}\nThe referral has been reloaded.")
            self.reload()
            return False
        except ServiceError as exc:
            self.prompter.error(self, title, str(exc))
            self.reload()
            return False
        self.bus.referrals_changed.emit(referral_id)  # this view reloads from it too
        return True

    def _line(self, key: str) -> ChecklistLine | None:
        if self.detail is None:
            return None
        return next((line for line in self.detail.checklist if line.key == key), None)

    def receive_item(self, key: str, at: datetime | None = None) -> bool:
        """Record that checklist item `key` arrived, now or at `at`."""
        return self._run(
            "Record receipt",
            lambda rid, version: self.referrals.receive_item(
                rid, key, at=at, expected_version=version
            ),
        )

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != C_ITEM:
            return
        if item.checkState(C_ITEM) != Qt.CheckState.Checked:
            return
        key = item.data(C_ITEM, Qt.ItemDataRole.UserRole)
        # Not from inside the signal: recording reloads the list, deleting this very item.
        QTimer.singleShot(0, self, lambda: self._ticked(key))

    def _ticked(self, key: str) -> None:
        if not self.receive_item(key):
            self.reload()  # undo the tick if nothing was recorded

    def _receive_selected(self, *, ask_time: bool) -> None:
        item = self.checklist.currentItem()
        if item is None:
            return
        line = self._line(item.data(C_ITEM, Qt.ItemDataRole.UserRole))
        if line is None:
            return
        at = None
        if ask_time:
            at = self.ask_received_at(line)
            if at is None:
                return
        self.receive_item(line.key, at)

    def _acknowledge(self) -> None:
        accepted, at = self.ask_when(
            "Acknowledge",
            "Acknowledge",
            "Record that the referral was acknowledged to the referring partner.",
        )
        if accepted:
            # acknowledge() takes no expected version: it only ever adds an event.
            self._run("Acknowledge", lambda rid, _v: self.referrals.acknowledge(rid, at=at))

    def _triage(self) -> None:
        if self.detail is None:
            return
        choice = self.ask_triage(self.detail)
        if choice is not None:
            self._run(
                "Triage",
                lambda rid, v: self.referrals.triage(
                    rid, choice.priority, at=choice.at, expected_version=v, reason=choice.reason
                ),
            )

    def _schedule(self) -> None:
        if self.detail is None:
            return
        choice = self.ask_schedule(self.detail)
        if choice is not None:
            self._run(
                "Schedule",
                lambda rid, v: self.referrals.schedule(
                    rid, choice.appointment_at, at=choice.at, expected_version=v
                ),
            )

    def _mark_seen(self) -> None:
        if self.detail is None:
            return
        choice = self.ask_seen(self.detail)
        if choice is not None:
            self._run(
                "Mark seen",
                lambda rid, v: self.referrals.mark_seen(
                    rid,
                    at=choice.at,
                    expected_version=v,
                    seen_earlier_than_booked=choice.earlier_than_booked,
                ),
            )

    def _close(self, action: Action) -> None:
        reason, title, prompt = CLOSE_ACTIONS[action]
        choice = self.ask_reason(title, title, prompt)
        if choice is not None:
            self._run(
                title,
                lambda rid, v: self.referrals.close(
                    rid, reason, choice.reason, at=choice.at, expected_version=v
                ),
            )

    def _reopen(self) -> None:
        choice = self.ask_reason(
            "Reopen",
            "Reopen",
            "Why is the referral reopened? It returns to the state it closed from.",
        )
        if choice is not None:
            self._run(
                "Reopen",
                lambda rid, v: self.referrals.reopen(
                    rid, choice.reason, at=choice.at, expected_version=v
                ),
            )
