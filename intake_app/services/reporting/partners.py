"""The partner scorecard: per referring partner, what it sends and how the loop is closed."""

from collections import Counter
from collections.abc import Mapping

from sqlalchemy import and_, case, exists, func, select

from intake_app.domain.figures import ALL, share, top_missing
from intake_app.domain.metrics import MeasureSummary
from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting.rows import Source
from intake_app.store.models import ChecklistItem, Event, ItemReceipt, Referral
from intake_app.store.visibility import finished_only

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
    period = source.period
    in_period = (Referral.received_at >= period.lower, Referral.received_at < period.upper)
    session = source.session
    names = source.partners

    def run(stmt):  # type: ignore[no-untyped-def]
        return session.connection().execute(finished_only(session, stmt)).all()

    # Sent, complete on arrival (the records-complete time is the time of receipt), seen,
    # and seen with a consult-completed letter on the timeline.
    letter_sent = exists().where(
        Event.referral_id == Referral.id,
        Event.kind == "letter",
        Event.detail.like(f"{CONSULT_COMPLETED}%"),
    )
    seen = Referral.seen_at.is_not(None)
    sent = run(
        select(
            Referral.partner_id,
            func.count(),
            func.sum(case((Referral.records_complete_at == Referral.received_at, 1), else_=0)),
            func.sum(case((seen, 1), else_=0)),
            func.sum(case((and_(seen, letter_sent), 1), else_=0)),
        )
        .where(*in_period)
        .group_by(Referral.partner_id)
    )
    # Required items not in hand when the referral was logged.
    in_hand = exists().where(
        ItemReceipt.referral_id == Referral.id,
        ItemReceipt.item_key == ChecklistItem.key,
        ItemReceipt.received_at <= Referral.received_at,
    )
    missing_rows = run(
        select(Referral.partner_id, ChecklistItem.key, func.count())
        .join(
            ChecklistItem,
            and_(ChecklistItem.checklist_id == Referral.checklist_id, ChecklistItem.required),
        )
        .where(*in_period, ~in_hand)
        .group_by(Referral.partner_id, ChecklistItem.key)
    )
    missing: dict[str, Counter[str]] = {ALL: Counter()}
    for partner_id, key, count in missing_rows:
        name = names.get(partner_id, "")
        missing.setdefault(name, Counter())[key] += count
        missing[ALL][key] += count
    totals: dict[str, list[int]] = {ALL: [0, 0, 0, 0]}
    for partner_id, *counts in sent:
        totals[names.get(partner_id, "")] = [int(c or 0) for c in counts]
        totals[ALL] = [a + int(c or 0) for a, c in zip(totals[ALL], counts, strict=True)]
    rows = []
    for name in [ALL, *sorted(n for n in totals if n != ALL)]:
        n, complete, seen_count, closed = totals[name]
        measures = access.get(name, {})
        records = measures.get("records_complete")
        acknowledge = measures.get("acknowledge")
        rows.append(
            (
                name,
                n,
                share(complete, n),
                records.median_hours if records else None,
                top_missing(missing.get(name, Counter()), labels),
                acknowledge.within_target_share if acknowledge else None,
                seen_count,
                closed,
                share(closed, seen_count),
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
