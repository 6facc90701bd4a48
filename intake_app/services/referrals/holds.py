"""Holds (clock stops): putting an open referral on hold with a reason, and resuming it.

A hold is a pair of timeline events, never a state: the referral keeps its workflow state,
and its columns carry the open hold (reason, since) and the patient-unavailable time of the
holds already ended, which extends its due time (domain/holds.py says why only that time).
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake_app.domain import DomainError
from intake_app.domain.enums import State
from intake_app.domain.holds import (
    HOLD_ENDED,
    HOLD_EVENTS,
    HOLD_STARTED,
    HoldReason,
    check_hold,
    check_resume,
    clock_stop,
)
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.referrals.base import ReferralBase
from intake_app.store.models import Event, Referral


class ReferralHolds(ReferralBase):
    """Hold and resume; closing and seeing end an open hold through `_end_hold`."""

    def hold(
        self,
        referral_id: int,
        reason: HoldReason,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Put an open referral on hold: `awaiting_referrer` (more information requested) or
        `patient_unavailable` (the patient asked to wait, or cannot attend yet)."""
        self._require_hold_permission("hold", referral_id)
        reason = HoldReason(reason)
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "hold", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            when = at or now
            self._check_time(row, when, now, "at", after_last_step=False)
            try:
                check_hold(
                    is_open=State(row.state).is_open,
                    held_since=row.held_since,
                    at=when,
                    last_hold_event_at=self._last_hold_event_at(unit.session, row.id),
                )
            except DomainError as exc:
                raise ServiceError(str(exc)) from None
            self._event(unit.session, row, HOLD_STARTED, at=when, detail=reason.value)
            row.hold_reason = reason.value
            row.held_since = when
            self._refresh_due(row)

    def resume(
        self, referral_id: int, at: datetime | None = None, expected_version: int | None = None
    ) -> None:
        """Take a referral off hold; patient-unavailable time held extends its due time."""
        self._require_hold_permission("resume", referral_id)
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "resume", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id, expected_version)
            when = at or now
            self._check_time(row, when, now, "at", after_last_step=False)
            try:
                check_resume(held_since=row.held_since, at=when)
            except DomainError as exc:
                raise ServiceError(str(exc)) from None
            self._end_hold(unit.session, row, when)
            self._refresh_due(row)

    def _end_hold(self, session: Session, row: Referral, when: datetime) -> None:
        """End the open hold, if any, at `when` (a hold_ended event). Closing and seeing call
        this before their own event, so the timeline reads hold ended, then the step."""
        if row.held_since is None:
            return
        if when < row.held_since:
            raise ServiceError("at: is before the hold started")
        reason = HoldReason(row.hold_reason)
        self._event(session, row, HOLD_ENDED, at=when, detail=reason.value)
        row.patient_held_seconds = (row.patient_held_seconds or 0) + int(
            clock_stop(reason, row.held_since, when).total_seconds()
        )
        row.hold_reason = None
        row.held_since = None

    def _last_hold_event_at(self, session: Session, referral_id: int) -> datetime | None:
        return session.execute(
            select(func.max(Event.effective_at)).where(
                Event.referral_id == referral_id, Event.kind.in_(HOLD_EVENTS)
            )
        ).scalar_one_or_none()

    def _require_hold_permission(self, action: str, referral_id: int) -> None:
        # Triage asks the referrer for more information; a coordinator records a patient who
        # asks to wait: either permission suffices.
        permission = (
            Permission.EDIT_REFERRAL
            if self.actor.may(Permission.EDIT_REFERRAL)
            else Permission.TRIAGE
        )
        self.clinic.require(self.actor, permission, action, str(referral_id))
