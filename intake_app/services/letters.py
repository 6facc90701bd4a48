"""Letters to referring partners: what to send, and recording that it was printed or saved.

Rendering is rendering/letters.py's; this module gathers the data, chooses the
referrals of a batch, and records each letter on its referral (the first
acknowledgement also sets the acknowledged milestone), all or nothing.
"""

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from intake_app.domain.enums import State
from intake_app.domain.letters import LetterData, Letterhead, LetterKind
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.due import due_columns, refresh_due
from intake_app.services.errors import NotFound, ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.referrals import Referrals
from intake_app.store.models import Event, Partner, Referral

STATUS_LETTER_STATES = ("triaged", "scheduled", "declined", "redirected")


class Letters:
    def __init__(self, signed_in: SignedIn, letterhead: Letterhead | None = None) -> None:
        from intake_app.rendering.letters import load_letterhead

        self.signed_in = signed_in
        self.clinic = signed_in.clinic
        self.actor = signed_in.actor
        self.letterhead = letterhead or load_letterhead()

    # -- what a letter says ---------------------------------------------------
    def data_for(self, referral_id: int, kind: LetterKind) -> LetterData:
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, f"letter_{kind.value}")
        detail = Referrals(self.signed_in).get(referral_id)
        summary = detail.summary
        tz = self.clinic.calendar.tz
        if kind is LetterKind.STATUS and summary.state not in STATUS_LETTER_STATES:
            raise ServiceError(
                f"state: a status letter is for a triaged, scheduled, declined or redirected "
                f"referral; this one is {summary.state}"
            )
        if kind is LetterKind.MISSING_RECORDS and not summary.missing_labels:
            raise ServiceError("items: nothing required is missing; no request to send")
        with self.clinic.session() as session:
            partner = session.execute(
                select(Partner).join(Referral).where(Referral.id == referral_id)
            ).scalar_one()
            address = tuple(line for line in partner.address.splitlines() if line.strip())
            partner_fax = detail.contact_fax or partner.fax
        received_day = self.clinic.calendar.local_date(summary.received_at)
        line = self.clinic.service_lines.get(summary.service_line)
        next_step, next_by = self._next_step(
            summary.state,
            summary.service_line,
            summary.priority or summary.proposed_priority,
            received_day,
        )
        return LetterData(
            kind=kind,
            reference=reference(referral_id),
            letter_date=self.clinic.now().astimezone(tz).date(),
            partner=summary.partner,
            clinician=detail.referring_clinician,
            recipient_lines=address,
            partner_fax=partner_fax,
            patient_name=f"{summary.given_name} {summary.family_name}",
            patient_birth_date=summary.date_of_birth,
            diagnosis=detail.diagnosis,
            received_on=received_day,
            service_line=line.name if line else summary.service_line,
            missing_items=summary.missing_labels,
            next_step=next_step,
            next_step_by=next_by,
            status=summary.state if kind is LetterKind.STATUS else "",
            priority=summary.priority or "",
            appointment_at=detail.appointment_at.astimezone(tz) if detail.appointment_at else None,
            reason=detail.close_reason,
        )

    def _next_step(
        self, state: str, service_line: str, priority: str, received: date
    ) -> tuple[str, date | None]:
        if state == State.TRIAGED.value:
            return ("booking a first consultation with our oncology team", None)
        if state != State.NEW.value:
            return ("the first consultation, as booked", None)
        moment = datetime.combine(received, time(12), tzinfo=self.clinic.calendar.tz)
        due = due_columns(
            self.clinic,
            state=State.NEW,
            service_line=service_line,
            priority=priority,
            received_at=moment,
            acknowledged=True,
            records_complete=True,
        )[1]
        by = (
            (due - timedelta(microseconds=1)).astimezone(self.clinic.calendar.tz).date()
            if due
            else None
        )
        today = self.clinic.calendar.local_date(self.clinic.now())
        # A target day already past is no promise to put in a letter.
        return ("triage by our oncology team", by if by and by >= today else None)

    # -- producing and recording ------------------------------------------------
    def render(
        self,
        referral_ids: Sequence[int],
        kind: LetterKind,
        progress: Callable[[int, int], bool] | None = None,
    ) -> bytes | None:
        """One PDF with one letter per referral, in the order given.

        `progress(done, total)` is called after each letter's data is gathered; if it returns
        False the work stops and None is returned (nothing has been recorded).
        """
        from intake_app.rendering.letters import render_batch, render_letter

        letters = []
        for done, referral_id in enumerate(referral_ids, start=1):
            letters.append(self.data_for(referral_id, kind))
            if progress is not None and not progress(done, len(referral_ids)):
                return None
        if not letters:
            raise ServiceError("letters: there is nothing to print")
        if len(letters) == 1:
            return render_letter(letters[0], self.letterhead)
        return render_batch(letters, self.letterhead)

    def record(self, referral_ids: Sequence[int], kind: LetterKind, how: str) -> None:
        """Note on each referral that its letter was printed or saved; all or nothing.

        The first acknowledgement sets the referral's acknowledged time.
        """
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, f"letter_{kind.value}")
        now = self.clinic.now()
        with self.clinic.write(f"letter_{kind.value}") as session:
            rows = {
                r.id: r
                for r in session.execute(
                    select(Referral).where(Referral.id.in_(list(referral_ids)))
                ).scalars()
            }
            for referral_id in referral_ids:
                row = rows.get(referral_id)
                if row is None:
                    raise NotFound(f"referral {referral_id} does not exist")
                session.add(self._event(row.id, "letter", now, f"{kind.value} {how}"))
                if kind is LetterKind.ACKNOWLEDGEMENT and row.acknowledged_at is None:
                    row.acknowledged_at = now
                    session.add(self._event(row.id, "acknowledged", now, "letter"))
                    refresh_due(self.clinic, row)
            audit.append_many(
                session,
                self.clinic.audit_key,
                [(f"letter_{kind.value}_{how}", "referral", str(i)) for i in referral_ids],
                at=now,
                user_name=self.actor.name,
                workstation=self.clinic.workstation,
            )

    def _event(self, referral_id: int, kind: str, at: datetime, detail: str) -> Event:
        return Event(
            referral_id=referral_id,
            kind=kind,
            effective_at=at,
            recorded_at=at,
            user_id=self.actor.user_id,
            reason="",
            detail=detail,
        )

    # -- batches -----------------------------------------------------------------
    def unacknowledged_received_on(self, day: date) -> list[int]:
        """Open referrals received on `day` (clinic time) not yet acknowledged, by partner
        then patient."""
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "letter_batch")
        tz = self.clinic.calendar.tz
        start = datetime.combine(day, time(0), tzinfo=tz)
        end = start + timedelta(days=1)
        return self._ordered(
            Referral.received_at >= start,
            Referral.received_at < end,
            Referral.acknowledged_at.is_(None),
        )

    def missing_records_older_than(self, business_days: int) -> list[int]:
        """Open referrals still missing required items `business_days` after receipt."""
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "letter_batch")
        if business_days < 0:
            raise ServiceError("older-than: give 0 or more business days")
        calendar = self.clinic.calendar
        today = calendar.local_date(self.clinic.now())
        cutoff = today
        while calendar.business_days_between(cutoff, today) < business_days:
            cutoff -= timedelta(days=1)
        end = datetime.combine(cutoff + timedelta(days=1), time(0), tzinfo=calendar.tz)
        return self._ordered(Referral.received_at < end, Referral.records_complete_at.is_(None))

    def _ordered(self, *conditions: object) -> list[int]:
        open_states = [s.value for s in State if s.is_open]
        with self.clinic.session() as session:
            return list(
                session.execute(
                    select(Referral.id)
                    .join(Partner)
                    .where(Referral.state.in_(open_states), *conditions)  # type: ignore[arg-type]
                    .order_by(
                        Partner.organisation, Referral.family_key, Referral.given_key, Referral.id
                    )
                ).scalars()
            )


def reference(referral_id: int) -> str:
    return f"R-{referral_id:06d}"
