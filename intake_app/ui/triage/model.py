"""The triage queue as a table: one row per referral awaiting triage, in the services' order.

The queue is a few hundred rows at most (the new referrals), so the model holds all of them;
the order is the services' (proposed priority, triage due time, receipt) and not re-sortable:
it is the order to decide them in.
"""

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from intake_app.domain.holds import on_hold_text
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.referrals import QueueRow, QueueScope, Referrals
from intake_app.ui.common.step_dialogs import readable_reason
from intake_app.ui.common.style import icon
from intake_app.ui.worklist.model import _day_month, _short_date

PRIORITY_LABELS = {"urgent": "Urgent", "soon": "Soon", "routine": "Routine"}
DUE_WORDS = {"overdue": "Overdue", "due_today": "Due today", "upcoming": "Due"}

# What decides the order first, then who and what is missing; the rest may scroll off.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("priority", "Proposed"),
    ("due", "Triage due"),
    ("patient", "Patient"),
    ("missing", "Missing"),
    ("waiting", "Waiting"),
    ("hold", "Hold"),
    ("service_line", "Service line"),
    ("assigned", "Assigned"),
    ("why", "Why proposed"),
)
COLUMN_INDEX = {key: i for i, (key, _title) in enumerate(COLUMNS)}

ReferralIdRole = Qt.ItemDataRole.UserRole + 1

# As the worklist's: a tint and words, never colour alone.
_TINTS = {"overdue": QColor("#fbe3e3"), "due_today": QColor("#fff0dc")}
_TINT_TEXT = QColor("#1f1f1f")
_STATUS_TEXT = {"overdue": QColor("#b71c1c"), "due_today": QColor("#a84300")}
_EPSILON = timedelta(microseconds=1)  # a deadline is the midnight ending its day

_Index = QModelIndex | QPersistentModelIndex


class TriageQueueModel(QAbstractTableModel):
    """The referrals awaiting triage for one scope (all, unassigned, mine)."""

    def __init__(self, signed_in: SignedIn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signed_in = signed_in
        self.scope = QueueScope.ALL
        self._rows: list[QueueRow] = []
        self.error = ""
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = Referrals(self._signed_in).triage_queue(self.scope)
            self.error = ""
        except ServiceError as exc:
            rows, self.error = [], str(exc)
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def set_scope(self, scope: QueueScope) -> None:
        self.scope = scope
        self.refresh()

    def row(self, index: int) -> QueueRow:
        return self._rows[index]

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    def row_of(self, referral_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == referral_id), -1)

    def overdue_count(self) -> int:
        return sum(1 for r in self._rows if r.due_status == "overdue" and not r.hold_reason)

    # -- table ------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        pressing = r.due_status in _TINTS and not r.hold_reason
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.text(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(r, key)
        if role == Qt.ItemDataRole.DecorationRole and key == "due" and pressing:
            return icon(r.due_status)
        if role == Qt.ItemDataRole.BackgroundRole and pressing:
            return QBrush(_TINTS[r.due_status])
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "due" and pressing:
                return QBrush(_STATUS_TEXT[r.due_status])
            return QBrush(_TINT_TEXT) if pressing else None
        if role == Qt.ItemDataRole.FontRole and (
            (key == "due" and pressing) or (key == "priority" and r.proposed_priority == "urgent")
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == ReferralIdRole:
            return r.id
        return None

    # -- cell text --------------------------------------------------------------
    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._signed_in.clinic.calendar.tz)

    def text(self, r: QueueRow, key: str) -> str:
        if key == "priority":
            return PRIORITY_LABELS.get(r.proposed_priority, r.proposed_priority)
        if key == "patient":
            born = r.date_of_birth
            return f"{r.family_name}, {r.given_name} ({_day_month(born)} {born.year})"
        if key == "service_line":
            line = self._signed_in.clinic.service_lines.get(r.service_line)
            return line.name if line is not None else r.service_line
        if key == "missing":
            return ", ".join(r.missing_items) if r.missing_items else "Complete"
        if key == "waiting":
            return waited(r.waiting)
        if key == "due":
            day = self._local(r.triage_due_at - _EPSILON).date()
            if r.hold_reason:  # as every list says it: the clock is stopped, and why
                return self._hold_text(r)
            if r.due_status == "due_today":
                return "Due today"
            return f"{DUE_WORDS.get(r.due_status, r.due_status)} · {_short_date(day)}"
        if key == "hold":
            return self._hold_text(r) if r.hold_reason else ""
        if key == "assigned":
            return r.assigned_to or "Unassigned"
        if key == "why":
            return "; ".join(readable_reason(reason) for reason in r.proposal_reasons)
        return ""

    def _hold_text(self, r: QueueRow) -> str:
        """The words every list uses: 'On hold since 30 Nov (patient unavailable)'."""
        since = _day_month(self._local(r.held_since).date()) if r.held_since else "?"
        return on_hold_text(r.hold_reason or "", since)

    def due_sentence(self, r: QueueRow) -> str:
        """'Overdue — by the end of Tue 17 Nov 2026', or suspended while on hold."""
        day = self._local(r.triage_due_at - _EPSILON).date()
        by = f"by the end of {_short_date(day)} {day.year}"
        if r.hold_reason:
            return f"Suspended while on hold ({by} if resumed now)"
        return f"{DUE_WORDS.get(r.due_status, r.due_status)} — {by}"

    def tooltip(self, r: QueueRow, key: str) -> str | None:
        if key == "missing" and r.missing_items:
            return "Required, not yet received:\n" + "\n".join(f"• {m}" for m in r.missing_items)
        if key == "due":
            return f"Triage: {self.due_sentence(r)}"
        if key == "waiting":
            return f"Received {self._local(r.received_at):%d %b %Y %H:%M} (clinic time)"
        if key in ("why", "patient", "service_line"):
            return self.text(r, key)
        return None


def waited(span: timedelta) -> str:
    """3 d 4 h, or 5 h 20 min under a day."""
    seconds = int(span.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    return f"{days} d {hours} h" if days else f"{hours} h {minutes} min"
