"""The worklist table: referrals from the services, fetched a page at a time (SPEC §3.3-3.5).

The model never holds more than the rows the view has scrolled to: it asks the services for
one page (200 rows) at a time through canFetchMore/fetchMore, and sorting and filtering are
new queries, done by the database.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from intake_app.domain.dates import MONTHS, MONTHS_SHORT, WEEKDAYS, WEEKDAYS_SHORT, wait_text
from intake_app.domain.holds import HoldReason, on_hold_text
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.services.views import ReferralSummary
from intake_app.ui.common.style import icon

PAGE_SIZE = 200

STATE_LABELS = {
    "new": "New",
    "triaged": "Triaged",
    "scheduled": "Scheduled",
    "seen": "Seen",
    "declined": "Declined",
    "redirected": "Redirected",
    "withdrawn": "Withdrawn",
    "no_show": "No-show",
}
CHANNEL_LABELS = {
    "fax": "Fax",
    "phone": "Phone",
    "email": "Email",
    "web_form": "Web form",
    "portal": "Portal",
    "walk_in": "Walk-in",
}
PRIORITY_LABELS = {"urgent": "Urgent", "soon": "Soon", "routine": "Routine"}
MEASURE_LABELS = {
    "acknowledge": "Acknowledge",
    "records_complete": "Records complete",
    "triage": "Triage",
    "first_consult": "First consult",
}
DUE_LABELS = {"overdue": "Overdue", "due_today": "Due today"}
_OPEN_STATES = frozenset({"new", "triaged", "scheduled"})

# Status colours, as in style.qss; tinted rows get a dark text colour of their own so that
# they stay readable on a dark palette too.
_TINTS = {"overdue": QColor("#fbe3e3"), "due_today": QColor("#fff0dc")}
_TINT_TEXT = QColor("#1f1f1f")
_STATUS_TEXT = {
    "overdue": QColor("#b71c1c"),
    "due_today": QColor("#a84300"),
    "on_hold": QColor("#4a5a6a"),
}

# Deadlines are the midnight that ends the due day; step back to name that day.
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: str | None  # a key of referrals.SORT_COLUMNS, or None: not sortable
    default_descending: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("received", "Received", "received", default_descending=True),
    Column("waiting", "Waiting", None),  # beside what it counts from; in sight when narrow
    Column("patient", "Patient", "patient"),
    Column("service_line", "Service line", "service_line"),
    Column("partner", "Partner", "partner"),
    Column("channel", "Channel", "channel"),
    Column("status", "Status", "status"),
    Column("assigned", "Assigned", None),
    Column("missing", "Missing", None),
    Column("priority", "Priority", "priority", default_descending=True),
    Column("next_due", "Next due", None),
    Column("due", "Due", "due"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}

# The role that gives a row's referral id, for the view and the tests.
ReferralIdRole = Qt.ItemDataRole.UserRole + 1
# The row's due status key (overdue, due_today, upcoming or None).
DueStatusRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class WorklistModel(QAbstractTableModel):
    """One row per referral matching `query`; rows arrive a page at a time."""

    # After every new query or refresh: the number of referrals that match in all.
    totalChanged = Signal(int)
    # A query the services refused (the message), or "" when the last one succeeded.
    errorChanged = Signal(str)

    def __init__(
        self,
        signed_in: SignedIn,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        query: ReferralQuery | None = None,
    ) -> None:
        super().__init__(parent)
        # Not the clinic itself: unlocking the main window gives this SignedIn a re-opened one.
        self._signed_in = signed_in
        self.page_size = page_size
        self._query = replace(query or ReferralQuery(), offset=0, limit=page_size)
        self._rows: list[ReferralSummary] = []
        self.total = 0
        self.error = ""
        # How many rows the services have handed over since the model was made.
        self.rows_fetched = 0
        self.queries = 0
        self._load(self.page_size)

    # -- the query ------------------------------------------------------------
    @property
    def query(self) -> ReferralQuery:
        return self._query

    def set_query(self, query: ReferralQuery) -> None:
        """Show the referrals matching `query` from its first page (its paging is ignored)."""
        self._query = replace(query, offset=0, limit=self.page_size)
        self._load(self.page_size)

    def refresh(self) -> None:
        """Ask again with the same query, keeping as many rows as were loaded."""
        self._load(max(self.page_size, len(self._rows)))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort_key
        if key is None:
            return  # no database order for this column
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort and descending == self._query.descending:
            return
        self._query = replace(self._query, sort=key, descending=descending)
        self._load(self.page_size)

    def sort_column(self) -> int:
        """The column the current query is sorted by (-1 if none shows it)."""
        for i, column in enumerate(COLUMNS):
            if column.sort_key == self._query.sort:
                return i
        return -1

    def sort_order(self) -> Qt.SortOrder:
        if self._query.descending:
            return Qt.SortOrder.DescendingOrder
        return Qt.SortOrder.AscendingOrder

    def _page(self, offset: int, limit: int) -> tuple[list[ReferralSummary], int] | None:
        self.queries += 1
        try:
            referrals = Referrals(self._signed_in)
            page = referrals.page(replace(self._query, offset=offset, limit=limit))
        except ServiceError as exc:
            self._set_error(str(exc))
            return None
        self._set_error("")
        self.rows_fetched += len(page.rows)
        return list(page.rows), page.total

    def _load(self, limit: int) -> None:
        result = self._page(0, limit)
        self.beginResetModel()
        self._rows, self.total = result if result is not None else ([], 0)
        self.endResetModel()
        self.totalChanged.emit(self.total)

    def _set_error(self, message: str) -> None:
        if message != self.error:
            self.error = message
            self.errorChanged.emit(message)

    # -- paging ---------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        result = self._page(len(self._rows), self.page_size)
        if result is None:
            return
        rows, total = result
        # Referrals logged meanwhile shift the pages; never show a row twice.
        known = {r.id for r in self._rows}
        rows = [r for r in rows if r.id not in known]
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        # Nothing new although more were expected: stop asking until the next query.
        new_total = total if rows else len(self._rows)
        if new_total != self.total:
            self.total = new_total
            self.totalChanged.emit(new_total)

    # -- table ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def summary(self, row: int) -> ReferralSummary:
        return self._rows[row]

    def row_of(self, referral_id: int) -> int:
        """The row showing the referral, or -1 when it is not loaded."""
        for i, r in enumerate(self._rows):
            if r.id == referral_id:
                return i
        return -1

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS.get(column.key)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key == "missing":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        r = self._rows[index.row()]
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, key)
        if role == Qt.ItemDataRole.DecorationRole:
            # Repeated in the first column: in sight even when the due column is scrolled off.
            if key in ("due", "received") and r.due_status in DUE_LABELS:
                return icon(r.due_status)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            tint = _TINTS.get(r.due_status or "")
            return QBrush(tint) if tint is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "due" and r.due_status in _STATUS_TEXT:
                return QBrush(_STATUS_TEXT[r.due_status])
            return QBrush(_TINT_TEXT) if r.due_status in _TINTS else None
        if role == Qt.ItemDataRole.FontRole:
            if key == "due" and r.due_status in DUE_LABELS:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "missing":
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._display(r, key)
            if key in ("due", "received") and r.due_status in DUE_LABELS:
                return f"{text}, {DUE_LABELS[r.due_status]}: {self._tooltip(r, 'due')}"
            return text
        if role == ReferralIdRole:
            return r.id
        if role == DueStatusRole:
            return r.due_status
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # -- cell text --------------------------------------------------------------
    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._signed_in.clinic.calendar.tz)

    def _due_day(self, due_at: datetime) -> date:
        return self._local(due_at - _EPSILON).date()

    def _display(self, r: ReferralSummary, key: str) -> str:
        if key == "received":
            local = self._local(r.received_at)
            return f"{_date(local.date())} {local:%H:%M}"
        if key == "patient":
            return f"{r.family_name}, {r.given_name} ({_date(r.date_of_birth)})"
        if key == "service_line":
            return self._line_name(r.service_line)
        if key == "partner":
            return r.partner
        if key == "channel":
            return CHANNEL_LABELS.get(r.channel, r.channel)
        if key == "status":
            return STATE_LABELS.get(r.state, r.state)
        if key == "missing":
            return str(r.missing_required) if r.missing_required else "–"
        if key == "priority":
            if r.priority:
                return PRIORITY_LABELS.get(r.priority, r.priority)
            proposed = PRIORITY_LABELS.get(r.proposed_priority, r.proposed_priority)
            return f"({proposed})"
        if key == "next_due":
            return MEASURE_LABELS.get(r.next_due, r.next_due) if r.next_due else ""
        if key == "assigned":
            return r.assigned_to or "–"
        if key == "waiting":
            return wait_text(r.waited) if r.waited is not None else ""
        if key == "due":
            if r.due_at is None:
                return ""
            if r.hold_reason and r.held_since:
                return on_hold_text(r.hold_reason, _day_month(self._local(r.held_since).date()))
            if r.due_status == "due_today":
                return "Due today"
            day = self._due_day(r.due_at)
            if r.due_status == "overdue":
                return f"Overdue · {_day_month(day)}"
            return _short_date(day)
        return ""

    def _tooltip(self, r: ReferralSummary, key: str) -> str | None:
        if key == "patient":
            mrn = f"\nMRN {r.mrn}" if r.mrn else "\nno MRN"
            return f"{r.given_name} {r.family_name}\nborn {_date(r.date_of_birth)}{mrn}"
        if key == "received":
            local = self._local(r.received_at)
            received = f"{_long_date(local.date())}, {local:%H:%M} (clinic time)"
            if r.due_status in DUE_LABELS:
                return f"{received}\n{DUE_LABELS[r.due_status]}: {self._tooltip(r, 'due')}"
            return received
        if key == "missing":
            if not r.missing_required:
                return "All required items received"
            lines = "\n".join(f"• {label}" for label in r.missing_labels)
            return f"Required, not yet received:\n{lines}"
        if key == "priority":
            if r.priority:
                return f"Final priority: {r.priority} (proposed: {r.proposed_priority})"
            return f"Proposed priority: {r.proposed_priority}; not yet triaged"
        if key in ("next_due", "due") and r.next_due and r.due_at is not None:
            step = MEASURE_LABELS.get(r.next_due, r.next_due)
            day = _long_date(self._due_day(r.due_at))
            if r.hold_reason and r.held_since:
                since = self._local(r.held_since)
                held = on_hold_text(r.hold_reason, f"{_long_date(since.date())}, {since:%H:%M}")
                if r.hold_reason == HoldReason.PATIENT_UNAVAILABLE:
                    return (
                        f"{held}\n{step}: the due time is suspended and moves by the time "
                        f"held (by the end of {day} if resumed now)"
                    )
                return f"{held}\n{step}: the due time is suspended; still due by the end of {day}"
            if r.due_status == "overdue":
                return f"Overdue: {step} was due by the end of {day}"
            if r.due_status == "due_today":
                return f"Due today: {step} by the end of today ({day})"
            return f"{step} due by the end of {day}"
        if key == "service_line":
            return self._line_name(r.service_line)
        if key == "partner":
            return r.partner
        if key == "assigned":
            return f"Assigned to {r.assigned_to}" if r.assigned_to else "Not assigned to anyone"
        if key == "waiting" and r.waited is not None:
            received = _long_date(self._local(r.received_at).date())
            still = "waiting" if r.state in _OPEN_STATES else "waited until seen or closed"
            return f"Received {received}; {still}: {wait_text(r.waited)}"
        return None

    def _line_name(self, key: str) -> str:
        line = self._signed_in.clinic.service_lines.get(key)
        return line.name if line is not None else key


_HEADER_TIPS = {
    "received": "When the referral was received, in clinic time",
    "patient": "Family name, given name (date of birth)",
    "missing": "Required checklist items not yet received (not sortable)",
    "priority": "Final priority; in parentheses, the proposed one before triage",
    "next_due": "The next step due under the access targets (not sortable)",
    "due": "When the next step is due; overdue and due-today rows are highlighted",
    "assigned": "Who works the referral now (not sortable)",
    "waiting": "Time since the referral was received; until seen or closed once it is",
}


def _date(day: date) -> str:
    """14 Mar 1957"""
    return f"{day.day:02d} {MONTHS_SHORT[day.month - 1]} {day.year}"


def _short_date(day: date) -> str:
    """Tue 17 Nov"""
    return f"{WEEKDAYS_SHORT[day.weekday()]} {day.day:02d} {MONTHS_SHORT[day.month - 1]}"


def _day_month(day: date) -> str:
    """17 Nov"""
    return f"{day.day:02d} {MONTHS_SHORT[day.month - 1]}"


def _long_date(day: date) -> str:
    """Tuesday 17 November 2026"""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
