"""The dashboard's charts, drawn with Qt Charts (README: "Charts").

Readable without colour: every bar carries its value, each series has its own fill pattern
(solid, hatched, cross-hatched) or line style, and the legend names them. Colours come from
the application's palette, so light and dark both read. This module is imported only when
the dashboard is first built: the sign-in window never loads Qt Charts.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLegend,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from intake_app.ui.common.style import is_dark
from intake_app.ui.reports.chart_data import ChartData, SeriesData

# Fill patterns and line styles, one per series, so that no series is told by colour alone.
PATTERNS = (
    Qt.BrushStyle.SolidPattern,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.DiagCrossPattern,
)
LINE_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)
# Series colours with at least 3:1 contrast on the chart's ground in each palette.
_LIGHT_SERIES = ("#1f5fa8", "#a34a00", "#3b3b3b")
_DARK_SERIES = ("#8cbcff", "#ffb45e", "#d6d6d6")
_UNITS = {"share": " %", "hours": " h", "days": " d", "count": ""}


@dataclass(frozen=True)
class ChartColors:
    background: QColor
    text: QColor
    grid: QColor
    series: tuple[QColor, ...]

    @classmethod
    def of(cls, palette: QPalette) -> "ChartColors":
        dark = is_dark(palette)
        return cls(
            background=palette.color(QPalette.ColorRole.Base),
            text=palette.color(QPalette.ColorRole.Text),
            grid=palette.color(QPalette.ColorRole.Mid),
            series=tuple(QColor(c) for c in (_DARK_SERIES if dark else _LIGHT_SERIES)),
        )


def shown_value(value: float | None, kind: str) -> float:
    """The number a bar is drawn at and labelled with: shares in percent, one decimal."""
    if value is None:
        return 0.0
    return round(value * 100 if kind == "share" else value, 1)


class ChartView(QChartView):
    """A chart that says which group was clicked (anywhere in its band), for the
    click-through."""

    category_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(360, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.categories: tuple[str, ...] = ()

    def show_chart(self, chart: QChart, categories: Sequence[str], reverse: bool = True) -> None:
        """`categories`: the groups in the table's order (none: nothing to click); category
        index 0 is the bottom band of a horizontal chart, so they are reversed."""
        old = self.chart()
        self.categories = tuple(categories)[::-1] if reverse else tuple(categories)
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def category_at(self, pos: QPoint) -> str | None:
        """The group whose band (its bars and the room beside them) is under `pos`."""
        chart = self.chart()
        bars = [s for s in chart.series() if isinstance(s, QAbstractBarSeries)]
        if not bars or not self.categories:
            return None
        point = chart.mapFromScene(self.mapToScene(pos))
        if not chart.plotArea().contains(point):
            return None
        value = chart.mapToValue(point, bars[0])
        along = value.y() if isinstance(bars[0], QHorizontalBarSeries) else value.x()
        index = round(along)
        return self.categories[index] if 0 <= index < len(self.categories) else None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            group = self.category_at(event.position().toPoint())
            if group is not None:
                self.category_clicked.emit(group)


def _base_chart(title: str, colors: ChartColors) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundBrush(QBrush(colors.background))
    chart.setBackgroundRoundness(0)
    chart.setTitleBrush(QBrush(colors.text))
    font = QFont(chart.titleFont())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    legend = chart.legend()
    legend.setLabelColor(colors.text)
    # A line's legend entry is drawn as its line (solid, dashed), a bar set's as its fill.
    legend.setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _style_axis(axis: QValueAxis | QBarCategoryAxis, colors: ChartColors) -> None:
    axis.setLabelsColor(colors.text)
    axis.setTitleBrush(QBrush(colors.text))
    axis.setGridLineColor(colors.grid)
    axis.setLinePenColor(colors.grid)


def _bar_set(series: SeriesData, number: int, colors: ChartColors) -> QBarSet:
    bar_set = QBarSet(series.label)
    bar_set.append([shown_value(v, series.kind) for v in series.values])
    color = colors.series[number % len(colors.series)]
    bar_set.setBrush(QBrush(color, PATTERNS[number % len(PATTERNS)]))
    bar_set.setPen(QPen(color, 1.5))
    bar_set.setLabelColor(colors.text)
    return bar_set


def _value_axis(kinds: Sequence[str], top: float, colors: ChartColors) -> QValueAxis:
    axis = QValueAxis()
    unit = _UNITS.get(kinds[0], "") if len(set(kinds)) == 1 else ""
    axis.setLabelFormat("%.0f" + unit.replace("%", "%%"))
    if set(kinds) == {"share"}:
        _share_ticks(axis)
    else:
        # Room past the longest bar for its value.
        axis.setRange(0, max(top, 1.0) * 1.18)
        axis.applyNiceNumbers()
    _style_axis(axis, colors)
    return axis


def _share_ticks(axis: QValueAxis) -> None:
    """0 to 100 % in quarters, with room past 100 % for a full bar's label."""
    axis.setRange(0, 118)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(25)


