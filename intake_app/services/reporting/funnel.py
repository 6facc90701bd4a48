"""The conversion funnel: received → acknowledged → triaged → scheduled → seen, per group,
with where referrals stop (closed, by closing state) and how many are still open there."""

from collections import Counter

from intake_app.domain.figures import ALL, CLOSINGS, FUNNEL_STEPS, FunnelCounts, ordered_groups
from intake_app.domain.figures import share as share_of
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.common import GROUP_COLUMNS
from intake_app.services.reporting.rows import (
    ACKNOWLEDGED,
    CLOSED_FROM,
    SCHEDULED,
    SEEN,
    STATE,
    TRIAGED,
    Source,
)

FUNNEL_COLUMNS = (
    *GROUP_COLUMNS,
    Column("step", "Step"),
    Column("reached", "Reached", "count"),
    Column("reached_share", "Share of received", "share"),
    Column("still_open", "Still open here", "count"),
    *(Column(s.value, f"Closed here: {s.value.replace('_', '-')}", "count") for s in CLOSINGS),
)


def funnel_table(source: Source, by: str | None) -> Table:
    groups = source.groups(by)
    # Referrals alike for the funnel are counted first, so each group's funnel adds one
    # entry per kind of referral (a few dozen) rather than one per referral.
    alike: Counter[tuple[str, tuple[str | None, bool, bool, bool, bool, bool]]] = Counter()
    for row in source.facts:
        key = (
            row[STATE],
            row[CLOSED_FROM],
            row[ACKNOWLEDGED] is not None,
            row[TRIAGED] is not None,
            bool(row[SCHEDULED]),
            row[SEEN] is not None,
        )
        for group in groups(row):
            alike[(group, key)] += 1
    funnels: dict[str, FunnelCounts] = {ALL: FunnelCounts.empty()}
    for (group, (state, closed_from, *steps)), count in alike.items():
        funnel = funnels.get(group) or funnels.setdefault(group, FunnelCounts.empty())
        funnel.add(state, closed_from, *steps, count=count)
    table_rows = []
    for group in ordered_groups(funnels):
        f = funnels[group]
        received = f.reached["received"]
        for step in FUNNEL_STEPS:
            table_rows.append(
                (
                    by or ALL,
                    group,
                    step,
                    f.reached[step],
                    share_of(f.reached[step], received),
                    f.open_at[step],
                    *(f.closed_at[step][s.value] for s in CLOSINGS),
                )
            )
    return Table(
        key="funnel",
        title="Conversion funnel",
        columns=FUNNEL_COLUMNS,
        rows=tuple(table_rows),
        note=(
            "Reached: the step's milestone is recorded. Still open / closed here: referrals "
            "whose furthest step this is (a reopened referral is open again where it closed)."
        ),
    )
