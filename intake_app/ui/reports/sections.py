"""One dashboard section: a chart beside the sortable tables of one report."""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.report_tables import ReportDocument, Table
from intake_app.ui.reports.chart_data import (
    MEASURE_LABELS,
    ChartData,
    access_chart,
    columns_chart,
    funnel_chart,
    group_column,
    standards_chart,
    trend_chart_data,
)
from intake_app.ui.reports.table_model import ReportSortProxy, ReportTableModel, ValueRole


@dataclass(frozen=True)
class Section:
    key: str  # the report kind build_report computes for it
    title: str
    grouped: bool  # broken down by the dashboard's group-by (else by its own rows)
    chart: str  # access, trend, funnel, standards, or the column kind drawn as bars


SECTIONS = (
    Section("access_times", "Access times", True, "access"),
    Section("volume", "Volume", True, "trend"),
    Section("funnel", "Funnel", True, "funnel"),
    Section("partners", "Partners", False, "share"),
    Section("standards", "Standards", True, "standards"),
    Section("lag", "Lag", True, "days"),
)


class TablePane(QWidget):
    """A table's title, note and sortable rows; double-click or Enter chooses a row's group."""

    row_chosen = Signal(str)

    def __init__(self, name: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setProperty("role", "heading")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setProperty("role", "hint")
        names = {
            "group": name,
            "partner": name,
            "measure": lambda m: MEASURE_LABELS.get(m, m),
            "step": lambda s: s.replace("_", " ").capitalize(),
        }
        self.model = ReportTableModel(parent=self, names=names)
        self.proxy = ReportSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.activated.connect(self._activated)
        self._columns: tuple[str, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

    def show_table(self, table: Table) -> None:
        self.title.setText(table.title)
        self.note.setText(table.note)
        self.note.setVisible(bool(table.note))
        self.view.setAccessibleName(table.title)
        self.model.set_table(table)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the report's own order
        columns = tuple(c.key for c in table.columns)
        if columns != self._columns:
            # Sized once per layout: measuring every cell cost a fifth of a repaint.
            self._columns = columns
            for number, column in enumerate(table.columns):
                # The grouping is the same on every row and said by the group-by picker.
                self.view.setColumnHidden(number, column.key == "group_by")
            self.view.resizeColumnsToContents()

    def _activated(self, index: QModelIndex) -> None:
        table = self.model.table
        if table is None or not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        value = self.model.index(source.row(), group_column(table)).data(ValueRole)
        self.row_chosen.emit(str(value))


class SectionView(QWidget):
    """The chart on the left, the report's tables on the right (the chart is made lazily:
    Qt Charts is imported when a section is first shown)."""

    group_chosen = Signal(str)

    def __init__(
        self, section: Section, name: Callable[[str], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.section = section
        self.name = name  # a group value as people read it (a service line's name, ...)
        self.setObjectName(f"section_{section.key}")
        self.document: ReportDocument | None = None
        self.trend: Table | None = None
        self.chart_data: ChartData | None = None
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.measure = QComboBox()
        self.measure.setAccessibleName("Measure drawn")
        for key, label in MEASURE_LABELS.items():
            self.measure.addItem(label, key)
        self.measure.setCurrentIndex(self.measure.findData("first_consult"))
        self.measure.currentIndexChanged.connect(self._draw)
        self.measure.setVisible(section.chart == "access")
        self.chart_note = QLabel()
        self.chart_note.setProperty("role", "hint")
        self.chart_note.setWordWrap(True)
        self.chart_view: QWidget | None = None
        self.chart_box = QWidget()
        chart_layout = QVBoxLayout(self.chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        if section.chart == "access":
            label = QLabel("Meas&ure")
            label.setBuddy(self.measure)
            top.addWidget(label)
            top.addWidget(self.measure)
        top.addStretch(1)
        chart_layout.addLayout(top)
        chart_layout.addWidget(self.chart_note)
        # Takes the room only while no chart is shown (the chart has the stretch).
        chart_layout.addStretch(0)
        self.tables_box = QWidget()
        self.tables_layout = QVBoxLayout(self.tables_box)
        self.tables_layout.setContentsMargins(0, 0, 0, 0)
        self.panes: list[TablePane] = []
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.chart_box)
        self.splitter.addWidget(self.tables_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([550, 450])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.error, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.splitter, 1)

    # -- showing ----------------------------------------------------------------
    def show_document(self, document: ReportDocument, trend: Table | None = None) -> None:
        self.document, self.trend = document, trend
        self.error.hide()
        self.splitter.show()
        while len(self.panes) < len(document.tables):
            pane = TablePane(self.name)
            pane.row_chosen.connect(self.group_chosen)
            self.panes.append(pane)
            self.tables_layout.addWidget(pane, 1)
        for pane, table in zip(self.panes, document.tables, strict=False):
            pane.show_table(table)
        for number, pane in enumerate(self.panes):
            pane.setVisible(number < len(document.tables))
        self._draw()

    def show_error(self, message: str) -> None:
        self.document = None
        self.error.setText(message)
        self.error.show()
        self.splitter.hide()

    def redraw(self) -> None:
        """After a palette change: the chart's colours come from the palette."""
        if self.document is not None:
            self._draw()

    def _chart_data(self) -> ChartData | None:
        if self.document is None or not self.document.tables:
            return None
        table = self.document.tables[0]
        if self.section.chart == "access":
            return access_chart(table, str(self.measure.currentData()), self.name)
        if self.section.chart == "trend":
            return trend_chart_data(self.trend, self.name) if self.trend is not None else None
        if self.section.chart == "funnel":
            return funnel_chart(table)
        if self.section.chart == "standards":
            return standards_chart(table)
        return columns_chart(table, (self.section.chart,), self.name)

    def _draw(self) -> None:
        from intake_app.ui.reports.charts import ChartColors, ChartView, bar_chart, trend_chart

        self.chart_data = data = self._chart_data()
        if self.chart_view is None:
            view = ChartView()
            view.category_clicked.connect(self.group_chosen)
            layout = self.chart_box.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.count() - 1, view, 1)
            self.chart_view = view
        assert isinstance(self.chart_view, ChartView)
        if data is None:
            self.chart_view.hide()
            self.chart_note.setText("Nothing to draw: no values for this period and grouping.")
            self.chart_note.show()
            return
        self.chart_view.show()
        colors = ChartColors.of(self.palette())
        if self.section.chart == "trend":
            chart = trend_chart(data, colors)
            # The trend is by week whatever the group-by: its bars choose nothing.
            self.chart_view.show_chart(chart, (), reverse=False)
        else:
            self.chart_view.show_chart(bar_chart(data, colors), data.groups)
        self.chart_view.setAccessibleName(data.title)
        self.chart_note.setText(data.note)
        self.chart_note.setVisible(bool(data.note))
