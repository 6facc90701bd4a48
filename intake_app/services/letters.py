"""Letters to referring partners: what to send, and recording that it was printed or saved.

Rendering is rendering/letters.py's; this module gathers the data, chooses the
referrals of a batch, and records each letter on its referral (the first
acknowledgement also sets the acknowledged milestone), all or nothing.

Saving to a file is crash-safe: the letter file is noted as pending in its own transaction
before it is put in place, and recorded with its letters after; a crash in between leaves a
pending note that `settle_pending()` resolves at the next start (file there with the same bytes:
recorded; otherwise: dropped), so a file of letters is never left unrecorded.
"""

import hashlib
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from intake_app.domain.access import NextDue, due_state
from intake_app.domain.enums import State
from intake_app.domain.holds import HoldReason
from intake_app.domain.letters import LetterData, Letterhead, LetterKind
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.due import due_columns, refresh_due
from intake_app.services.errors import NotFound, ServiceError
from intake_app.services.files import temp_path_for, write_private
from intake_app.services.followup_due import step_done
from intake_app.services.permissions import Permission
from intake_app.services.referrals import Referrals
from intake_app.services.views import ReferralSummary
from intake_app.store.models import Event, Partner, PendingLetter, Referral

STATUS_LETTER_STATES = ("triaged", "scheduled", "declined", "redirected")
CRASH_AT_ENV = "INTAKE_TEST_CRASH_AT"
PENDING, RECORDED, DROPPED = "pending", "recorded", "dropped"
_EPSILON = timedelta(microseconds=1)  # a deadline is the midnight that ends its due day


