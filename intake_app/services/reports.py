"""Access-time report (SPEC §5): hours from receipt to each step, by group. De-identified."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES, ReportRow, hours_between, summarise
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
    deadline_cache: dict[tuple[date, int], datetime] = {}
    with clinic.unit(actor, "report_access_times", "report", f"{start}..{end}") as unit:
        for row in unit.session.execute(stmt):
            received, line, priority, proposed, group_value = row[:5]
            steps = row[5:]
            group = (group_value or UNTRIAGED) if by else ALL
            groups.add(group)
            level = Priority(priority or proposed)
            for measure, step_at in zip(MEASURES, steps, strict=True):
                if step_at is None:
                    continue
                days = clinic.targets.business_days(line, level, measure)
                day = clinic.calendar.local_date(received)
                deadline = deadline_cache.get((day, days))
                if deadline is None:
                    deadline = clinic.calendar.deadline(received, days)
                    deadline_cache[(day, days)] = deadline
                value = hours_between(received, step_at)
                made_it = step_at < deadline
                for key in {group, ALL}:
                    hours[(key, measure)].append(value)
                    within[(key, measure)].append(made_it)
    group_by = by or ALL
    ordered = [ALL, *sorted(g for g in groups if g != ALL)]
    return [
        ReportRow(group_by, g, summarise(m, hours[(g, m)], within[(g, m)]))
        for g in ordered
        for m in MEASURES
    ]
