"""Which actions a user may take on a referral in its state, and why not (for the screens).

The services still check every call: this only lets a front end show the right buttons.
"""

from dataclasses import dataclass
from enum import StrEnum

from intake_app.domain.enums import State
from intake_app.domain.lifecycle import ALLOWED
from intake_app.services.permissions import Permission


class Action(StrEnum):
    RECEIVE_ITEM = "receive_item"
    ACKNOWLEDGE = "acknowledge"
    TRIAGE = "triage"
    SCHEDULE = "schedule"
    MARK_SEEN = "mark_seen"
    DECLINE = "decline"
    REDIRECT = "redirect"
    WITHDRAW = "withdraw"
    NO_SHOW = "no_show"
    REOPEN = "reopen"
    HOLD = "hold"
    RESUME = "resume"


# The permission each action needs, and the target state it moves to (None: no transition).
_RULES: dict[Action, tuple[Permission, State | None]] = {
    Action.RECEIVE_ITEM: (Permission.EDIT_REFERRAL, None),
    Action.ACKNOWLEDGE: (Permission.EDIT_REFERRAL, None),
    Action.TRIAGE: (Permission.TRIAGE, State.TRIAGED),
    Action.SCHEDULE: (Permission.SCHEDULE, State.SCHEDULED),
    Action.MARK_SEEN: (Permission.SCHEDULE, State.SEEN),
    Action.DECLINE: (Permission.TRIAGE, State.DECLINED),
    Action.REDIRECT: (Permission.TRIAGE, State.REDIRECTED),
    Action.WITHDRAW: (Permission.SCHEDULE, State.WITHDRAWN),
    Action.NO_SHOW: (Permission.SCHEDULE, State.NO_SHOW),
    Action.REOPEN: (Permission.SCHEDULE, None),
}
_ROLE_FOR = {
    Permission.EDIT_REFERRAL: "a coordinator",
    Permission.SCHEDULE: "a coordinator",
    Permission.TRIAGE: "triage staff",
}


@dataclass(frozen=True)
class ActionState:
    action: Action
    allowed: bool
    reason: str  # why not, for a tooltip; empty when allowed


def available_actions(
    state: State, permissions: frozenset[Permission], held: bool = False
) -> list[ActionState]:
    """Each action and whether it may be taken now; `held`: the referral is on hold."""
    result = []
    for action, (permission, target) in _RULES.items():
        reason = ""
        if action is Action.REOPEN:
            if state.is_open:
                reason = f"the referral is {state.value}, not closed"
        elif action in (Action.RECEIVE_ITEM, Action.ACKNOWLEDGE):
            if not state.is_open:
                reason = f"the referral is {state.value}; reopen it first"
        elif target is not None and target not in ALLOWED[state]:
            reason = f"a {state.value} referral cannot become {target.value}"
        if not reason and permission not in permissions:
            reason = f"only {_ROLE_FOR.get(permission, 'an authorised user')} may do this"
        result.append(ActionState(action, not reason, reason))
    result += _hold_actions(state, permissions, held)
    return result


def _hold_actions(
    state: State, permissions: frozenset[Permission], held: bool
) -> list[ActionState]:
    # A coordinator records a patient who asks to wait; triage asks the referrer for more.
    may = bool(permissions & {Permission.EDIT_REFERRAL, Permission.TRIAGE})
    hold = resume = ""
    if not state.is_open:
        hold = resume = f"the referral is {state.value}; reopen it first"
    elif held:
        hold = "the referral is already on hold"
    else:
        resume = "the referral is not on hold"
    if not may:
        hold = hold or "only a coordinator or triage staff may do this"
        resume = resume or "only a coordinator or triage staff may do this"
    return [
        ActionState(Action.HOLD, not hold, hold),
        ActionState(Action.RESUME, not resume, resume),
    ]
