"""Charts of the PDF report, drawn with reportlab's graphics: read from a table's columns.

Each chart is readable without colour: every bar has its value written beside it, the two
series of a wait chart differ in shape (median solid, 90th percentile an outline), a target
is a dashed tick with its own legend entry, and met / not met is written out.

Which chart a table gets follows from its columns, so a new table needs no code here:
- waits: columns whose keys hold "median" and "p90" (hours or days), one chart per measure
  when there is a "measure" column, a target tick when a column's key holds "target";
- standards: a share column beside a "threshold" share, met written out;
- the funnel (table key "funnel"): a bar per step, its count and share of the first;
- a trend (table key starting "volume", or a date first column): a bar per period.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from intake_app.domain.report_tables import Column, Table
from intake_app.rendering.letters import ACCENT, FONT, FONT_BOLD, GREY, INK, RULE, register_fonts
from intake_app.rendering.report_cells import display_text, met_text

MAX_BARS = 20  # groups per chart; the table beside it has them all
SIZE = 7.5  # label size
BAR = 8.0  # bar thickness


@dataclass(frozen=True)
class Series:
    label: str
    filled: bool  # solid, or an outline: tells the series apart without colour


def charts_for(table: Table, width: float) -> list[Drawing]:
    """The charts of a table (none when its columns do not make one)."""
    register_fonts()  # labels are measured in DejaVu Sans
    if not table.rows:
        return []
    keys = [c.key for c in table.columns]
    median = _find(table.columns, "median", ("hours", "days"))
    p90 = _find(table.columns, "p90", ("hours", "days"))
    if median is not None and p90 is not None:
        measured = any(_number(row[median]) is not None for row in table.rows)
        return _wait_charts(table, width, median, p90) if measured else []
    if table.key.startswith("funnel"):
        count = _find(table.columns, "", ("count",))
        if count is not None:
            return [_funnel(table, width, count)]
    threshold = _find(table.columns, "threshold", ("share",))
    if threshold is not None:
        share = next(
            (
                i
                for i, c in enumerate(table.columns)
                if c.kind == "share" and i != threshold and "threshold" not in c.key
            ),
            None,
        )
        if share is not None:
            return [_standards(table, width, share, threshold)]
    first_is_date = bool(keys) and table.columns[0].kind == "date"
    share = _find(table.columns, "", ("share",))
    count = _find(table.columns, "", ("count",))
    if count is not None and (first_is_date or _over_time(table)):
        trend = [_trend(table, width, count)]
        return trend if share is None else [*trend, _share_trend(table, width)]
    if table.key.startswith("volume") and count is not None:
        # Volume by service line, partner...: a bar per group, then its shares.
        shares = [i for i, c in enumerate(table.columns) if c.kind == "share"]
        return [
            _bars(table, width, [count], "count"),
            *([_bars(table, width, shares)] * bool(shares)),
        ]
    if share is not None:
        return [_bars(table, width, [share])]
    return []


def _over_time(table: Table) -> bool:
    """Rows that are weeks or months: a trend, drawn in their order."""
    keys = [c.key for c in table.columns]
    if "group_by" not in keys:
        return False
    index = keys.index("group_by")
    return {row[index] for row in table.rows} <= {"week", "month"}


def _find(columns: Sequence[Column], word: str, kinds: tuple[str, ...]) -> int | None:
    return next(
        (i for i, c in enumerate(columns) if word in c.key and c.kind in kinds),
        None,
    )


NAME_KEYS = ("standard", "step", "partner", "group")  # columns that name a row, if present


def _labels(table: Table, skip: set[str]) -> list[str]:
    """A row's name: its naming columns (`NAME_KEYS`), else its text columns before the first
    number; the grouping too when rows of several groupings share the table."""
    keys = [c.key for c in table.columns]
    text = [i for i, k in enumerate(keys) if k in NAME_KEYS and k not in skip]
    if not text:
        for i, c in enumerate(table.columns):
            if c.kind not in ("text", "date"):
                break
            if c.key not in skip and c.key != "group_by":
                text.append(i)
    if "group_by" in keys and len({row[keys.index("group_by")] for row in table.rows}) > 1:
        text.insert(0, keys.index("group_by"))
    if not text:
        text = [0]
    return [
        " · ".join(display_text(row[i], table.columns[i].kind).replace("_", " ") for i in text)
        for row in table.rows
    ]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _clip(text: str, size: float, width: float) -> str:
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _title(drawing: Drawing, text: str, note: str = "") -> None:
    drawing.add(String(0, drawing.height - 11, text, fontName=FONT_BOLD, fontSize=9, fillColor=INK))
    if note:
        drawing.add(
            String(
                drawing.width,
                drawing.height - 11,
                note,
                fontName=FONT,
                fontSize=7,
                fillColor=GREY,
                textAnchor="end",
            )
        )


def _shown(count: int) -> str:
    return f"first {MAX_BARS} of {count} shown; the table has them all" if count > MAX_BARS else ""


# -- waits: median and 90th percentile per group, against target -------------------------------


def _wait_charts(table: Table, width: float, median: int, p90: int) -> list[Drawing]:
    unit = table.columns[median].kind
    target = _find(table.columns, "target", ("hours", "days"))
    within = next(
        (i for i, c in enumerate(table.columns) if c.kind == "share" and "within" in c.key), None
    )
    measure = next((i for i, c in enumerate(table.columns) if c.key == "measure"), None)
    labels = _labels(table, {"measure"})
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(table.rows):
        name = "" if measure is None else display_text(row[measure], "text")
        groups.setdefault(name, []).append(index)
    charts = []
    for name, indexes in groups.items():
        unit_word = "hours" if unit == "hours" else "days"
        title = f"{name.replace('_', ' ').capitalize()}: {unit_word}" if name else table.title
        bars = []
        for i in indexes[:MAX_BARS]:
            row = table.rows[i]
            share = _number(row[within]) if within is not None else None
            note = "" if share is None else f"{display_text(share, 'share')} within target"
            bars.append(
                (
                    labels[i],
                    (_number(row[median]), _number(row[p90])),
                    _number(row[target]) if target is not None else None,
                    note,
                )
            )
        charts.append(
            _hbars(
                title,
                unit,
                (Series("Median", True), Series("90th percentile", False)),
                bars,
                width,
                _shown(len(indexes)),
            )
        )
    return charts


def _hbars(
    title: str,
    unit: str,
    series: tuple[Series, ...],
    bars: list[tuple[str, tuple[float | None, ...], float | None, str]],
    width: float,
    note: str = "",
) -> Drawing:
    """Horizontal bars, one band per group: each series a bar with its value at its end."""
    band = BAR * len(series) + 7
    legend_h = 16
    top_pad = 16 + legend_h
    height = top_pad + band * len(bars) + 14
    drawing = Drawing(width, height)
    _title(drawing, title, note)
    # Legend: shapes, not colours, tell the series apart.
    x = 0.0
    y_legend = height - 16 - 10
    for s in series:
        _bar(drawing, x, y_legend, 14, BAR, s.filled)
        drawing.add(String(x + 18, y_legend + 1, s.label, fontName=FONT, fontSize=SIZE))
        x += 26 + stringWidth(s.label, FONT, SIZE) + 10
    if any(b[2] is not None for b in bars):
        drawing.add(_target_tick(x + 4, y_legend - 2, BAR + 4))
        drawing.add(String(x + 10, y_legend + 1, "Target", fontName=FONT, fontSize=SIZE))
        x += 50
    drawing.add(
        String(
            x,
            y_legend + 1,
            f"({unit}; values written at each bar)",
            fontName=FONT,
            fontSize=SIZE,
            fillColor=GREY,
        )
    )
    label_w = min(width * 0.3, max((stringWidth(b[0], FONT, SIZE) for b in bars), default=40) + 12)
    notes_w = max((stringWidth(b[3], FONT, SIZE) for b in bars), default=0) + 8
    value_w = 34
    area_x = label_w
    area_w = max(60.0, width - label_w - value_w - notes_w)
    scale_max = max(
        [v for b in bars for v in b[1] if v is not None] + [b[2] for b in bars if b[2] is not None],
        default=0.0,
    )
    scale = area_w / scale_max if scale_max > 0 else 0.0
    y = height - top_pad
    for label, values, target, side_note in bars:
        y -= band
        drawing.add(
            String(
                area_x - 6,
                y + band / 2 - 3,
                _clip(label, SIZE, label_w - 7),
                fontName=FONT,
                fontSize=SIZE,
                textAnchor="end",
            )
        )
        for k, (s, value) in enumerate(zip(series, values, strict=True)):
            bar_y = y + band - 3.5 - BAR * (k + 1)
            if value is None:
                drawing.add(
                    String(
                        area_x + 2,
                        bar_y + 1.5,
                        "no value",
                        fontName=FONT,
                        fontSize=6.5,
                        fillColor=GREY,
                    )
                )
                continue
            length = max(value * scale, 0.8)
            _bar(drawing, area_x, bar_y, length, BAR - 1, s.filled)
            drawing.add(
                String(
                    area_x + length + 3,
                    bar_y + 1.5,
                    display_text(value, unit),
                    fontName=FONT,
                    fontSize=6.5,
                )
            )
        if target is not None:
            drawing.add(_target_tick(area_x + target * scale, y + 2, band - 4))
        if side_note:
            drawing.add(
                String(
                    width,
                    y + band / 2 - 3,
                    side_note,
                    fontName=FONT,
                    fontSize=SIZE,
                    fillColor=GREY,
                    textAnchor="end",
                )
            )
    drawing.add(Line(area_x, y, area_x, height - top_pad, strokeColor=RULE, strokeWidth=0.6))
    return drawing


def _bar(drawing: Drawing, x: float, y: float, w: float, h: float, filled: bool) -> None:
    drawing.add(
        Rect(
            x,
            y,
            w,
            h,
            fillColor=ACCENT if filled else colors.white,
            strokeColor=ACCENT,
            strokeWidth=0.8,
        )
    )


def _target_tick(x: float, y: float, h: float) -> Line:
    return Line(x, y, x, y + h, strokeColor=INK, strokeWidth=1.2, strokeDashArray=[2, 1.5])


# -- the funnel -------------------------------------------------------------------------------


def _funnel(table: Table, width: float, count: int) -> Drawing:
    """The clinic-wide funnel (the "all" group's steps; the table has every group's)."""
    keys = [c.key for c in table.columns]
    rows_of = list(table.rows)
    if "group" in keys:
        first = rows_of[0][keys.index("group")]
        rows_of = [r for r in rows_of if r[keys.index("group")] == first]
    named = Table(table.key, table.title, table.columns, tuple(rows_of))
    labels = _labels(named, {"group"})
    rows = list(zip(labels, named.rows, strict=True))[:MAX_BARS]
    first = _number(rows[0][1][count]) or 0.0
    bars = []
    for label, row in rows:
        value = _number(row[count])
        share = f"{value / first * 100:.1f}% of {rows[0][0]}" if value is not None and first else ""
        bars.append((label, (value,), None, share))
    label = table.columns[count].label
    series = (Series(label, True),)
    return _hbars(f"{label} at each step", "count", series, bars, width, _shown(len(rows_of)))


# -- standards: the share that met each, beside its threshold ---------------------------------


def _standards(table: Table, width: float, share: int, threshold: int) -> Drawing:
    met = next((i for i, c in enumerate(table.columns) if c.kind == "met"), None)
    labels = _labels(table, set())
    bars = []
    for label, row in list(zip(labels, table.rows, strict=True))[:MAX_BARS]:
        value, needed = _number(row[share]), _number(row[threshold])
        verdict = ""
        if met is not None and row[met] is not None:
            verdict = met_text(row[met])
        elif value is not None and needed is not None:
            verdict = met_text(value >= needed)
        note = (
            f"threshold {display_text(needed, 'share')}: {verdict}"
            if needed is not None
            else verdict
        )
        bars.append((label, (value,), needed, note))
    label = table.columns[share].label
    return _hbars(
        f"{label}, beside the threshold",
        "share",
        (Series(label, True),),
        bars,
        width,
        _shown(len(table.rows)),
    )


# -- any other table with a share: one bar per row -------------------------------------------


def _bars(table: Table, width: float, columns: list[int], unit: str = "share") -> Drawing:
    """A bar per row for one column, or two side by side (solid, then outlined)."""
    columns = columns[:2]
    labels = _labels(table, set())
    bars = [
        (label, tuple(_number(row[i]) for i in columns), None, "")
        for label, row in list(zip(labels, table.rows, strict=True))[:MAX_BARS]
    ]
    names = [table.columns[i].label for i in columns]
    series = tuple(Series(name, n == 0) for n, name in enumerate(names))
    return _hbars(" and ".join(names), unit, series, bars, width, _shown(len(table.rows)))


# -- a trend: one bar per week or month -------------------------------------------------------


def _periods(table: Table) -> list[tuple[str, tuple[object, ...]]]:
    """The rows of a trend, the clinic-wide "all" row left out when there are periods."""
    rows = list(zip(_labels(table, set()), table.rows, strict=True))
    periods = [(label, row) for label, row in rows if label != "all"]
    return (periods or rows)[-MAX_BARS * 2 :]


def _trend(table: Table, width: float, count: int) -> Drawing:
    rows = _periods(table)
    height = 150.0
    drawing = Drawing(width, height)
    note = f"last {len(rows)} of {len(table.rows)} shown" if len(rows) < len(table.rows) - 1 else ""
    _title(drawing, f"{table.columns[count].label}, by {_grouping(table)}", note)
    base_y, top_y = 28.0, height - 30
    values = [_number(row[count]) or 0.0 for _, row in rows]
    peak = max(values, default=0.0)
    slot = width / max(len(rows), 1)
    bar_w = min(28.0, slot * 0.6)
    for k, ((label, _row), value) in enumerate(zip(rows, values, strict=True)):
        x = k * slot + (slot - bar_w) / 2
        h = (top_y - base_y) * value / peak if peak else 0.0
        _bar(drawing, x, base_y, bar_w, max(h, 0.5), True)
        drawing.add(
            String(
                x + bar_w / 2,
                base_y + h + 3,
                display_text(value, "count"),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
        drawing.add(
            String(
                x + bar_w / 2,
                base_y - 10,
                _clip(label, 6.5, slot - 2),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
    drawing.add(Line(0, base_y, width, base_y, strokeColor=RULE, strokeWidth=0.6))
    return drawing


def _share_trend(table: Table, width: float) -> Drawing:
    """Each share column as a line across the periods, a different marker each, values written."""
    rows = _periods(table)
    shares = [i for i, c in enumerate(table.columns) if c.kind == "share"][:3]
    height = 140.0
    drawing = Drawing(width, height)
    names = " and ".join(table.columns[i].label for i in shares)
    _title(drawing, f"{names}, by {_grouping(table)}")
    base_y, top_y = 22.0, height - 40
    slot = width / max(len(rows), 1)
    legend_x = 0.0
    for n, index in enumerate(shares):
        marker = _MARKERS[n]
        _marker(drawing, marker, legend_x + 5, height - 26)
        name = table.columns[index].label
        drawing.add(String(legend_x + 12, height - 29, name, fontName=FONT, fontSize=SIZE))
        legend_x += 24 + stringWidth(name, FONT, SIZE)
        points = []
        for k, (_label, row) in enumerate(rows):
            value = _number(row[index])
            if value is None:
                continue
            x = k * slot + slot / 2
            y = base_y + (top_y - base_y) * max(0.0, min(value, 1.0))
            points.append((x, y))
            _marker(drawing, marker, x, y)
            drawing.add(
                String(
                    x,
                    y + (5 if n % 2 == 0 else -11),
                    display_text(value, "share"),
                    fontName=FONT,
                    fontSize=6,
                    textAnchor="middle",
                )
            )
        for (x0, y0), (x1, y1) in pairwise(points):
            drawing.add(
                Line(
                    x0,
                    y0,
                    x1,
                    y1,
                    strokeColor=ACCENT,
                    strokeWidth=0.8,
                    strokeDashArray=None if n == 0 else [3, 2],
                )
            )
    for k, (label, _row) in enumerate(rows):
        drawing.add(
            String(
                k * slot + slot / 2,
                base_y - 12,
                _clip(label, 6.5, slot - 2),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
            )
        )
    drawing.add(Line(0, base_y, width, base_y, strokeColor=RULE, strokeWidth=0.6))
    drawing.add(Line(0, top_y, width, top_y, strokeColor=RULE, strokeWidth=0.3))
    drawing.add(String(0, top_y + 2, "100%", fontName=FONT, fontSize=6, fillColor=GREY))
    return drawing


_MARKERS = ("square", "circle", "diamond")


def _grouping(table: Table) -> str:
    keys = [c.key for c in table.columns]
    if "group_by" in keys and table.rows:
        return str(table.rows[-1][keys.index("group_by")]).replace("_", " ")
    return "period"


def _marker(drawing: Drawing, kind: str, x: float, y: float) -> None:
    if kind == "square":
        drawing.add(Rect(x - 2.5, y - 2.5, 5, 5, fillColor=ACCENT, strokeColor=ACCENT))
    elif kind == "circle":
        drawing.add(Circle(x, y, 2.8, fillColor=colors.white, strokeColor=ACCENT, strokeWidth=1))
    else:
        drawing.add(
            Polygon(
                [x, y - 3.2, x + 3.2, y, x, y + 3.2, x - 3.2, y], fillColor=INK, strokeColor=INK
            )
        )
