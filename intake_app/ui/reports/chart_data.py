"""What each dashboard chart draws, taken from a report `Table` (plain Python, no Qt Charts).

The charts draw the very numbers the tables beside them (and the exports) show.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    groups: tuple[str, ...]  # the raw group values, for the click-through
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
    rows, note = _capped(table.rows, "groups")
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
    groups = tuple(str(r[key]) for r in rows)
    return ChartData(
        title="Weekly volume and completeness",
        groups=groups,
        labels=tuple(name(g) for g in groups),
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
