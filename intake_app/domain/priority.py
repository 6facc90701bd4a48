"""Proposed triage priority from documented rules (SPEC §3.4); staff make the decision."""

from dataclasses import dataclass

from intake_app.domain.enums import Priority, Trigger, Urgency

# Triggers that by themselves suggest a cancer needing prompt work-up.
URGENT_TRIGGERS = frozenset({Trigger.NEW_BIOPSY, Trigger.TREATMENT_COMPLICATION})
SOON_TRIGGERS = frozenset(
    {Trigger.ABNORMAL_IMAGING, Trigger.RECURRENCE_CONCERN, Trigger.STAGING_WORKUP}
)
_RANK = {Priority.ROUTINE: 0, Priority.SOON: 1, Priority.URGENT: 2}


@dataclass(frozen=True)
class Proposal:
    priority: Priority
    reasons: tuple[str, ...]


def _raise(current: Priority, candidate: Priority) -> Priority:
    return candidate if _RANK[candidate] > _RANK[current] else current


def propose_priority(
    trigger: Trigger, referrer_urgency: Urgency | None, preferred_timeframe_days: int | None = None
) -> Proposal:
    """The highest priority any rule calls for, with the rules that called for it.

    Rules: the referrer's urgency is taken as stated; a new biopsy finding or a
    treatment complication is urgent; abnormal imaging, a recurrence concern or
    a staging work-up is at least soon; a preferred consult within 7 days is
    urgent and within 14 days soon.
    """
    priority = Priority.ROUTINE
    reasons: list[str] = []
    if referrer_urgency is None:
        reasons.append("referrer stated no urgency")
    else:
        priority = _raise(priority, Priority(referrer_urgency.value))
        reasons.append(f"referrer marked it {referrer_urgency.value}")
    if trigger in URGENT_TRIGGERS:
        priority = _raise(priority, Priority.URGENT)
        reasons.append(f"trigger {trigger.value} is urgent by rule")
    elif trigger in SOON_TRIGGERS:
        priority = _raise(priority, Priority.SOON)
        reasons.append(f"trigger {trigger.value} is at least soon by rule")
    if preferred_timeframe_days is not None:
        if preferred_timeframe_days <= 7:
            priority = _raise(priority, Priority.URGENT)
            reasons.append(f"consult wanted within {preferred_timeframe_days} days (≤ 7: urgent)")
        elif preferred_timeframe_days <= 14:
            priority = _raise(priority, Priority.SOON)
            reasons.append(f"consult wanted within {preferred_timeframe_days} days (≤ 14: soon)")
    return Proposal(priority, tuple(reasons))
