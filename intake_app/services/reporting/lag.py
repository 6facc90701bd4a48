"""The lag between the day a partner sent a referral and the day it was logged, in days."""

from intake_app.domain.figures import ALL, median_p90
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.common import GROUP_COLUMNS
from intake_app.services.reporting.rows import RECEIVED, Source
from intake_app.store.models import Referral

LAG_COLUMNS = (
    *GROUP_COLUMNS,
    Column("received", "Received", "count"),
    Column("with_sent_date", "With a sent date", "count"),
    Column("median_days", "Median lag (days)", "days"),
    Column("p90_days", "90th percentile lag (days)", "days"),
)


def lag_table(source: Source, by: str | None) -> Table:
    """Per `by`; when the report is not broken down, by partner and by channel."""
    rows = source.rows(Referral.partner_sent_on)
    # The day it was logged, in clinic time, less the day the partner says it sent it.
    lags = [None if r[-1] is None else float((source.days(r[RECEIVED]) - r[-1]).days) for r in rows]
    known = [lag for lag in lags if lag is not None]
    table_rows = [(by or ALL, ALL, len(rows), len(known), *median_p90(known, 1))]
    for grouping in (by,) if by else ("partner", "channel"):
        name_of = source.grouper(grouping)
        received: dict[str, int] = {}
        by_group: dict[str, list[float]] = {}
        for row, lag in zip(rows, lags, strict=True):
            group = name_of(row)
            received[group] = received.get(group, 0) + 1
            if lag is not None:
                by_group.setdefault(group, []).append(lag)
        for group in sorted(received):
            values = by_group.get(group, [])
            table_rows.append(
                (grouping, group, received[group], len(values), *median_p90(values, 1))
            )
    return Table(
        key="lag",
        title="Referral lag",
        columns=LAG_COLUMNS,
        rows=tuple(table_rows),
        note="Days from the date the partner sent the referral to the day it was logged, "
        "where the sent date is known.",
    )