def bar_chart(data: ChartData, colors: ChartColors, *, horizontal: bool = True) -> QChart:
    """Bars per group, one set per series, each bar labelled with its value."""
    chart = _base_chart(data.title, colors)
    series, categories = data.series, list(data.labels)
    if horizontal:
        # Horizontal bars are drawn from the bottom up: reversed, the table's first row is
        # the top one.
        categories.reverse()
        series = [SeriesData(s.label, s.values[::-1], s.kind) for s in series]
    bars: QAbstractBarSeries = QHorizontalBarSeries() if horizontal else QBarSeries()
    for number, one in enumerate(series):
        bars.append(_bar_set(one, number, colors))
    kinds = [s.kind for s in series] or ["count"]
    unit = _UNITS.get(kinds[0], "") if len(set(kinds)) == 1 else ""
    bars.setLabelsVisible(True)
    bars.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    bars.setLabelsFormat("@value" + unit)
    bars.setLabelsPrecision(6)
    chart.addSeries(bars)
    category_axis = QBarCategoryAxis()
    category_axis.append(list(categories))
    _style_axis(category_axis, colors)
    category_axis.setGridLineVisible(False)
    top = max((shown_value(v, s.kind) for s in series for v in s.values), default=1.0)
    value_axis = _value_axis(kinds, top, colors)
    if horizontal:
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
    else:
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(category_axis)
    bars.attachAxis(value_axis)
    chart.legend().setVisible(len(series) > 1)
    _rectangles_for_bars(chart)
    return chart


def trend_chart(data: ChartData, colors: ChartColors) -> QChart:
    """Counts as bars and shares as labelled lines (right axis, percent) per category."""
    chart = _base_chart(data.title, colors)
    bars, lines, categories = data.series[0], data.lines, data.labels
    bar_series = QBarSeries()
    bar_set = _bar_set(bars, 0, colors)
    # A pale fill: the lines' value labels cross the bars and must read on them.
    fill = QColor(colors.series[0])
    fill.setAlpha(70)
    bar_set.setBrush(QBrush(fill))
    bar_series.append(bar_set)
    bar_series.setLabelsVisible(True)
    bar_series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    bar_series.setLabelsFormat("@value")
    chart.addSeries(bar_series)
    category_axis = QBarCategoryAxis()
    category_axis.append(list(categories))
    _style_axis(category_axis, colors)
    category_axis.setGridLineVisible(False)
    chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
    top = max((shown_value(v, bars.kind) for v in bars.values), default=1.0)
    count_axis = _value_axis([bars.kind], top, colors)
    count_axis.setTitleText(bars.label)
    chart.addAxis(count_axis, Qt.AlignmentFlag.AlignLeft)
    bar_series.attachAxis(category_axis)
    bar_series.attachAxis(count_axis)
    share_axis = QValueAxis()
    _share_ticks(share_axis)
    share_axis.setLabelFormat("%.0f %%")
    share_axis.setTitleText("Share complete")
    _style_axis(share_axis, colors)
    share_axis.setGridLineVisible(False)
    chart.addAxis(share_axis, Qt.AlignmentFlag.AlignRight)
    for number, line in enumerate(lines, start=1):
        series = QLineSeries()
        series.setName(line.label)
        for x, value in enumerate(line.values):
            if value is not None:
                series.append(float(x), shown_value(value, "share"))
        color = colors.series[number % len(colors.series)]
        pen = QPen(color, 2.5)
        pen.setStyle(LINE_STYLES[number % len(LINE_STYLES)])
        series.setPen(pen)
        series.setPointsVisible(True)
        series.setPointLabelsVisible(True)
        series.setPointLabelsFormat("@yPoint %")
        series.setPointLabelsColor(colors.text)
        series.setPointLabelsClipping(False)
        chart.addSeries(series)
        series.attachAxis(category_axis)
        series.attachAxis(share_axis)
    _rectangles_for_bars(chart)
    return chart


def _rectangles_for_bars(chart: QChart) -> None:
    """Bar sets keep a square legend marker (their fill); lines show their own style."""
    for series in chart.series():
        if isinstance(series, QAbstractBarSeries):
            for marker in chart.legend().markers(series):
                marker.setShape(QLegend.MarkerShape.MarkerShapeRectangle)
