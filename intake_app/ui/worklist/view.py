"""The worklist: filters, search as you type, the referrals table and how many match."""

from dataclasses import replace

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.enums import Priority, State
from intake_app.services.auth import SignedIn
from intake_app.services.referrals import Ownership, ReferralQuery
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.flow_layout import FlowLayout
from intake_app.ui.common.style import icon
from intake_app.ui.worklist.model import (
    COLUMN_INDEX,
    COLUMNS,
    PRIORITY_LABELS,
    STATE_LABELS,
    ReferralIdRole,
    WorklistModel,
)

SEARCH_DELAY_MS = 150
MY_RECENT_DAYS = 7
ANY = "any"
OPEN = "open"

# Column widths from sample text in the table's font; patient and partner share what is left.
_WIDTH_SAMPLES = {
    "received": "00 May 0000 00:00",
    "patient": "Fernández, Siobhán (00 May 0000)",
    "service_line": "Radiation oncology",
    "channel": "Web form",
    "status": "Scheduled",
    "missing": "0",
    "priority": "(Routine)",
    "next_due": "Records complete",
    "assigned": "coordinator",
    "waiting": "000 d 00 h",
    "due": "On hold since 00 May",  # then the hold's reason, elided if need be
}
_CELL_PADDING = 22  # the stylesheet's item padding and the view's text margins
_ICON_ROOM = 22
_MIN_PATIENT = 200
_MIN_PARTNER = 140


