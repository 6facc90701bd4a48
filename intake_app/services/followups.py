"""Follow-ups of missing records: what is due to chase today, recording one done, the ladder.

The ladder's rules are domain.followups'; each referral's next step and due time are stored
and kept in step by services.followup_due (called from every change that moves them).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from intake_app.domain import DomainError
from intake_app.domain.enums import State
from intake_app.domain.followups import ACTIONS, FollowupDue, Ladder, check_outcome
from intake_app.domain.lifecycle import Timeline, check_event_time
from intake_app.domain.text import forbidden_character
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.followup_due import (
    LADDER_SETTING,
    current_ladder,
    recompute_followups,
    step_done,
)
from intake_app.services.permissions import Permission
from intake_app.services.referrals.queries import ReferralReading
from intake_app.store.models import Partner, Referral, Setting

NOTE_LIMIT = 300  # Event.reason


@dataclass(frozen=True)
class FollowupRow:
    """One follow-up due. Names are empty in de-identified lists."""

    referral_id: int
    step: int
    action: str  # a key of domain.followups.ACTIONS
    due_at: datetime  # the midnight ending the due day, in the clinic's time zone
    due_status: str  # overdue, due_today, upcoming
    partner: str
    phone: str  # the referral's contact number, else the partner's
    fax: str
    missing_items: tuple[str, ...]
    steps_done: int
    last_done_at: datetime | None
    hold_reason: str | None
    received_at: datetime
    held_since: datetime | None = None
    family_name: str = ""
    given_name: str = ""
    row_version: int = 0

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


class Followups(ReferralReading):
    """The follow-ups use cases for one signed-in user."""

    def due(self, day: date | None = None, *, identified: bool = True) -> list[FollowupRow]:
        """Follow-ups due by the end of `day` (clinic time; default today), overdue included,
        soonest due first. Audited as read, one entry per referral listed."""
        self.clinic.require(self.actor, Permission.READ_REFERRALS, "list_followups")
        tz = self.clinic.calendar.tz
        day = day or self.clinic.calendar.local_date(self.clinic.now())
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        open_states = [s.value for s in State if s.is_open]
        with self.clinic.session() as session:
            rows = session.execute(
                select(Referral, Partner)
                .join(Partner)
                .where(
                    Referral.followup_due_at <= end,  # due_at is the midnight ending its day
                    Referral.followup_step.is_not(None),
                    Referral.state.in_(open_states),
                )
                .order_by(Referral.followup_due_at, Referral.id)
            ).all()
            summaries = {s.id: s for s in self._summaries(session, [r.id for r, _ in rows])}
            ladder = current_ladder(session)
        now = self.clinic.now()
        found = []
        for row, partner in rows:
            assert row.followup_step is not None and row.followup_due_at is not None
            due = FollowupDue(
                row.followup_step, _action(ladder, row.followup_step), row.followup_due_at
            )
            summary = summaries[row.id]
            found.append(
                FollowupRow(
                    referral_id=row.id,
                    step=row.followup_step,
                    action=due.action,
                    due_at=due.due_at.astimezone(tz),
                    due_status=due.status(now, self.clinic.calendar),
                    partner=partner.organisation,
                    phone=row.contact_phone or partner.phone,
                    fax=row.contact_fax or partner.fax,
                    missing_items=summary.missing_labels,
                    steps_done=row.followups_done,
                    last_done_at=row.followup_done_at,
                    hold_reason=row.hold_reason,
                    received_at=row.received_at,
                    held_since=row.held_since.astimezone(tz) if row.held_since else None,
                    family_name=row.family_name if identified else "",
                    given_name=row.given_name if identified else "",
                    row_version=row.row_version,
                )
            )
        self._audit_shown("list_followups", [r.referral_id for r in found])
        return found

    def complete(
        self,
        referral_id: int,
        outcome: str,
        note: str = "",
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Record the referral's current follow-up step as done (called, faxed, ...); the
        ladder moves on. Returns the step number done."""
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "followup_done", str(referral_id))
        problems = []
        try:
            check_outcome(outcome)
        except DomainError as exc:
            problems.append(str(exc))
        note = note.strip()
        found = forbidden_character(note, allow="\n")
        if found is not None:
            problems.append(f"note: contains a control or invisible character ({found})")
        if len(note) > NOTE_LIMIT:
            problems.append(f"note: at most {NOTE_LIMIT} characters")
        if problems:
            raise ValidationFailed(problems)
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "followup_done", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            if not State(row.state).is_open:
                raise ServiceError(f"state: the referral is {row.state}; nothing to follow up")
            if row.followup_step is None:
                raise ServiceError(f"followup: no follow-up is due on referral {referral_id}")
            when = at or now
            try:
                check_event_time(
                    when,
                    Timeline(received_at=row.received_at, last_step_at=row.followup_done_at),
                    now,
                    "done_at",
                )
            except DomainError as exc:
                raise ServiceError(str(exc)) from None
            step = row.followup_step
            event = step_done(self.clinic, row, outcome, when, self.actor.user_id, note)
            assert event is not None
            unit.session.add(event)
            flag_modified(row, "state")  # others must reload: bump the version
            return step

    # -- the ladder (a setting) ---------------------------------------------------
    def ladder(self) -> Ladder:
        with self.clinic.session() as session:
            return current_ladder(session)

    def set_ladder(self, ladder: Ladder) -> int:
        """Change the ladder, audited with before and after; the next follow-up of every
        open referral still missing records is recomputed from it (steps already done stay
        done). Returns how many referrals' follow-ups moved."""
        ladder = Ladder.checked(ladder.steps)
        with self.clinic.change_setting(
            self.actor, "set_followup_ladder", "setting", LADDER_SETTING
        ) as change:
            session = change.session
            old = current_ladder(session)
            change.before = [str(s) for s in old.steps]
            change.after = [str(s) for s in ladder.steps]
            if old == ladder:
                return 0
            setting = session.get(Setting, LADDER_SETTING)
            if setting is None:
                session.add(Setting(key=LADDER_SETTING, value=ladder.to_json()))
            else:
                setting.value = ladder.to_json()
            session.flush()
            moved = recompute_followups(self.clinic, session, ladder)
            change.notes["open_referrals_updated"] = moved
            return moved


def _action(ladder: Ladder, step: int) -> str:
    """The action of `step`; a ladder shortened since its due time was stored escalates."""
    return ladder.steps[step - 1].action if step <= len(ladder) else "escalate_lead"
