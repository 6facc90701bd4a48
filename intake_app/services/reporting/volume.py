"""Volume received and completeness, at receipt and now, per group (the weekly trend)."""

from intake_app.domain.figures import ALL, ordered_groups, share
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.common import GROUP_COLUMNS
from intake_app.services.reporting.rows import RECEIVED, Source
from intake_app.store.engine import epoch_seconds
from intake_app.store.models import Referral

VOLUME_COLUMNS = (
    *GROUP_COLUMNS,
    Column("received", "Received", "count"),
    Column("complete_at_receipt", "Complete at receipt", "count"),
    Column("complete_at_receipt_share", "Share complete at receipt", "share"),
    Column("complete_now", "Complete now", "count"),
    Column("complete_now_share", "Share complete now", "share"),
)


def volume_table(source: Source, by: str) -> Table:
    """Received and complete, per group of `by` (the report's grouping, or week)."""
    rows = source.rows(epoch_seconds(Referral.records_complete_at))
    groups = source.groups(by)
    counts: dict[str, list[int]] = {ALL: [0, 0, 0]}  # the "all" row even for an empty period
    for row in rows:
        complete = row[-1]
        # Complete at receipt: the last required item was in hand when it was logged (the
        # records-complete time is never before receipt, so equal means at receipt).
        at_receipt = complete is not None and complete - row[RECEIVED] < 0.5
        for group in groups(row):
            bucket = counts.get(group) or counts.setdefault(group, [0, 0, 0])
            bucket[0] += 1
            bucket[1] += at_receipt
            bucket[2] += complete is not None
    return Table(
        key="volume",
        title="Volume and completeness",
        columns=VOLUME_COLUMNS,
        rows=tuple(
            (by or ALL, g, n, at, share(at, n), now, share(now, n))
            for g in ordered_groups(counts)
            for n, at, now in [counts[g]]
        ),
        note="Complete now: every required item received by the time of this report.",
    )
