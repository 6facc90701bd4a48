"""The "Follow-ups" page: partners to chase for missing records by the end of a day, overdue
first, and recording each chase (Done…), or sending the missing-records letter, which counts.

Keyboard: the list has the focus; Enter opens the referral (on the worklist page), Alt+D is
"Done…", Alt+M the letter, Alt+A the date; Alt+Y goes back to today.
"""

from datetime import date, timedelta

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.holds import on_hold_text
from intake_app.domain.letters import LetterKind
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.followups import FollowupRow, Followups
from intake_app.services.letters import Letters
from intake_app.services.permissions import Permission
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.followups.done_dialog import FollowupDoneDialog
from intake_app.ui.worklist.model import _day_month, _long_date, _short_date

COLUMNS = ("Due", "Step", "Referral", "Partner", "Phone / fax", "Missing items", "Hold")
# Short enough for the table; the full wording is in the step's tooltip and the Done… dialog.
SHORT_ACTIONS = {"request_partner": "Request from partner", "escalate_lead": "Escalate to lead"}
_EPSILON = timedelta(microseconds=1)
_Index = QModelIndex | QPersistentModelIndex
OVERDUE = QColor("#c62828")


def due_in_words(row: FollowupRow, today: date) -> str:
    """'Overdue: due Tue 17 Nov (2 days late)', 'Due today', 'Due Thu 19 Nov'."""
    day = (row.due_at - _EPSILON).date()  # due_at is the midnight that ends the due day
    if row.due_status == "overdue":
        late = (today - day).days
        return f"Overdue: due {_short_date(day)}" + (f" ({late} days late)" if late > 1 else "")
    if row.due_status == "due_today":
        return "Due today"
    return f"Due {_short_date(day)}"


class FollowupsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FollowupRow] = []
        self.today = date.today()

    def set_rows(self, rows: list[FollowupRow], today: date) -> None:
        self.beginResetModel()
        self.rows, self.today = rows, today
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "Due":
            return QBrush(OVERDUE) if row.due_status == "overdue" else None
        if role == Qt.ItemDataRole.UserRole:
            return row.referral_id
        return None

    def _text(self, row: FollowupRow, column: str) -> str:
        if column == "Due":
            return due_in_words(row, self.today)
        if column == "Step":
            return f"{row.step} · {SHORT_ACTIONS.get(row.action, row.action_label)}"
        if column == "Referral":
            name = f"{row.family_name}, {row.given_name}" if row.family_name else ""
            return f"{name} · R-{row.referral_id:06d}" if name else f"R-{row.referral_id:06d}"
        if column == "Partner":
            return row.partner
        if column == "Phone / fax":
            return " · ".join(
                part for part in (row.phone, f"fax {row.fax}" if row.fax else "") if part
            )
        if column == "Missing items":
            return "; ".join(row.missing_items)  # labels may hold commas themselves
        if column == "Hold":
            if not row.hold_reason:
                return ""
            since = _day_month(row.held_since.date()) if row.held_since else "?"
            return on_hold_text(row.hold_reason, since)
        return ""

    def _tooltip(self, row: FollowupRow, column: str) -> str | None:
        if column == "Due":
            day = _long_date((row.due_at - _EPSILON).date())
            done = f"\n{row.steps_done} earlier step(s) done" if row.steps_done else ""
            return f"Step {row.step} due by the end of {day}{done}"
        if column == "Step":
            return row.action_label
        if column == "Missing items":
            return "Required, not yet received:\n" + "\n".join(f"• {m}" for m in row.missing_items)
        if column == "Hold" and row.hold_reason:
            return f"{self._text(row, column)}: still chased"
        return None


