"""After targets or closures change: the due times of the open referrals they affect."""

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from intake_app.domain.enums import State
from intake_app.domain.targets import ALL_LINES
from intake_app.services.clinic import Clinic
from intake_app.services.due import DUE_INPUTS, due_of
from intake_app.services.followup_due import recompute_followups
from intake_app.services.settings.access import bump_revision, load_access_settings
from intake_app.store.models import Referral
from intake_app.store.visibility import SHOW_UNFINISHED

OPEN_STATES = tuple(s.value for s in State if s.is_open)


def settings_changed(
    clinic: Clinic,
    session: Session,
    *,
    service_line: str | None = None,
    priority: str | None = None,
    measure: str | None = None,
) -> int:
    """In the change's transaction: tell other workstations, use the new settings here, and
    recompute the stored next due time of the open referrals a change of the target
    (service line, priority, measure) or, with none given, of the calendar can move.

    History stays: closed referrals have no due time, and a milestone already reached is not
    due. Returns how many referrals' due times moved.
    """
    bump_revision(session)
    clinic.use_access_settings(load_access_settings(session))
    # An import still being written gets the new due times too, before it is shown.
    stmt = (
        select(Referral.id, Referral.next_due, Referral.due_at, *DUE_INPUTS)
        .where(Referral.state.in_(OPEN_STATES))
        .execution_options(**{SHOW_UNFINISHED: True})
    )
    if measure is not None:
        stmt = stmt.where(Referral.next_due == measure)
    if priority is not None:
        stmt = stmt.where(func.coalesce(Referral.priority, Referral.proposed_priority) == priority)
    if service_line not in (None, ALL_LINES):
        stmt = stmt.where(Referral.service_line_key == service_line)
    moved: list[dict[str, object]] = []
    for row in session.execute(stmt):
        after = due_of(clinic, row)  # the one rule for due times, holds included
        if after != (row.next_due, row.due_at):
            moved.append({"rid": row.id, "measure": after[0], "due": after[1]})
    # Derived columns, not an edit: written without bumping row_version, so nobody working
    # on one of these referrals is told someone else changed it.
    if moved:
        table = Referral.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("rid"))
            .values(next_due=bindparam("measure"), due_at=bindparam("due")),
            moved,
        )
    if measure is None and priority is None and service_line is None:
        # The calendar changed (a closure): follow-ups count business days too.
        recompute_followups(clinic, session)
    return len(moved)
