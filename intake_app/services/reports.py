"""Access-time report (SPEC §5): hours from receipt to each step, by group. De-identified."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES, ReportRow, summarise
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.store.models import Partner, Referral

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
    signed_in: SignedIn, start: date, end: date, by: str | None = None
) -> list[ReportRow]:
    """Referrals received from `start` to `end` inclusive (clinic time zone), grouped by `by`."""
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.RUN_REPORTS, "report_access_times")
    if end < start:
        raise ServiceError("to: the period ends before it starts")
    if by is not None and by not in GROUPINGS:
        raise ServiceError(f"by: {by!r} is not one of {', '.join(GROUPINGS)}")
    tz = clinic.calendar.tz
    lower = datetime.combine(start, time(0), tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    group_column = _GROUP_COLUMNS[by] if by else Referral.id
    stmt = (
        select(
            Referral.received_at,
            Referral.service_line_key,
            Referral.priority,
            Referral.proposed_priority,
            group_column,
            *_STEP_COLUMNS.values(),
        )
        .join(Partner)
        .where(Referral.received_at >= lower, Referral.received_at < upper)
    )
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    within: dict[tuple[str, str], list[bool]] = defaultdict(list)
    groups: set[str] = set()
    calendar, targets = clinic.calendar, clinic.targets
    # 100,000 rows must take well under a second: look each target and deadline up once,
    # and compare POSIX timestamps instead of datetimes.
    target_days: dict[tuple[str, str, str], int] = {}
    deadlines: dict[tuple[date, int], float] = {}
    with clinic.unit(actor, "report_access_times", "report", f"{start}..{end}") as unit:
        # Core rows: the ORM loading layer would cost more than the arithmetic here.
        for row in unit.session.connection().execute(stmt):
            received, line, priority, proposed, group_value = row[:5]
            group = (group_value or UNTRIAGED) if by else ALL
            groups.add(group)
            level = priority or proposed
            received_ts = received.timestamp()
            day: date | None = None
            for measure, step_at in zip(MEASURES, row[5:], strict=True):
                if step_at is None:
                    continue
                days_key = (line, level, measure)
                days = target_days.get(days_key)
                if days is None:
                    days = targets.business_days(line, Priority(level), measure)
                    target_days[days_key] = days
                day = day or calendar.local_date(received)
                deadline = deadlines.get((day, days))
                if deadline is None:
                    deadline = calendar.deadline(received, days).timestamp()
                    deadlines[(day, days)] = deadline
                step_ts = step_at.timestamp()
                value = (step_ts - received_ts) / 3600.0
                made_it = step_ts < deadline
                hours[(ALL, measure)].append(value)
                within[(ALL, measure)].append(made_it)
                if group != ALL:
                    hours[(group, measure)].append(value)
                    within[(group, measure)].append(made_it)
    group_by = by or ALL
    ordered = [ALL, *sorted(g for g in groups if g != ALL)]
    return [
        ReportRow(group_by, g, summarise(m, hours[(g, m)], within[(g, m)]))
        for g in ordered
        for m in MEASURES
    ]
