"""The life cycle after intake: documents, acknowledgement, triage, scheduling, closing."""

from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified

from intake_app.domain import DomainError
from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.lifecycle import (
    CLOSE_STATES,
    check_transition,
    require_priority,
    require_reason,
)
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.services.referrals.holds import ReferralHolds


class ReferralWorkflow(ReferralHolds):
    """Steps on an existing referral; each is one audited transaction."""

    def receive_item(
        self,
        referral_id: int,
        item_key: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "receive_item", str(referral_id))
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "receive_item", "referral", str(referral_id)) as unit:
            session = unit.session
            row = self._load(session, referral_id, expected_version)
            if not State(row.state).is_open:
                raise ServiceError(f"state: the referral is {row.state}; reopen it first")
            checklist = self._checklist(session, row)
            if item_key not in {i.key for i in checklist}:
                raise ServiceError(f"item: {item_key!r} is not on this referral's checklist")
            if any(r.item_key == item_key for r in row.receipts):
                raise ServiceError(f"item: {item_key} was already received")
            when = at or now
            self._check_time(row, when, now, "received_at", after_last_step=False)
            self._add_receipt(row, item_key, when, now)
            self._update_records_complete(session, row, checklist)
            self._refresh_due(row)
            # A receipt changes the referral as others see it: bump its version.
            flag_modified(row, "state")

    def acknowledge(
        self,
        referral_id: int,
        at: datetime | None = None,
        detail: str = "",
        expected_version: int | None = None,
    ) -> None:
        """Record an acknowledgement; only the first sets the acknowledged milestone."""
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "acknowledge", str(referral_id))
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "acknowledge", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            if not State(row.state).is_open:
                raise ServiceError(f"state: the referral is {row.state}; it cannot be acknowledged")
            when = at or now
            self._check_time(row, when, now, "acknowledged_at", after_last_step=False)
            if row.acknowledged_at is None:
                row.acknowledged_at = when
            self._event(unit.session, row, "acknowledged", at=when, detail=detail)
            self._refresh_due(row)

    def triage(
        self,
        referral_id: int,
        priority: Priority | None,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.clinic.require(self.actor, Permission.TRIAGE, "triage", str(referral_id))
        self._transition(
            referral_id,
            State.TRIAGED,
            at,
            expected_version=expected_version,
            priority=require_priority(priority),
        )

    def schedule(
        self,
        referral_id: int,
        appointment_at: datetime | None,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.clinic.require(self.actor, Permission.SCHEDULE, "schedule", str(referral_id))
        if appointment_at is None or appointment_at.tzinfo is None:
            raise ValidationFailed(["appointment_at: an appointment time with time zone is needed"])
        self._transition(
            referral_id,
            State.SCHEDULED,
            at,
            expected_version=expected_version,
            appointment_at=appointment_at,
        )

    def mark_seen(
        self,
        referral_id: int,
        at: datetime | None = None,
        expected_version: int | None = None,
        seen_earlier_than_booked: bool = False,
    ) -> None:
        """The first consult happened. Before the booked time only when the user says the
        patient was seen earlier than booked; a slip of the date otherwise."""
        self.clinic.require(self.actor, Permission.SCHEDULE, "mark_seen", str(referral_id))
        self._transition(
            referral_id,
            State.SEEN,
            at,
            expected_version=expected_version,
            seen_earlier=seen_earlier_than_booked,
        )

    def close(
        self,
        referral_id: int,
        reason: CloseReason,
        note: str = "",
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        # Declining or redirecting is a triage decision; withdrawal and no-show are logistics.
        permission = (
            Permission.TRIAGE
            if reason in (CloseReason.DECLINED, CloseReason.REDIRECTED)
            else Permission.SCHEDULE
        )
        self.clinic.require(self.actor, permission, f"close_{reason.value}", str(referral_id))
        self._transition(
            referral_id, CLOSE_STATES[reason], at, expected_version=expected_version, reason=note
        )

    def reopen(
        self,
        referral_id: int,
        reason: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        self.clinic.require(self.actor, Permission.SCHEDULE, "reopen", str(referral_id))
        if not reason.strip():
            raise ValidationFailed(["reason: a reason is needed to reopen a referral"])
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "reopen", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            state = State(row.state)
            if state.is_open:
                raise ServiceError(f"state: the referral is {state.value}, not closed")
            back_to = State(row.closed_from or State.NEW.value)
            when = at or now
            self._check_time(row, when, now, "reopened_at", after_last_step=True)
            self._event(
                unit.session,
                row,
                "reopened",
                at=when,
                from_state=state,
                to_state=back_to,
                reason=reason.strip(),
            )
            row.state = back_to.value
            row.state_changed_at = when
            self._refresh_due(row)
            row.closed_from = None
            row.closed_at = None
            row.close_reason = ""

    def _transition(
        self,
        referral_id: int,
        target: State,
        at: datetime | None,
        *,
        expected_version: int | None = None,
        priority: Priority | None = None,
        appointment_at: datetime | None = None,
        reason: str = "",
        seen_earlier: bool = False,
    ) -> None:
        now = self.clinic.now()
        with self.clinic.unit(
            self.actor, f"to_{target.value}", "referral", str(referral_id)
        ) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            state = State(row.state)
            when = at or now
            try:
                check_transition(state, target)
                note = require_reason(target, reason)
                self._check_time(row, when, now, f"{target.value}_at", after_last_step=True)
            except DomainError as exc:
                raise ServiceError(str(exc)) from None
            if target is State.TRIAGED:
                assert priority is not None
                row.priority = priority.value
                row.triaged_at = row.triaged_at or when
            elif target is State.SCHEDULED:
                assert appointment_at is not None
                if appointment_at < when:
                    raise ServiceError("appointment_at: the appointment is before it was booked")
                row.appointment_at = appointment_at
                row.scheduled_at = row.scheduled_at or when
            elif target is State.SEEN:
                booked = row.appointment_at
                if booked is not None and when < booked and not seen_earlier:
                    local = booked.astimezone(self.clinic.calendar.tz)
                    raise ServiceError(
                        f"seen_at: the appointment is {local:%a %d %b %Y %H:%M}, later than "
                        "the time given; if the patient was seen earlier than booked, say so "
                        "and give the time they were seen"
                    )
                row.seen_at = row.seen_at or when
                row.closed_from = state.value
            else:
                row.closed_at = when
                row.closed_from = state.value
                row.close_reason = note
            detail = ""
            if priority is not None:
                detail = f"priority {priority.value} (proposed {row.proposed_priority})"
            elif appointment_at is not None:
                detail = f"appointment {appointment_at.isoformat()}"
                if state is State.SCHEDULED:
                    detail = "rescheduled: " + detail
            elif target is State.SEEN and row.appointment_at and when < row.appointment_at:
                detail = "seen earlier than booked"
            if target is State.SEEN or not target.is_open:
                self._end_hold(unit.session, row, when)  # closing or seeing ends a hold
            self._event(
                unit.session,
                row,
                "transition",
                at=when,
                from_state=state,
                to_state=target,
                reason=note,
                detail=detail,
            )
            row.state = target.value
            row.state_changed_at = when
            self._refresh_due(row)
