"""Access-time report (SPEC §5): hours from receipt to each step, by group. De-identified."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import Priority
from intake_app.domain.holds import HOLD_EVENTS, HoldSpan, spans_from_events
from intake_app.domain.metrics import ELAPSED, HELD_CLOCKS, MEASURES, ReportRow, summarise
from intake_app.domain.metrics import measure as measure_one
from intake_app.domain.targets import AccessTargets
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.store.engine import epoch_seconds
from intake_app.store.models import Event, Partner, Referral
from intake_app.store.visibility import finished_only

GROUPINGS = ("service_line", "partner", "channel", "priority")
ALL = "all"
UNTRIAGED = "untriaged"
_STEP_COLUMNS = {
    "acknowledge": Referral.acknowledged_at,
    "records_complete": Referral.records_complete_at,
    "triage": Referral.triaged_at,
    "first_consult": Referral.seen_at,
}
_GROUP_COLUMNS = {
    "service_line": Referral.service_line_key,
    "partner": Partner.organisation,
    "channel": Referral.channel,
    "priority": Referral.priority,
}


def access_times(
    signed_in: SignedIn, start: date, end: date, by: str | None = None, held: str = ELAPSED
) -> list[ReportRow]:
    """Referrals received from `start` to `end` inclusive (clinic time zone), grouped by `by`.

    `held`: hours as elapsed (the real wait) or adjusted (patient-unavailable time inside
    [received, step] subtracted); within-target is judged on the adjusted clock either way.
    """
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.RUN_REPORTS, "report_access_times")
    if end < start:
        raise ServiceError("to: the period ends before it starts")
    if by is not None and by not in GROUPINGS:
        raise ServiceError(f"by: {by!r} is not one of {', '.join(GROUPINGS)}")
    if held not in HELD_CLOCKS:
        raise ServiceError(f"held: {held!r} is not one of {', '.join(HELD_CLOCKS)}")
    tz = clinic.calendar.tz
    lower = datetime.combine(start, time(0), tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    group_column = _GROUP_COLUMNS[by] if by else literal(ALL)
    stmt = select(
        Referral.id,
        epoch_seconds(Referral.received_at),
        Referral.service_line_key,
        func.coalesce(Referral.priority, Referral.proposed_priority),
        group_column,
        *(epoch_seconds(column) for column in _STEP_COLUMNS.values()),
    ).where(Referral.received_at >= lower, Referral.received_at < upper)
    if by == "partner":
        stmt = stmt.join(Partner)
    # 100,000 referrals in well under a second: the database hands over POSIX seconds, and
    # the four deadlines of a (service line, priority, day of receipt) are worked out once.
    deadlines: dict[tuple[str, str, date], tuple[float, ...]] = {}
    local_dates: dict[int, date] = {}
    buckets: dict[str, tuple[list[list[float]], list[list[bool]]]] = {}
    with clinic.unit(actor, "report_access_times", "report", f"{start}..{end}") as unit:
        rows = unit.session.connection().execute(finished_only(unit.session, stmt)).all()
        holds = hold_spans(unit.session, lower)
    for referral_id, received, line, level, group_value, *steps in rows:
        # Quarter hours: no time zone's offset moves midnight inside one.
        quarter = int(received // 900)
        day = local_dates.get(quarter)
        if day is None:
            day = local_dates[quarter] = datetime.fromtimestamp(received, tz).date()
        key = (line, level, day)
        due = deadlines.get(key)
        if due is None:
            due = deadlines[key] = _deadlines(clinic.calendar, clinic.targets, line, level, day)
        group = group_value or UNTRIAGED
        bucket = buckets.get(group)
        if bucket is None:
            bucket = buckets[group] = ([[] for _ in MEASURES], [[] for _ in MEASURES])
        hours, within = bucket
        spans = holds.get(referral_id)
        for index, step in enumerate(steps):
            if step is None:
                continue
            if spans is None:  # most referrals were never held: stay in plain seconds
                hours[index].append((step - received) / 3600.0)
                within[index].append(step < due[index])
                continue
            measured = measure_one(_utc(received), _utc(step), _utc(due[index]), spans)
            hours[index].append(measured.hours(held))
            within[index].append(measured.within_target)
    group_by = by or ALL
    everyone = (
        [[v for b in buckets.values() for v in b[0][i]] for i in range(len(MEASURES))],
        [[v for b in buckets.values() for v in b[1][i]] for i in range(len(MEASURES))],
    )
    by_group = {ALL: everyone} | ({g: b for g, b in buckets.items()} if by else {})
    ordered = [ALL, *sorted(g for g in by_group if g != ALL)]
    return [
        ReportRow(group_by, g, summarise(m, by_group[g][0][i], by_group[g][1][i]))
        for g in ordered
        for i, m in enumerate(MEASURES)
    ]


def hold_spans(session: Session, received_from: datetime) -> dict[int, list[HoldSpan]]:
    """The holds of referrals received from `received_from` on, by referral, from their
    hold events in one query (a hold starts after its referral's receipt, so the events
    since then are enough). For the report figures: pass each referral's spans to
    domain.metrics.measure or domain.holds.paused_within."""
    events: defaultdict[int, list[tuple[str, str, datetime]]] = defaultdict(list)
    for referral_id, kind, detail, at in session.execute(
        select(Event.referral_id, Event.kind, Event.detail, Event.effective_at)
        .where(Event.kind.in_(HOLD_EVENTS), Event.effective_at >= received_from)
        .order_by(Event.referral_id, Event.effective_at, Event.id)
    ):
        events[referral_id].append((kind, detail, at))
    return {rid: spans_from_events(found) for rid, found in events.items()}


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _deadlines(
    calendar: BusinessCalendar, targets: AccessTargets, line: str, level: str, day: date
) -> tuple[float, ...]:
    """End of the target day of each measure for a referral received on `day`, in seconds."""
    moment = datetime.combine(day, time(12), tzinfo=calendar.tz)
    priority = Priority(level)
    return tuple(
        calendar.deadline(moment, target.days, target.unit).timestamp()
        for target in (targets.target(line, priority, m) for m in MEASURES)
    )
