"""The conversion funnel: received → acknowledged → triaged → scheduled → seen, per group,
with where referrals stop (closed, by closing state) and how many are still open there."""

from intake_app.domain.figures import ALL, CLOSINGS, FUNNEL_STEPS, FunnelCounts, ordered_groups
from intake_app.domain.figures import share as share_of
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.common import GROUP_COLUMNS
from intake_app.services.reporting.rows import Source
from intake_app.store.models import Referral

FUNNEL_COLUMNS = (
    *GROUP_COLUMNS,
    Column("step", "Step"),
    Column("reached", "Reached", "count"),
    Column("reached_share", "Share of received", "share"),
    Column("still_open", "Still open here", "count"),
    *(Column(s.value, f"Closed here: {s.value.replace('_', '-')}", "count") for s in CLOSINGS),
)


def funnel_table(source: Source, by: str | None) -> Table:
    rows = source.rows(
        Referral.state,
        Referral.closed_from,
        Referral.acknowledged_at.is_not(None),
        Referral.triaged_at.is_not(None),
        Referral.scheduled_at.is_not(None),
        Referral.seen_at.is_not(None),
    )
    groups = source.groups(by)
    funnels: dict[str, FunnelCounts] = {ALL: FunnelCounts.empty()}
    for row in rows:
        state, closed_from, acknowledged, triaged, scheduled, seen = row[-6:]
        for group in groups(row):
            funnel = funnels.get(group) or funnels.setdefault(group, FunnelCounts.empty())
            funnel.add(
                state, closed_from, bool(acknowledged), bool(triaged), bool(scheduled), bool(seen)
            )
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
