"""The managers' dashboard (SPEC §5): a period, a grouping and a clock; charts beside
sortable tables; a group's referrals a click away; exports of what is shown.

Each section computes its own report when it is first shown for the chosen period, so the
first paint after a choice waits for one report, not for all six.
"""

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.report_tables import ReportDocument, Table
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.flow_layout import FlowLayout
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.reports.chart_data import period_label
from intake_app.ui.reports.periods import PERIODS, period_dates
from intake_app.ui.reports.sections import SECTIONS, Section, SectionView
from intake_app.ui.worklist.model import CHANNEL_LABELS, PRIORITY_LABELS

GROUPINGS = {
    "service_line": "Service line",
    "partner": "Partner",
    "channel": "Channel",
    "priority": "Priority",
    "week": "Week",
    "month": "Month",
}
HELD = {
    "elapsed": "&Elapsed (the real wait)",
    "adjusted": "A&djusted (patient holds excluded)",
}
FORMATS = {"csv": "CSV", "xlsx": "Excel workbook", "pdf": "PDF"}
DEFAULT_PERIOD = "last_week"


class DashboardPage(QWidget):
    """The Reports page. `referrals_chosen` asks the main window to list a group's
    referrals in the worklist (ids, and a line that says which group)."""

    referrals_chosen = Signal(tuple, str)
    # After a section shows a freshly computed report (its key), for tests and benchmarks.
    computed = Signal(str)

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.signed_in = signed_in
        self.bus = bus
        self.prompter = prompter or Prompter()
        # Where an export goes: asks with a file dialog; tests give a path instead.
        self.ask_save_path: Callable[[str, str], Path | None] = self._ask_save_path
        self._documents: dict[str, tuple[ReportDocument, Table | None]] = {}
        self._stale = True
        # How long the last section took: its report(s) alone, and with its tables and chart.
        self.last_report_ms = 0.0
        self.last_compute_ms = 0.0
        self._make_controls()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("dashboardSections")
        self.tabs.setDocumentMode(True)
        self.sections: dict[str, SectionView] = {}
        for section in SECTIONS:
            view = SectionView(section, self._group_name)
            view.group_chosen.connect(lambda group, s=section: self.choose_group(s, group))
            self.sections[section.key] = view
            self.tabs.addTab(view, section.title)
        self.status = QLabel()
        self.status.setObjectName("dashboardStatus")
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(self.controls)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self._connect_signals()

    # -- construction ---------------------------------------------------------
    def _make_controls(self) -> None:
        self.period = QComboBox()
        self.period.setObjectName("dashboardPeriod")
        self.period.setAccessibleName("Period")
        for key, label in PERIODS.items():
            self.period.addItem(label, key)
        self.period.setCurrentIndex(self.period.findData(DEFAULT_PERIOD))
        self.start_edit = QDateEdit()
        self.end_edit = QDateEdit()
        for edit, name in ((self.start_edit, "From"), (self.end_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} (first and last day received, inclusive)")
        self.group_by = QComboBox()
        self.group_by.setObjectName("dashboardGroupBy")
        self.group_by.setAccessibleName("Group by")
        for key, label in GROUPINGS.items():
            self.group_by.addItem(label, key)
        self.held_buttons = QButtonGroup(self)
        held_row = QWidget()
        held_layout = QHBoxLayout(held_row)
        held_layout.setContentsMargins(8, 0, 0, 0)
        held_layout.addWidget(QLabel("Waits:"))
        self.held_radios: dict[str, QRadioButton] = {}
        for key, label in HELD.items():
            radio = QRadioButton(label)
            radio.setObjectName(f"held_{key}")
            self.held_buttons.addButton(radio)
            self.held_radios[key] = radio
            held_layout.addWidget(radio)
        self.held_radios["elapsed"].setChecked(True)
        self.export_button = QToolButton()
        self.export_button.setObjectName("dashboardExport")
        self.export_button.setText("E&xport")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        menu.setToolTipsVisible(True)
        self.export_actions: dict[str, QAction] = {}
        for scope, text in (("section", "This section as"), ("review", "Weekly review as")):
            for fmt, label in FORMATS.items():
                if scope == "review" and fmt == "csv":
                    text_of = "Weekly review as CSV files (one a table)…"
                else:
                    text_of = f"{text} {label}…"
                action = menu.addAction(text_of)
                action.setObjectName(f"export_{scope}_{fmt}")
                action.triggered.connect(lambda _=False, f=fmt, s=scope: self.export(f, s))
                self.export_actions[f"{scope}_{fmt}"] = action
            menu.addSeparator()
        identified = menu.addAction("Referrals behind the chosen group, with &names…")
        identified.setObjectName("export_identified")
        identified.triggered.connect(self.export_identified)
        self.export_actions["identified"] = identified
        self.export_button.setMenu(menu)
        self.chosen_group: tuple[Section, str] | None = None
        self._enable_identified()
        self.refresh_button = QPushButton("Re&compute")

        self.controls = FlowLayout(spacing=6)
        for text, widget in (
            ("&Period", self.period),
            ("Fro&m", self.start_edit),
            ("T&o", self.end_edit),
            ("&Group by", self.group_by),
        ):
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 8, 0)
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            self.controls.addWidget(box)
        self.controls.addWidget(held_row)
        self.controls.addWidget(self.refresh_button)
        self.controls.addWidget(self.export_button)
        self._show_period_dates()

    def _connect_signals(self) -> None:
        self.period.currentIndexChanged.connect(self._period_changed)
        self.start_edit.dateChanged.connect(self._dates_edited)
        self.end_edit.dateChanged.connect(self._dates_edited)
        self.group_by.currentIndexChanged.connect(self.recompute)
        self.held_buttons.buttonToggled.connect(lambda _b, on: on and self.recompute())
        self.tabs.currentChanged.connect(lambda _i: self._show_current())
        self.refresh_button.clicked.connect(self.recompute)
        self.bus.referrals_changed.connect(lambda _id: self.recompute())

    # -- the choices ------------------------------------------------------------
    def today(self) -> date:
        clinic = self.signed_in.clinic
        return clinic.now().astimezone(clinic.calendar.tz).date()

    def dates(self) -> tuple[date, date]:
        return self.start_edit.date().toPython(), self.end_edit.date().toPython()

    def grouping(self, section: Section) -> str | None:
        return str(self.group_by.currentData()) if section.grouped else None

    def held(self) -> str:
        return next(k for k, radio in self.held_radios.items() if radio.isChecked())

    def set_period(self, choice: str) -> None:
        self.period.setCurrentIndex(self.period.findData(choice))

    def set_custom_period(self, start: date, end: date) -> None:
        self.set_period("custom")
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)
        self.recompute()

    def _show_period_dates(self) -> None:
        choice = str(self.period.currentData())
        custom = choice == "custom"
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(custom)
        if custom:
            return
        start, end = period_dates(choice, self.today())
        for edit, day in ((self.start_edit, start), (self.end_edit, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    def _period_changed(self) -> None:
        self._show_period_dates()
        self.recompute()

    def _dates_edited(self) -> None:
        if self.period.currentData() == "custom":
            self.recompute()

    # -- computing ----------------------------------------------------------------
    def recompute(self) -> None:
        """Forget what was computed; the section in sight computes again (the others when
        they are next shown)."""
        self._documents.clear()
        self._stale = True
        if self.isVisible():
            self._show_current()

    def current_section(self) -> SectionView:
        view = self.tabs.currentWidget()
        assert isinstance(view, SectionView)
        return view

    def show_section(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.sections[key])
        self._show_current()

    def _show_current(self) -> None:
        view = self.current_section()
        key = view.section.key
        if key in self._documents:
            return
        self._stale = False
        start, end = self.dates()
        began = time.perf_counter()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            document, trend = self._compute(view.section, start, end)
            self.last_report_ms = (time.perf_counter() - began) * 1000
        except ServiceError as exc:
            view.show_error(str(exc))
            self._documents.pop(key, None)
            self.status.setText(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._documents[key] = (document, trend)
        view.show_document(document, trend)
        self.last_compute_ms = (time.perf_counter() - began) * 1000
        self.status.setText(self._describe(document))
        self.computed.emit(key)

    def _compute(
        self, section: Section, start: date, end: date
    ) -> tuple[ReportDocument, Table | None]:
        from intake_app.services.reporting import build_report

        held = self.held()
        document = build_report(
            self.signed_in, section.key, start, end, by=self.grouping(section), held=held
        )
        trend = None
        if section.chart == "trend":
            weekly = build_report(self.signed_in, section.key, start, end, by="week", held=held)
            trend = weekly.tables[0] if weekly.tables else None
        return document, trend

    def document(self, key: str) -> ReportDocument | None:
        """The report a section shows now (None until it has been shown)."""
        found = self._documents.get(key)
        return found[0] if found else None

    def _describe(self, document: ReportDocument) -> str:
        held = "elapsed" if document.held == "elapsed" else "adjusted (patient holds excluded)"
        start, end = document.period_start, document.period_end
        return (
            f"Referrals received {start:%d %b %Y} to {end:%d %b %Y} (clinic time), waits "
            f"{held}. De-identified: click a bar or double-click a row for its referrals."
        )

    def _group_name(self, value: str) -> str:
        """A group's value as people read it: the service line's name, "Fax", "Urgent"."""
        by = self.group_by.currentData()
        if value == "all":
            return "All referrals"
        if by == "service_line":
            line = self.signed_in.clinic.service_lines.get(value)
            return line.name if line is not None else value
        if by == "channel":
            return CHANNEL_LABELS.get(value, value)
        if by == "priority":
            return PRIORITY_LABELS.get(value, value.capitalize())
        if by in ("week", "month"):
            return period_label(value)
        return value

    # -- events -----------------------------------------------------------------
    def showEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().showEvent(event)
        if self._stale or self.current_section().section.key not in self._documents:
            self._show_current()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for view in self.sections.values():
                view.redraw()

    # -- click-through --------------------------------------------------------------
    def choose_group(self, section: Section, group: str) -> None:
        """A group's referrals: listed in the worklist (with names) for users who may read
        referrals; by id only, here, for those who may not."""
        from intake_app.services.reporting import referrals_behind

        start, end = self.dates()
        by = self.grouping(section) or ("partner" if section.key == "partners" else None)
        try:
            behind = referrals_behind(
                self.signed_in, section.key, start, end, by, group, identified=False
            )
        except ServiceError as exc:
            self.prompter.error(self, "Referrals behind a group", str(exc))
            return
        ids = behind.ids
        self.chosen_group = (section, group)
        self._enable_identified()
        title = section.title
        what = (
            f"the {len(ids)} referrals behind {self._group_name(group)} "
            f"({title}, {start:%d %b} to {end:%d %b %Y})"
        )
        if self.signed_in.actor.may(Permission.READ_REFERRALS):
            self.referrals_chosen.emit(tuple(ids), what)
        else:
            listed = ", ".join(str(i) for i in ids) or "none"
            self.prompter.info(self, "Referrals behind a group", f"{what.capitalize()}: {listed}")

    # -- exports ----------------------------------------------------------------------
    def _ask_save_path(self, default_name: str, fmt: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export report", default_name, f"{FORMATS[fmt]} (*.{fmt})"
        )
        return Path(chosen) if chosen else None

    def export(self, fmt: str, scope: str = "section") -> list[Path]:
        """What is shown as a file: the section in sight, or every section (the weekly
        review) for the same period, grouping and clock. Through the exports service."""
        from intake_app.services.reporting import build_report
        from intake_app.ui.reports.export import run_export

        view = self.current_section()
        if scope == "review":
            start, end = self.dates()
            try:
                document = build_report(
                    self.signed_in,
                    "weekly_review",
                    start,
                    end,
                    by=str(self.group_by.currentData()),
                    held=self.held(),
                )
            except ServiceError as exc:
                self.prompter.error(self, "Export report", str(exc))
                return []
        else:
            found = self._documents.get(view.section.key)
            if found is None:
                return []
            document = found[0]
        single = len(document.tables) == 1
        table = document.tables[0].key if fmt == "csv" and single else None
        out = self.ask_save_path(f"{document.file_stem(table)}.{fmt}", fmt)
        if out is None:
            return []
        return run_export(self, self.signed_in, document, fmt, out, table, self.prompter)

    def _enable_identified(self) -> None:
        action = self.export_actions["identified"]
        allowed = self.signed_in.actor.may(Permission.EXPORT_IDENTIFIED)
        action.setEnabled(allowed and self.chosen_group is not None)
        if not allowed:
            action.setToolTip("Needs the identified-export permission")
        elif self.chosen_group is None:
            action.setToolTip("Click a bar or double-click a row to choose a group first")
        else:
            section, group = self.chosen_group
            action.setToolTip(f"{self._group_name(group)} ({section.title})")

    def export_identified(self) -> list[Path]:
        """The referrals behind the chosen group, with the patients' names: only after the
        manager says so in a dialog; the service checks the permission and audits."""
        from intake_app.services.reporting import referrals_behind
        from intake_app.ui.reports.export import IdentifiedExportDialog, run_export

        if self.chosen_group is None:
            return []
        if not self.signed_in.actor.may(Permission.EXPORT_IDENTIFIED):
            # Asked before anything else: the service would refuse it too (and audit that).
            self.prompter.error(self, "Export with names", "Needs the identified-export permission")
            return []
        section, group = self.chosen_group
        start, end = self.dates()
        by = self.grouping(section) or ("partner" if section.key == "partners" else None)
        fmt = IdentifiedExportDialog.ask(self, self._group_name(group))
        if fmt is None:
            return []
        try:
            behind = referrals_behind(
                self.signed_in, section.key, start, end, by, group, identified=True
            )
        except ServiceError as exc:
            self.prompter.error(self, "Export with names", str(exc))
            return []
        document = behind.document
        assert document is not None
        out = self.ask_save_path(f"{document.file_stem()}.{fmt}", fmt)
        if out is None:
            return []
        return run_export(self, self.signed_in, document, fmt, out, None, self.prompter)