def crash_point(name: str) -> None:
    """Tests end the process here as a power cut would, with INTAKE_TEST_CRASH_AT=name."""
    if os.environ.get(CRASH_AT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


@dataclass(frozen=True)
class SettledLetter:
    """A letter file left pending by a program that stopped, and what became of it."""

    kind: LetterKind
    referral_ids: tuple[int, ...]
    path: Path
    recorded: bool  # the file was in place: its letters are now recorded; else nothing was

    def describe(self) -> str:
        count = len(self.referral_ids)
        letters = f"{count} {self.kind.value} letter{'s' if count != 1 else ''}"
        if self.recorded:
            return f"{letters} saved to {self.path} before the program stopped: now recorded"
        verb = "was" if count == 1 else "were"
        return (
            f"{letters} for {self.path} {verb} not saved before the program stopped: not recorded"
        )


class Letters:
    def __init__(self, signed_in: SignedIn, letterhead: Letterhead | None = None) -> None:
        self.signed_in = signed_in
        self.clinic = signed_in.clinic
        self.actor = signed_in.actor
        self._letterhead = letterhead

    @property
    def letterhead(self) -> Letterhead:
        # Loaded when first needed: settling pending letters at every start needs no reportlab.
        if self._letterhead is None:
            from intake_app.rendering.letters import load_letterhead

            self._letterhead = load_letterhead()
        return self._letterhead

    # -- what a letter says ---------------------------------------------------
    def _data_for(self, referral_id: int, kind: LetterKind) -> LetterData:
        """What the letter says; unaudited, as render() audits the batch in one go."""
        self.clinic.require(self.actor, Permission.SEND_LETTERS, f"letter_{kind.value}")
        detail = Referrals(self.signed_in).read_unaudited(referral_id)
        summary = detail.summary
        tz = self.clinic.calendar.tz
        if kind is LetterKind.STATUS and summary.state not in STATUS_LETTER_STATES:
            raise ServiceError(
                f"state: a status letter is for a triaged, scheduled, declined or redirected "
                f"referral; this one is {summary.state}"
            )
        if kind is LetterKind.MISSING_RECORDS and not summary.missing_labels:
            raise ServiceError("items: nothing required is missing; no request to send")
        if kind is LetterKind.CONSULT_COMPLETED and summary.state != State.SEEN.value:
            raise ServiceError(
                f"state: a consult-completed letter is for a referral seen in consult; "
                f"this one is {summary.state}"
            )
        with self.clinic.session() as session:
            partner = session.execute(
                select(Partner).join(Referral).where(Referral.id == referral_id)
            ).scalar_one()
            address = tuple(line for line in partner.address.splitlines() if line.strip())
            partner_fax = detail.contact_fax or partner.fax
            held_seconds = session.execute(
                select(Referral.patient_held_seconds).where(Referral.id == referral_id)
            ).scalar_one()
        received_day = self.clinic.calendar.local_date(summary.received_at)
        line = self.clinic.service_lines.get(summary.service_line)
        next_step, next_by = self._next_step(summary, received_day, held_seconds or 0)
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
            seen_on=self.clinic.calendar.local_date(detail.seen_at) if detail.seen_at else None,
        )

    def _next_step(
        self, summary: ReferralSummary, received: date, patient_held_seconds: int
    ) -> tuple[str, date | None]:
        state = summary.state
        if state == State.TRIAGED.value:
            return ("booking a first consultation with our oncology team", None)
        if state != State.NEW.value:
            return ("the first consultation, as booked", None)
        calendar = self.clinic.calendar
        moment = datetime.combine(received, time(12), tzinfo=calendar.tz)
        measure, due_at = due_columns(
            self.clinic,
            state=State.NEW,
            service_line=summary.service_line,
            priority=summary.priority or summary.proposed_priority,
            received_at=moment,
            acknowledged=True,
            records_complete=True,
            patient_held_seconds=patient_held_seconds,
        )
        due = due_state(
            NextDue(measure, due_at) if measure and due_at else None,
            now=self.clinic.now(),
            calendar=calendar,
            hold_reason=summary.hold_reason,
            held_since=summary.held_since,
        )
        # A target day already past, or suspended by a hold, is no promise to put in a letter.
        if due is None or due.on_hold or due.status == "overdue":
            return ("triage by our oncology team", None)
        return ("triage by our oncology team", calendar.local_date(due.due_at - _EPSILON))

    # -- producing and recording ------------------------------------------------
    def render(
        self,
        referral_ids: Sequence[int],
        kind: LetterKind,
        progress: Callable[[int, int], bool] | None = None,
    ) -> bytes | None:
        """One PDF with one letter per referral, in the order given.

        `progress(done, total)` is called after each letter's data is gathered; if it returns
        False the work stops and None is returned (nothing has been recorded). The letters are
        audited as read (`letter_<kind>_rendered`, one entry per referral, one transaction):
        in the application this is the preview.
        """
        from intake_app.rendering.letters import render_batch, render_letter

        self.clinic.refresh_access_settings()  # the triage date a letter promises
        letters = []
        for done, referral_id in enumerate(referral_ids, start=1):
            letters.append(self._data_for(referral_id, kind))
            if progress is not None and not progress(done, len(referral_ids)):
                return None
        if not letters:
            raise ServiceError("letters: there is nothing to print")
        with self.clinic.write(f"letter_{kind.value}") as session:
            self._audit(session, f"letter_{kind.value}_rendered", referral_ids)
        if len(letters) == 1:
            return render_letter(letters[0], self.letterhead)
        return render_batch(letters, self.letterhead)

    def record(self, referral_ids: Sequence[int], kind: LetterKind, how: str) -> None:
        """Note on each referral that its letter was printed or saved; all or nothing.

        The first acknowledgement sets the referral's acknowledged time.
        """
        self.clinic.require(self.actor, Permission.SEND_LETTERS, f"letter_{kind.value}")
        with self.clinic.write(f"letter_{kind.value}") as session:
            self._record_in(session, referral_ids, kind, how, self.clinic.now())

    def _record_in(
        self,
        session: Session,
        referral_ids: Sequence[int],
        kind: LetterKind,
        how: str,
        at: datetime,
        *,
        user_id: int | None = None,
        action: str | None = None,
    ) -> None:
        """The letters' events, the first acknowledgement and their audit entries, in the
        caller's transaction. `at` is when the letters went out; `user_id` who sent them."""
        now = self.clinic.now()
        rows = {
            r.id: r
            for r in session.execute(
                select(Referral).where(Referral.id.in_(list(referral_ids)))
            ).scalars()
        }
        sender = self.actor.user_id if user_id is None else user_id
        for referral_id in referral_ids:
            row = rows.get(referral_id)
            if row is None:
                raise NotFound(f"referral {referral_id} does not exist")
            session.add(self._event(row.id, "letter", at, f"{kind.value} {how}", now, sender))
            if kind is LetterKind.ACKNOWLEDGEMENT and row.acknowledged_at is None:
                row.acknowledged_at = at
                session.add(self._event(row.id, "acknowledged", at, "letter", now, sender))
                refresh_due(self.clinic, row)
            if kind is LetterKind.MISSING_RECORDS:
                # The request is itself the follow-up due: it moves the ladder on.
                done = step_done(self.clinic, row, "letter_sent", at, sender)
                if done is not None:
                    session.add(done)
        self._audit(session, action or f"letter_{kind.value}_{how}", referral_ids)

    def _audit(self, session: Session, action: str, referral_ids: Sequence[int]) -> None:
        """One entry per referral, by the signed-in user, in the caller's transaction."""
        audit.append_many(
            session,
            self.clinic.audit_key,
            [(action, "referral", str(i)) for i in referral_ids],
            at=self.clinic.now(),
            user_name=self.actor.name,
            workstation=self.clinic.workstation,
        )

    def _event(
        self, referral_id: int, kind: str, at: datetime, detail: str, now: datetime, user_id: int
    ) -> Event:
        return Event(
            referral_id=referral_id,
            kind=kind,
            effective_at=at,
            recorded_at=now,
            user_id=user_id,
            reason="",
            detail=detail,
        )

    # -- saving to a file, crash-safe ----------------------------------------------
    def save(self, referral_ids: Sequence[int], kind: LetterKind, pdf: bytes, path: Path) -> None:
        """Write the letters to `path` (owner-only) and record them as saved; both or neither.

        Three steps, each durable before the next: note the file as pending (its own
        transaction), put the file in place, then record the letters and settle the note (one
        transaction). A crash after the first step is settled by `settle_pending()`.
        """
        self.clinic.require(self.actor, Permission.SEND_LETTERS, f"letter_{kind.value}")
        ids = list(referral_ids)
        path = path.absolute()
        if not path.parent.is_dir():
            raise ServiceError(f"out: folder {path.parent} does not exist")
        pending_id = self._note_pending(ids, kind, path, hashlib.sha256(pdf).hexdigest())
        crash_point("after_pending")
        placed = False
        try:
            write_private(
                path,
                pdf,
                temp=_temp_for(path, pending_id),
                before_replace=lambda: crash_point("before_replace"),
            )
            placed = True
            crash_point("after_write")
            with self.clinic.write("letter_record") as session:
                # Another start may have settled it meanwhile as dropped (it saw no file yet):
                # the file is in place now, so it is recorded after all, but never twice.
                if self._settle(session, pending_id, RECORDED, (PENDING, DROPPED)):
                    self._record_in(session, ids, kind, "saved", self.clinic.now())
        except BaseException:
            if placed:
                path.unlink(missing_ok=True)
            self._drop_quietly(pending_id)
            raise
        crash_point("after_record")

    def settle_pending(self) -> list[SettledLetter]:
        """Letter files this workstation left pending: record those in place with the bytes
        noted, drop the others; each audited. Whoever is signed in does this, whatever their
        role: it finishes (or undoes) what an authorised user began.

        A save still running in another program here may be dropped in the instant before its
        file is in place; removing its temporary file then makes that save fail, so the end is
        still consistent (no file, no record) and that program says the save failed."""
        with self.clinic.session() as session:
            rows = list(
                session.execute(
                    select(PendingLetter)
                    .where(
                        PendingLetter.status == PENDING,
                        PendingLetter.workstation == self.clinic.workstation,
                    )
                    .order_by(PendingLetter.id)
                ).scalars()
            )
        settled = []
        for row in rows:
            path, kind, ids = Path(row.path), LetterKind(row.kind), list(row.referral_ids)
            try:
                in_place = _digest(path) == row.sha256
            except OSError:
                continue  # there but unreadable now: settle it when it can be read
            outcome = RECORDED if in_place else DROPPED
            with self.clinic.write("letter_record") as session:
                if not self._settle(session, row.id, outcome, (PENDING,)):
                    continue  # its own program settled it meanwhile
                if in_place:
                    self._record_in(
                        session,
                        ids,
                        kind,
                        "saved",
                        row.created_at,
                        user_id=row.user_id,
                        action=f"letter_{kind.value}_saved_late",
                    )
                else:
                    self._audit(session, f"letter_{kind.value}_dropped", ids)
            if not in_place:
                _temp_for(path, row.id).unlink(missing_ok=True)
            settled.append(SettledLetter(kind, tuple(ids), path, in_place))
        return settled

    def _note_pending(self, ids: list[int], kind: LetterKind, path: Path, sha256: str) -> int:
        with self.clinic.write("letter_record") as session:
            row = PendingLetter(
                kind=kind.value,
                referral_ids=ids,
                path=str(path),
                sha256=sha256,
                workstation=self.clinic.workstation,
                user_id=self.actor.user_id,
                created_at=self.clinic.now(),
                status=PENDING,
            )
            session.add(row)
            session.flush()
            return row.id

    def _settle(
        self, session: Session, pending_id: int, outcome: str, if_in: tuple[str, ...]
    ) -> bool:
        """Mark the note settled unless someone else did; True if this call did."""
        result = session.execute(
            update(PendingLetter)
            .where(PendingLetter.id == pending_id, PendingLetter.status.in_(if_in))
            .values(status=outcome, settled_at=self.clinic.now())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _drop_quietly(self, pending_id: int) -> None:
        """After a failed save: nothing is in place and nothing recorded. If even this fails,
        the note stays pending and the next start drops it."""
        try:
            with self.clinic.write("letter_record") as session:
                self._settle(session, pending_id, DROPPED, (PENDING,))
        except Exception:
            pass  # the failure to report is the save's, already on its way up

    # -- batches -----------------------------------------------------------------
    def unacknowledged_received_on(self, day: date) -> list[int]:
        """Open referrals received on `day` (clinic time) not yet acknowledged, by partner
        then patient."""
        self.clinic.require(self.actor, Permission.SEND_LETTERS, "letter_batch")
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
        self.clinic.require(self.actor, Permission.SEND_LETTERS, "letter_batch")
        if business_days < 0:
            raise ServiceError("older-than: give 0 or more business days")
        calendar = self.clinic.calendar
        today = calendar.local_date(self.clinic.now())
        cutoff = today
        while calendar.business_days_between(cutoff, today) < business_days:
            cutoff -= timedelta(days=1)
        end = datetime.combine(cutoff + timedelta(days=1), time(0), tzinfo=calendar.tz)
        # A patient who asked to wait is not chased for records (SPEC §3.5: their clock is
        # stopped); a referral awaiting the referrer is.
        not_patient_held = or_(
            Referral.hold_reason.is_(None),
            Referral.hold_reason != HoldReason.PATIENT_UNAVAILABLE.value,
        )
        return self._ordered(
            Referral.received_at < end, Referral.records_complete_at.is_(None), not_patient_held
        )

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


def _temp_for(path: Path, pending_id: int) -> Path:
    """Named after its note, so that settling a dropped note can remove a half-written file."""
    return temp_path_for(path, f"pending-{pending_id}")


def _digest(path: Path) -> str | None:
    """The file's SHA-256, or None if there is no such file."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return digest.hexdigest()