class FollowupsPage(QWidget):
    """Follow-ups due by the end of the chosen day; refreshed whenever referrals change."""

    # The user asked to see a referral in full (the main window shows the worklist page).
    referral_opened = Signal(int)

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("followupsPage")
        self.signed_in = signed_in
        self.bus = bus
        self.prompter = prompter
        self.tz = signed_in.clinic.calendar.tz
        self._stale = False

        heading = QLabel("Follow-ups due")
        heading.setProperty("role", "heading")
        self.day = QDateEdit()
        self.day.setObjectName("followupsDate")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        day_label = QLabel("D&ate")
        day_label.setBuddy(self.day)
        self.today_button = QPushButton("Toda&y")
        self.summary = QLabel()
        self.summary.setObjectName("followupsSummary")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(16)
        top.addWidget(day_label)
        top.addWidget(self.day)
        top.addWidget(self.today_button)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)

        self.model = FollowupsModel(self)
        self.table = QTableView()
        self.table.setObjectName("followupsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # What to ask for gets room of its own (the tooltip lists it all); the hold takes what is
        # left and is elided if need be (its tooltip says it whole).
        for name, chars in (("Missing items", 34), ("Hold", 22)):
            column = COLUMNS.index(name)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, self.fontMetrics().averageCharWidth() * chars)
        header.setStretchLastSection(True)
        self.empty = QLabel("Nothing to chase: no follow-up is due by the end of this day.")
        self.empty.setProperty("role", "hint")

        self.done_button = QPushButton("&Done…")
        self.done_button.setObjectName("followupDone")
        self.letter_button = QPushButton("&Missing-records letter…")
        self.letter_button.setObjectName("followupLetter")
        self.open_button = QPushButton("&Open referral")
        buttons = QHBoxLayout()
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.letter_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        hint = QLabel("Enter opens the referral. The missing-records letter counts as done.")
        hint.setProperty("role", "hint")
        buttons.addWidget(hint)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        self._connect_signals()
        # Listed when first shown, not at sign-in: a listing is audited as a read.
        today = self.today()
        self.day.blockSignals(True)
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.day.blockSignals(False)
        self._stale = True

    def _connect_signals(self) -> None:
        self.day.dateChanged.connect(lambda _: self.refresh())
        self.today_button.clicked.connect(self.go_to_today)
        self.table.activated.connect(lambda _: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.done_button.clicked.connect(self.done_selected)
        self.letter_button.clicked.connect(self.letter_for_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.bus.referrals_changed.connect(lambda _: self._changed())

    def _changed(self) -> None:
        """Referrals changed: refresh now if the page is seen, else when it is next shown
        (each listing is audited as a read of every referral on it)."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- the list -------------------------------------------------------------
    def today(self) -> date:
        return self.signed_in.clinic.now().astimezone(self.tz).date()

    def go_to_today(self) -> None:
        today = self.today()
        if self.chosen_day() == today:
            self.refresh()
        else:
            self.day.setDate(QDate(today.year, today.month, today.day))  # refreshes

    def chosen_day(self) -> date:
        return self.day.date().toPython()  # type: ignore[no-any-return]

    def refresh(self) -> None:
        self._stale = False
        keep = self.selected()
        keep_id = keep.referral_id if keep else None
        try:
            rows = Followups(self.signed_in).due(self.chosen_day())
        except ServiceError as exc:
            self.summary.setText(str(exc))
            rows = []
        self.model.set_rows(rows, self.today())
        overdue = sum(r.due_status == "overdue" for r in rows)
        self.summary.setText(
            f"{len(rows)} due" + (f", {overdue} overdue" if overdue else "") if rows else ""
        )
        self.empty.setVisible(not rows)
        if rows:
            ids = [r.referral_id for r in rows]
            self.table.selectRow(ids.index(keep_id) if keep_id in ids else 0)
        self._update_buttons()

    def selected(self) -> FollowupRow | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.model.rows[chosen[0].row()] if chosen else None

    def _update_buttons(self) -> None:
        has_row = self.selected() is not None
        may_write = self.signed_in.actor.may(Permission.EDIT_REFERRAL)
        for button in (self.done_button, self.letter_button):
            button.setEnabled(has_row and may_write)
        self.open_button.setEnabled(has_row)

    # -- actions --------------------------------------------------------------
    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally; True when accepted. The list has the keys again after it, so
        that Down, Alt+D, Down, Alt+D... works through the day."""
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self.table.setFocus()

    def done_selected(self) -> bool:
        """Ask how the follow-up was done, and record it; True when recorded."""
        row = self.selected()
        if row is None:
            return False
        dialog = FollowupDoneDialog(self, row, self.tz, self.signed_in.clinic.now())
        if not self.exec_dialog(dialog):
            return False
        choice = dialog.choice()
        try:
            Followups(self.signed_in).complete(
                row.referral_id, choice.outcome, choice.note, choice.at, row.row_version
            )
        except ServiceError as exc:
            self.prompter.error(self, "Follow-up", str(exc))
            self.refresh()
            return False
        self.bus.referrals_changed.emit(row.referral_id)
        return True

    def letter_for_selected(self) -> bool:
        """The missing-records letter's preview; printing or saving it completes the step."""
        from intake_app.ui.letters.preview import LetterPreviewDialog

        row = self.selected()
        if row is None:
            return False
        try:
            pdf = Letters(self.signed_in).render([row.referral_id], LetterKind.MISSING_RECORDS)
        except ServiceError as exc:
            self.prompter.error(self, "Missing-records letter", str(exc))
            return False
        if pdf is None:
            return False
        dialog = LetterPreviewDialog(
            self.signed_in,
            self.bus,
            self.prompter,
            [row.referral_id],
            LetterKind.MISSING_RECORDS,
            pdf,
            self,
        )
        self.exec_dialog(dialog)
        return True

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.bus.open_referral.emit(row.referral_id)
            self.referral_opened.emit(row.referral_id)
