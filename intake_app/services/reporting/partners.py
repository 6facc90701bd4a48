"""The partner scorecard: per referring partner, what it sends and how the loop is closed."""

from collections import Counter
from collections.abc import Mapping

from sqlalchemy import select

from intake_app.domain.figures import ALL, share, top_missing
from intake_app.domain.metrics import MeasureSummary
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.rows import (
    ID,
    MISSING,
    PARTNER,
    RECEIVED,
    RECORDS_COMPLETE,
    SEEN,
    Source,
)
from intake_app.store.models import Event

# The letter that tells the referrer the patient was seen (SPEC §4); the letters service
# records each letter as a "letter" event whose detail starts with the letter's kind.
CONSULT_COMPLETED = "consult_completed"

PARTNER_COLUMNS = (
    Column("partner", "Partner"),
    Column("referrals_sent", "Referrals sent", "count"),
    Column("complete_on_arrival_share", "Complete on arrival", "share"),
    Column("median_hours_to_records_complete", "Median hours to records complete", "hours"),
    Column("most_missing", "Most often missing on arrival"),
    Column("acknowledged_within_target_share", "Acknowledged within target", "share"),
    Column("seen", "Seen", "count"),
    Column("loop_closed", "Consult letter sent", "count"),
    Column("loop_closed_share", "Loop closed", "share"),
)


def partner_table(
    source: Source,
    access: Mapping[str, Mapping[str, MeasureSummary]],
    labels: Mapping[str, str],
) -> Table:
    """`access`: the access measures by partner name (and "all"); `labels`: item names."""
    names = source.partners
    closed = _consult_letter_sent(source)
    # Sent, complete on arrival (the records-complete time is the time of receipt), seen,
    # and seen with a consult-completed letter on the timeline.
    totals: dict[str, list[int]] = {ALL: [0, 0, 0, 0]}
    # Per partner, how often each required item was not in hand on arrival: stored on the
    # referral as it is logged (migration 0009), counted for referrals incomplete on arrival.
    missing: dict[str, Counter[str]] = {ALL: Counter()}
    for row in source.facts:
        name = names.get(row[PARTNER], "")
        complete = row[RECORDS_COMPLETE]
        on_arrival = complete is not None and complete - row[RECEIVED] < 0.5
        seen = row[SEEN] is not None
        if not on_arrival and row[MISSING]:
            keys = row[MISSING].split(",")
            missing[ALL].update(keys)
            (missing.get(name) or missing.setdefault(name, Counter())).update(keys)
        for bucket in (totals[ALL], totals.get(name) or totals.setdefault(name, [0, 0, 0, 0])):
            bucket[0] += 1
            bucket[1] += on_arrival
            bucket[2] += seen
            bucket[3] += seen and row[ID] in closed
    rows = []
    for name in [ALL, *sorted(n for n in totals if n != ALL)]:
        n, complete_count, seen_count, closed_count = totals[name]
        measures = access.get(name, {})
        records = measures.get("records_complete")
        acknowledge = measures.get("acknowledge")
        rows.append(
            (
                name,
                n,
                share(complete_count, n),
                records.median_hours if records else None,
                top_missing(missing.get(name, Counter()), labels),
                acknowledge.within_target_share if acknowledge else None,
                seen_count,
                closed_count,
                share(closed_count, seen_count),
            )
        )
    return Table(
        key="partners",
        title="Partner scorecard",
        columns=PARTNER_COLUMNS,
        rows=tuple(rows),
        note="Loop closed: share of the partner's seen referrals whose referrer was sent the "
        "consult-completed letter. Missing on arrival: required items, with counts.",
    )


def _consult_letter_sent(source: Source) -> set[int]:
    """The referrals with a consult-completed letter sent since the period began (by the
    events' kind-and-time index; the caller keeps those of the period)."""
    found = source.session.execute(
        select(Event.referral_id).where(
            Event.kind == "letter",
            Event.effective_at >= source.period.lower,
            Event.detail.like(f"{CONSULT_COMPLETED}%"),
        )
    )
    return {int(r[0]) for r in found}