class _ElideMiddle(QStyledItemDelegate):
    """Shortens text in its middle, so that a patient's date of birth stays in sight."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class WorklistView(QWidget):
    """Referrals a page at a time; activating a row asks the bus to open the referral."""

    def __init__(self, signed_in: SignedIn, bus: Bus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bus = bus
        self.setObjectName("worklist")
        clinic = signed_in.clinic

        self.search = QLineEdit()
        self.search.setObjectName("worklistSearch")
        self.search.setPlaceholderText("Search name, MRN or partner")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setAccessibleName("Search referrals by name, MRN or partner")
        self.search.setMinimumWidth(280)

        self.status_filter = QComboBox()
        self.status_filter.addItem("Any status", ANY)
        self.status_filter.addItem("Open", OPEN)
        for state in State:
            self.status_filter.addItem(STATE_LABELS[state.value], state.value)
        self.status_filter.setAccessibleName("Status filter")

        self.line_filter = QComboBox()
        self.line_filter.addItem("All service lines", ANY)
        for key, line in sorted(clinic.service_lines.items(), key=lambda kv: kv[1].name):
            self.line_filter.addItem(line.name, key)
        self.line_filter.setAccessibleName("Service line filter")

        self.priority_filter = QComboBox()
        self.priority_filter.addItem("Any priority", ANY)
        for priority in (Priority.URGENT, Priority.SOON, Priority.ROUTINE):
            self.priority_filter.addItem(PRIORITY_LABELS[priority.value], priority.value)
        self.priority_filter.setAccessibleName("Priority filter (final priority)")
        self.priority_filter.setToolTip("The final priority set at triage")

        self.ownership_filter = QComboBox()
        for text, ownership in (
            ("Anyone", Ownership.ALL),
            ("Mine", Ownership.MINE),
            ("Unassigned", Ownership.UNASSIGNED),
        ):
            self.ownership_filter.addItem(text, ownership.value)
        self.ownership_filter.setAccessibleName("Assigned filter: anyone, mine or unassigned")
        self.ownership_filter.setToolTip("Referrals assigned to me, to nobody, or to anyone")

        self.incomplete_only = QCheckBox("&Incomplete only")
        self.incomplete_only.setToolTip("Referrals still awaiting required records")
        self.overdue_only = QCheckBox("&Overdue only")  # Alt+V is the View menu
        self.overdue_only.setToolTip("Referrals whose next step is past its deadline")
        self.on_hold_only = QCheckBox("On hol&d")
        self.on_hold_only.setToolTip("Referrals on hold: awaiting the referrer or the patient")
        self.mine_recent = QCheckBox("&My recent")
        self.mine_recent.setToolTip(f"Referrals I logged in the last {MY_RECENT_DAYS} days")

        # The filters wrap onto more lines when the worklist is narrow (beside a referral).
        filters = FlowLayout(spacing=6)
        filters.addWidget(self.search)
        for box in (self.incomplete_only, self.overdue_only, self.on_hold_only, self.mine_recent):
            filters.addWidget(box)
        for text, combo in (
            ("&Status", self.status_filter),
            ("Service &line", self.line_filter),
            ("&Priority", self.priority_filter),
            ("&Assigned", self.ownership_filter),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            group = QWidget()
            row = QHBoxLayout(group)
            row.setContentsMargins(8, 0, 0, 0)
            row.setSpacing(6)
            row.addWidget(label)
            row.addWidget(combo)
            filters.addWidget(group)

        self.model = WorklistModel(signed_in, self)
        self.table = QTableView()
        self.table.setObjectName("worklistTable")
        self.table.setAccessibleName("Referrals")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._elide_middle = _ElideMiddle(self.table)
        self.table.setItemDelegateForColumn(COLUMN_INDEX["patient"], self._elide_middle)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSectionsMovable(True)  # put the columns that matter most in sight
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(False)
        self._patient_width = _MIN_PATIENT
        self._size_columns()
        self._show_sort_indicator()

        self.count_label = QLabel()
        self.count_label.setObjectName("worklistCount")
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addWidget(self.error_label, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self._make_group_bar())
        layout.addWidget(self.table, 1)
        layout.addLayout(status)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        self.search.installEventFilter(self)
        self.table.viewport().installEventFilter(self)
        for combo in (
            self.status_filter,
            self.line_filter,
            self.priority_filter,
            self.ownership_filter,
        ):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.incomplete_only, self.overdue_only, self.on_hold_only, self.mine_recent):
            box.toggled.connect(self.apply_filters)
        header.sortIndicatorChanged.connect(self._sort_requested)
        self.table.activated.connect(self._activated)
        # Master-detail: the selected row (click or arrow keys) is the referral shown.
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self._shown_id: int | None = None
        self._keep_place = False
        self.model.modelReset.connect(self._model_reset)
        self.model.totalChanged.connect(self._show_total)
        self.model.errorChanged.connect(self._show_error)
        bus.referrals_changed.connect(self.refresh)

        self.setTabOrder(self.search, self.status_filter)
        self.setTabOrder(self.status_filter, self.line_filter)
        self.setTabOrder(self.line_filter, self.priority_filter)
        self.setTabOrder(self.priority_filter, self.ownership_filter)
        self.setTabOrder(self.ownership_filter, self.incomplete_only)
        self.setTabOrder(self.incomplete_only, self.overdue_only)
        self.setTabOrder(self.overdue_only, self.on_hold_only)
        self.setTabOrder(self.on_hold_only, self.mine_recent)
        self.setTabOrder(self.mine_recent, self.table)
        self._show_total(self.model.total)
        self._show_error(self.model.error)

    def _make_group_bar(self) -> QWidget:
        """Shown while the list is the referrals behind a report's group (a click-through)."""
        self.group_bar = QWidget()
        self.group_bar.setObjectName("worklistGroupBar")
        self.group_label = QLabel()
        self.group_label.setObjectName("worklistGroupLabel")
        self.group_label.setWordWrap(True)
        self.group_clear = QPushButton("Show all &referrals")  # Alt+A is the Assigned filter
        self.group_clear.clicked.connect(self.clear_referral_set)
        row = QHBoxLayout(self.group_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.group_label, 1)
        row.addWidget(self.group_clear)
        self.group_bar.hide()
        return self.group_bar

    # -- public ---------------------------------------------------------------
    def show_referral_set(self, ids: tuple[int, ...], description: str) -> None:
        """List exactly these referrals (the other filters cleared), saying what they are."""
        for combo in (self.status_filter, self.line_filter, self.priority_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for box in (self.incomplete_only, self.overdue_only, self.mine_recent):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.group_label.setText(f"Showing {description}")
        self.group_bar.show()
        self.model.set_query(replace(self.query(), ids=tuple(ids)))

    def clear_referral_set(self) -> None:
        self.group_bar.hide()
        self.model.set_query(replace(self.query(), ids=None))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def query(self) -> ReferralQuery:
        """The query the filters and search describe, in the model's current order."""
        status = self.status_filter.currentData()
        line = self.line_filter.currentData()
        priority = self.priority_filter.currentData()
        return replace(
            self.model.query,
            states=(State(status),) if status not in (ANY, OPEN) else (),
            open_only=status == OPEN,
            service_lines=(line,) if line != ANY else (),
            priorities=(Priority(priority),) if priority != ANY else (),
            incomplete_only=self.incomplete_only.isChecked(),
            overdue_only=self.overdue_only.isChecked(),
            on_hold_only=self.on_hold_only.isChecked(),
            mine_recent_days=MY_RECENT_DAYS if self.mine_recent.isChecked() else None,
            search=self.search.text().strip(),
            ownership=Ownership(self.ownership_filter.currentData()),
        )

    def apply_filters(self) -> None:
        self._search_timer.stop()
        query = self.query()
        if query != self.model.query:
            self.model.set_query(query)

    def refresh(self, _referral_id: int = -1) -> None:
        """Ask again with the same filters; keep the place and the selected referral."""
        selected = self.selected_referral()
        scrolled = self.table.verticalScrollBar().value()
        self._keep_place = True
        try:
            self.model.refresh()
        finally:
            self._keep_place = False
        self.table.verticalScrollBar().setValue(scrolled)
        if selected is not None:
            self.select_referral(selected, scroll=False)

    def selected_referral(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return int(self.model.data(index, ReferralIdRole))

    def select_referral(self, referral_id: int, scroll: bool = True) -> bool:
        row = self.model.row_of(referral_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        if scroll:
            self.table.scrollTo(self.model.index(row, 0))
        return True

    def _model_reset(self) -> None:
        # A new query starts at its top; left at the bottom, the view would fetch a second
        # page at once.
        if not self._keep_place:
            self.table.scrollToTop()

    # -- events ---------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
            return False
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.model.rowCount() > 0:
                self.apply_filters()
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                if not self.table.currentIndex().isValid() and self.model.rowCount():
                    self.table.selectRow(0)
                return True
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self.apply_filters()
                return True
        return super().eventFilter(watched, event)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.bus.open_referral.emit(int(self.model.data(index, ReferralIdRole)))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        referral_id = int(self.model.data(current, ReferralIdRole))
        if referral_id != self._shown_id:  # a refresh re-selects the same row: no reload
            self._shown_id = referral_id
            self.bus.open_referral.emit(referral_id)

    def _sort_requested(self, column: int, order: Qt.SortOrder) -> None:
        if COLUMNS[column].sort_key is None:
            self._show_sort_indicator()  # this column has no database order
            return
        if column != self.model.sort_column():
            # A new column starts in its natural order (newest, most urgent first).
            descending = COLUMNS[column].default_descending
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.model.sort(column, order)
        self._show_sort_indicator()

    def _show_sort_indicator(self) -> None:
        header = self.table.horizontalHeader()
        blocked = header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        header.blockSignals(blocked)

    def _show_total(self, total: int) -> None:
        self.count_label.setText(f"{total:,} referral{'' if total == 1 else 's'}")

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _size_columns(self) -> None:
        """Fixed columns as wide as their longest usual text and their title."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        bold = header.font()
        bold.setBold(True)  # the stylesheet's header weight
        titles = QFontMetrics(bold)  # the overdue text is bold too
        for key, sample in _WIDTH_SAMPLES.items():
            column = COLUMN_INDEX[key]
            # Room for the sort arrow on sortable columns.
            arrow = 18 if COLUMNS[column].sort_key else 0
            title = titles.horizontalAdvance(COLUMNS[column].title) + arrow + 16
            text = metrics.horizontalAdvance(sample) + _CELL_PADDING
            if key == "due":  # bold when overdue, after the status icon
                text = titles.horizontalAdvance(sample) + _CELL_PADDING + _ICON_ROOM
            if key == "received":  # the overdue icon is repeated here
                text += _ICON_ROOM
            width = max(title, text)
            if key == "patient":
                self._patient_width = width
            else:
                header.resizeSection(column, width)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the width left by the fixed columns between patient and partner."""
        header = self.table.horizontalHeader()
        patient, partner = COLUMN_INDEX["patient"], COLUMN_INDEX["partner"]
        fixed = sum(
            header.sectionSize(c) for c in range(len(COLUMNS)) if c not in (patient, partner)
        )
        left = self.table.viewport().width() - fixed
        patient_width = max(_MIN_PATIENT, min(self._patient_width, int(left * 0.6)))
        header.resizeSection(patient, patient_width)
        header.resizeSection(partner, max(_MIN_PARTNER, left - patient_width))
