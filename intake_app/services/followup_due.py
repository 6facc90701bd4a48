"""The stored next follow-up of a referral, from the ladder setting and the clinic's calendar.

`refresh_followup` is to follow-ups what `due.refresh_due` is to access deadlines, and is
called from it: every change that can move a referral's ladder (receipt, unreceipt, hold,
resume, close, reopen, correction, letter) keeps the stored step and due time in step.
"""

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, object_session

from intake_app.domain.enums import State
from intake_app.domain.followups import (
    DEFAULT_LADDER,
    FollowupDue,
    Ladder,
    next_followup,
    outcome_detail,
)
from intake_app.services.clinic import Clinic
from intake_app.store.models import Event, Referral, Setting
from intake_app.store.visibility import SHOW_UNFINISHED

LADDER_SETTING = "followup_ladder"


def current_ladder(session: Session) -> Ladder:
    """The clinic's ladder: the setting, or the default ladder when none was set."""
    with session.no_autoflush:  # a read in the middle of a change: flush once, at its end
        text = session.execute(select(Setting.value).where(Setting.key == LADDER_SETTING)).scalar()
    return Ladder.from_json(text) if text else DEFAULT_LADDER


def followup_of(clinic: Clinic, row: Referral, ladder: Ladder) -> FollowupDue | None:
    return next_followup(
        ladder=ladder,
        state=State(row.state),
        received_at=row.received_at,
        records_complete=row.records_complete_at is not None,
        hold_reason=row.hold_reason,
        steps_done=row.followups_done or 0,
        last_done_at=row.followup_done_at,
        calendar=clinic.calendar,
    )


def refresh_followup(clinic: Clinic, row: Referral, ladder: Ladder | None = None) -> None:
    """Keep a referral's stored next follow-up in step with the referral."""
    if ladder is None:
        session = object_session(row)
        ladder = current_ladder(session) if session is not None else DEFAULT_LADDER
    due = followup_of(clinic, row, ladder)
    row.followup_step = due.step if due else None
    row.followup_due_at = due.due_at if due else None


def first_followup_columns(
    clinic: Clinic, ladder: Ladder, *, state: State, received_at: datetime, records_complete: bool
) -> tuple[int | None, datetime | None]:
    """followup_step and followup_due_at of a referral written in bulk (no step done yet)."""
    due = next_followup(
        ladder=ladder,
        state=state,
        received_at=received_at,
        records_complete=records_complete,
        hold_reason=None,
        steps_done=0,
        last_done_at=None,
        calendar=clinic.calendar,
    )
    return (due.step, due.due_at) if due else (None, None)


def step_done(
    clinic: Clinic,
    row: Referral,
    outcome: str,
    at: datetime,
    user_id: int,
    note: str = "",
) -> Event | None:
    """Record the referral's current follow-up step as done at `at`, move the ladder on, and
    return its timeline event (for the caller's session); None if no step is due."""
    step = row.followup_step
    if step is None:
        return None
    row.followups_done = step
    row.followup_done_at = max(at, row.followup_done_at or at)
    refresh_followup(clinic, row)
    return Event(
        referral_id=row.id,
        kind="followup_done",
        effective_at=at,
        recorded_at=clinic.now(),
        user_id=user_id,
        reason=note,
        detail=outcome_detail(step, outcome),
    )


def recompute_followups(clinic: Clinic, session: Session, ladder: Ladder | None = None) -> int:
    """After the ladder or the calendar changed, in that change's transaction: the stored
    next follow-up of every open referral still missing records. A derived column, not an
    edit: written without bumping row_version. Returns how many moved."""
    ladder = ladder or current_ladder(session)
    open_states = [s.value for s in State if s.is_open]
    columns = (
        Referral.id,
        Referral.state,
        Referral.received_at,
        Referral.hold_reason,
        Referral.followups_done,
        Referral.followup_done_at,
        Referral.followup_step,
        Referral.followup_due_at,
    )
    moved: list[dict[str, object]] = []
    for rid, state, received, hold, done, done_at, step, due_at in session.execute(
        select(*columns)
        .where(Referral.state.in_(open_states), Referral.records_complete_at.is_(None))
        .execution_options(**{SHOW_UNFINISHED: True})  # an import being written too
    ):
        due = next_followup(
            ladder=ladder,
            state=State(state),
            received_at=received,
            records_complete=False,
            hold_reason=hold,
            steps_done=done or 0,
            last_done_at=done_at,
            calendar=clinic.calendar,
        )
        new = (due.step, due.due_at) if due else (None, None)
        if new != (step, due_at):
            moved.append({"rid": rid, "fstep": new[0], "fdue": new[1]})
    if moved:
        table = Referral.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("rid"))
            .values(followup_step=bindparam("fstep"), followup_due_at=bindparam("fdue")),
            moved,
        )
    return len(moved)
