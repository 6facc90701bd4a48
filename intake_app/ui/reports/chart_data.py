"""What each dashboard chart draws, taken from a report `Table` (plain Python, no Qt Charts).

The charts draw the very numbers the tables beside them (and the exports) show.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from intake_app.domain.report_tables import Table

MAX_SERIES = 3
MAX_CATEGORIES = 12
MEASURE_LABELS = {
    "acknowledge": "Acknowledge",
    "records_complete": "Records complete",
    "triage": "Triage",
    "first_consult": "First consult",
}


@dataclass(frozen=True)
class SeriesData:
    label: str
    values: tuple[float | None, ...]
    kind: str  # share (0..1), hours, days, count


@dataclass(frozen=True)
class ChartData:
    title: str
    groups: tuple[str, ...]  # the raw group values, for the click-through (() for none)
    labels: tuple[str, ...]  # what the axis shows for each group
    series: tuple[SeriesData, ...]
    lines: tuple[SeriesData, ...] = ()  # shares drawn as lines (the trend)
    note: str = ""  # e.g. "12 of 30 partners shown; the table lists all"


def group_column(table: Table) -> int:
    """The column that names a row's group: "group", else the first text column."""
    keys = [c.key for c in table.columns]
    if "group" in keys:
        return keys.index("group")
    return next((i for i, c in enumerate(table.columns) if c.kind == "text"), 0)


def _numbers(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _capped(rows: Sequence[tuple[object, ...]], noun: str) -> tuple[list[tuple[object, ...]], str]:
    if len(rows) <= MAX_CATEGORIES:
        return list(rows), ""
    note = f"The first {MAX_CATEGORIES} of {len(rows)} {noun} are drawn; the table lists all."
    return list(rows[:MAX_CATEGORIES]), note


def columns_chart(
    table: Table,
    kinds: Sequence[str],
    name: Callable[[str], str] = str,
    title: str | None = None,
) -> ChartData | None:
    """Bars per group for the table's first columns of the given kinds (e.g. its shares)."""
    chosen = [i for i, c in enumerate(table.columns) if c.kind in kinds][:MAX_SERIES]
    if not chosen or not table.rows:
        return None
    key = group_column(table)
    # A group without any value to draw (no partner gave a sent date) has no bar.
    drawn = [r for r in table.rows if any(r[i] is not None for i in chosen)]
    if not drawn:
        return None
    rows, note = _capped(drawn, "groups")
    groups = tuple(str(r[key]) for r in rows)
    return ChartData(
        title=title or table.title,
        groups=groups,
        labels=tuple(name(g) for g in groups),
        series=tuple(
            SeriesData(
                table.columns[i].label,
                tuple(_numbers(r[i]) for r in rows),
                table.columns[i].kind,
            )
            for i in chosen
        ),
        note=note,
    )


def access_chart(table: Table, measure: str, name: Callable[[str], str] = str) -> ChartData | None:
    """Median and 90th percentile of one measure per group, the share within target in
    each group's label (the target is per priority, so it is the share that compares)."""
    try:
        m, g = table.column("measure"), table.column("group")
        median, p90 = table.column("median_hours"), table.column("p90_hours")
        within = table.column("within_target_share")
    except StopIteration:
        return None
    rows = [r for r in table.rows if r[m] == measure]
    if not rows:
        return None
    rows, note = _capped(rows, "groups")
    groups = tuple(str(r[g]) for r in rows)

    def label(row: tuple[object, ...]) -> str:
        share = _numbers(row[within])
        target = "no referral reached it" if share is None else f"{share * 100:.0f} % in target"
        return f"{name(str(row[g]))} · {target}"

    return ChartData(
        title=f"{MEASURE_LABELS.get(measure, measure)}: median and 90th percentile",
        groups=groups,
        labels=tuple(label(r) for r in rows),
        series=(
            SeriesData("Median (hours)", tuple(_numbers(r[median]) for r in rows), "hours"),
            SeriesData("90th percentile (hours)", tuple(_numbers(r[p90]) for r in rows), "hours"),
        ),
        note=note,
    )


def trend_chart_data(table: Table, name: Callable[[str], str] = str) -> ChartData | None:
    """Weekly volume (the first count column) as bars, its shares as lines."""
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"][:1]
    shares = [i for i, c in enumerate(table.columns) if c.kind == "share"][:2]
    if not counts or not table.rows:
        return None
    key = group_column(table)
    rows = [r for r in table.rows if str(r[key]).lower() != "all"]
    weeks = tuple(str(r[key]) for r in rows)
    return ChartData(
        title="Weekly volume and completeness (weeks starting)",
        groups=(),  # by week whatever the group-by: the bars choose no group
        labels=tuple(period_label(w) for w in weeks),
        series=(
            SeriesData(
                table.columns[counts[0]].label,
                tuple(_numbers(r[counts[0]]) for r in rows),
                "count",
            ),
        ),
        lines=tuple(
            SeriesData(table.columns[i].label, tuple(_numbers(r[i]) for r in rows), "share")
            for i in shares
        ),
    )


def period_label(value: str) -> str:
    """A week (its Monday, 2026-11-02) as "2 Nov", a month (2026-11) as "Nov 2026"."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%b}"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{date.fromisoformat(value + '-01'):%b %Y}"
    return value


def _everyone(table: Table) -> list[tuple[object, ...]]:
    """The rows of the whole period (group "all") of a table with a row per group and step."""
    key = group_column(table)
    return [r for r in table.rows if r[key] == "all"]


def funnel_chart(table: Table) -> ChartData | None:
    """Each step of the whole period: how many reached it, are still open there, closed
    there (declined, redirected, withdrawn, no-show together; the table has each)."""
    try:
        step, reached, still = (table.column(k) for k in ("step", "reached", "still_open"))
    except StopIteration:
        return None
    rows = _everyone(table)
    if not rows:
        return None
    first_closing = still + 1
    closed = tuple(float(sum(v for v in r[first_closing:] if isinstance(v, int))) for r in rows)
    return ChartData(
        title="Conversion funnel (the whole period)",
        groups=(),
        labels=tuple(str(r[step]).replace("_", " ").capitalize() for r in rows),
        series=(
            SeriesData("Reached", tuple(_numbers(r[reached]) for r in rows), "count"),
            SeriesData("Still open here", tuple(_numbers(r[still]) for r in rows), "count"),
            SeriesData("Closed here", closed, "count"),
        ),
    )


def standards_chart(table: Table) -> ChartData | None:
    """Each standard over the whole period: the share within its days beside its
    threshold, with met / not met written in the label."""
    try:
        name, share, threshold, result = (
            table.column(k) for k in ("standard", "met_share", "threshold", "result")
        )
    except StopIteration:
        return None
    rows = _everyone(table)
    if not rows:
        return None
    return ChartData(
        title="Standards (the whole period)",
        groups=(),
        labels=tuple(f"{r[name]} · {r[result]}" for r in rows),
        series=(
            SeriesData("Share within", tuple(_numbers(r[share]) for r in rows), "share"),
            SeriesData("Threshold", tuple(_numbers(r[threshold]) for r in rows), "share"),
        ),
    )
