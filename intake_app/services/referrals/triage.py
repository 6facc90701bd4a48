"""The triage queue and the decisions taken from it (SPEC §3.3-3.5, issue 10 item 3).

The queue is every referral awaiting a triage decision (state new, on hold or not), in the
order triage staff should decide them: proposed priority (urgent first), then the triage due
time, then the receipt time. Accepting is `triage` (workflow.py), declining and redirecting
outside are `close`; what is new here is reading the queue, asking the referrer for more
information, and redirecting to another of the clinic's own service lines.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain.access import NextDue
from intake_app.domain.enums import Priority, State, Trigger, Urgency
from intake_app.domain.holds import HoldReason
from intake_app.domain.priority import propose_priority
from intake_app.services.due import due_columns, stored_due_state
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.services.referrals.corrections import ReferralCorrections, _reason
from intake_app.services.referrals.holds import ReferralHolds
from intake_app.services.referrals.queries import ReferralReading
from intake_app.store.models import Partner, Referral, User

# Urgent first: the rank the queue sorts on, largest first.
PRIORITY_ORDER = {Priority.URGENT.value: 0, Priority.SOON.value: 1, Priority.ROUTINE.value: 2}

# The de-identified CSV's columns (issue 10): no name, no date of birth, no MRN.
QUEUE_CSV_COLUMNS = (
    "id",
    "received_at",
    "service_line",
    "partner",
    "proposed_priority",
    "proposal_reasons",
    "missing_items",
    "triage_due_at",
    "due_status",
    "on_hold",
    "assigned_to",
)
LIST_SEPARATOR = "; "


class QueueScope(StrEnum):
    """Whose referrals the queue shows (SPEC §3.5: unassigned, mine, all)."""

    ALL = "all"
    MINE = "mine"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class QueueRow:
    """One referral awaiting triage, with what the decision needs at a glance."""

    id: int
    row_version: int
    received_at: datetime
    family_name: str
    given_name: str
    date_of_birth: date  # names and birth dates are for the screen, never the CSV
    service_line: str
    partner: str
    proposed_priority: str
    proposal_reasons: tuple[str, ...]
    missing_items: tuple[str, ...]  # labels of the required items not yet received
    waiting: timedelta  # since receipt
    triage_due_at: datetime
    due_status: str  # overdue, due_today, upcoming
    hold_reason: str | None
    held_since: datetime | None
    assigned_to: str | None  # user name

    def csv_cells(self, tz: ZoneInfo) -> tuple[str, ...]:
        """The row as the CSV's cells, in QUEUE_CSV_COLUMNS order (times with offset)."""
        return (
            str(self.id),
            _iso(self.received_at, tz),
            self.service_line,
            self.partner,
            self.proposed_priority,
            LIST_SEPARATOR.join(self.proposal_reasons),
            LIST_SEPARATOR.join(self.missing_items),
            _iso(self.triage_due_at, tz),
            self.due_status,
            self.hold_reason or "",
            self.assigned_to or "",
        )


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds")


class ReferralTriage(ReferralReading, ReferralCorrections, ReferralHolds):
    """The triage queue, and the decisions that are more than one life-cycle step."""

    def triage_queue(self, scope: QueueScope = QueueScope.ALL) -> list[QueueRow]:
        """The referrals awaiting a triage decision, in the order to decide them."""
        self.clinic.require(self.actor, Permission.READ_REFERRALS, "triage_queue")
        now = self.clinic.now()
        with self.clinic.session() as session:
            rows = self._queue_rows(session, scope, now)
        # Who saw which patients (SPEC §6), as for every list: one entry per row shown.
        self._audit_shown("triage_queue", [r.id for r in rows])
        return rows

    def _queue_rows(self, session: Session, scope: QueueScope, now: datetime) -> list[QueueRow]:
        stmt = (
            select(
                Referral.id,
                Referral.row_version,
                Referral.received_at,
                Referral.family_name,
                Referral.given_name,
                Referral.date_of_birth,
                Referral.service_line_key,
                Partner.organisation,
                Referral.proposed_priority,
                Referral.proposal_reasons,
                Referral.hold_reason,
                Referral.held_since,
                Referral.patient_held_seconds,
                User.name,
            )
            .join(Partner, Partner.id == Referral.partner_id)
            .outerjoin(User, User.id == Referral.assigned_to_id)
            # ix_referrals_state_received: the new referrals only, oldest first.
            .where(Referral.state == State.NEW.value)
            .order_by(Referral.received_at, Referral.id)
        )
        if scope is QueueScope.MINE:
            stmt = stmt.where(Referral.assigned_to_id == self.actor.user_id)
        elif scope is QueueScope.UNASSIGNED:
            stmt = stmt.where(Referral.assigned_to_id.is_(None))
        found = session.execute(stmt).all()
        missing = self._missing_labels(session, [r.id for r in found])
        rows = []
        for r in found:
            due_at, due_status = self._triage_due(
                r.service_line_key,
                r.proposed_priority,
                r.received_at,
                r.patient_held_seconds or 0,
                r.hold_reason,
                r.held_since,
            )
            rows.append(
                QueueRow(
                    id=r.id,
                    row_version=r.row_version,
                    received_at=r.received_at,
                    family_name=r.family_name,
                    given_name=r.given_name,
                    date_of_birth=r.date_of_birth,
                    service_line=r.service_line_key,
                    partner=r.organisation,
                    proposed_priority=r.proposed_priority,
                    proposal_reasons=tuple(r.proposal_reasons or ()),
                    missing_items=tuple(missing[r.id]),
                    waiting=max(now - r.received_at, timedelta(0)),
                    triage_due_at=due_at,
                    due_status=due_status,
                    hold_reason=r.hold_reason,
                    held_since=r.held_since,
                    assigned_to=r.name,
                )
            )
        # The triage due time is not a stored column (the stored due time is the *next* step,
        # often the acknowledgement): it follows from the line's target in business days, so
        # the last two keys are ordered here, over the few hundred new referrals a clinic has.
        rows.sort(
            key=lambda q: (
                PRIORITY_ORDER.get(q.proposed_priority, len(PRIORITY_ORDER)),
                q.triage_due_at,
                q.received_at,
                q.id,
            )
        )
        return rows

    def _triage_due(
        self,
        service_line: str,
        proposed: str,
        received_at: datetime,
        patient_held_seconds: int,
        hold_reason: str | None,
        held_since: datetime | None,
    ) -> tuple[datetime, str]:
        """When the triage decision is due, and whether that is overdue, due today or
        upcoming. Through the one due function (domain.access.due_state): patient-unavailable
        time extends it. A held referral's due time is suspended; its status here is that of
        the time it would be due if resumed now (the row says it is on hold besides)."""
        # As if the earlier steps were done: the triage step's own deadline.
        measure, due_at = due_columns(
            self.clinic,
            state=State.NEW,
            service_line=service_line,
            priority=proposed,
            received_at=received_at,
            acknowledged=True,
            records_complete=True,
            patient_held_seconds=patient_held_seconds,
        )
        state = stored_due_state(self.clinic, measure, due_at, hold_reason, held_since)
        assert state is not None and state.measure == "triage"
        status = state.status
        if state.on_hold:
            status = NextDue(state.measure, state.due_at).status(
                self.clinic.now(), self.clinic.calendar
            )
        return state.due_at, status

    def request_information(
        self,
        referral_id: int,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Ask the referrer for more information: a triage decision that puts the referral on
        hold awaiting the referrer (its clock runs on: the wait is not the patient's)."""
        self.clinic.require(self.actor, Permission.TRIAGE, "request_information", str(referral_id))
        with self.clinic.session() as session:
            row = self._load(session, referral_id, expected_version)
            state, version = row.state, row.row_version
        if state != State.NEW.value:
            raise ServiceError(f"state: the referral is {state}, not awaiting triage")
        # The version read with the state: a change before the hold takes the lock refuses it.
        expected_version = version
        self.hold(
            referral_id, HoldReason.AWAITING_REFERRER, at=at, expected_version=expected_version
        )

    def redirect_internally(
        self,
        referral_id: int,
        service_line: str,
        reason: str,
        at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Send the referral to another of the clinic's service lines, still awaiting triage.

        The new line's checklist applies; the items received carry over by key, so records
        may become complete (or incomplete again). The proposal is recomputed.
        """
        self.clinic.require(self.actor, Permission.TRIAGE, "redirect_internally", str(referral_id))
        reason = _reason(reason, "redirect the referral to another service line")
        line = self.clinic.service_lines.get(service_line)
        if line is None:
            choices = ", ".join(sorted(self.clinic.service_lines))
            raise ValidationFailed(
                [f"service_line: {service_line!r} is not an active service line ({choices})"]
            )
        now = self.clinic.now()
        with self.clinic.unit(
            self.actor, "redirect_internally", "referral", str(referral_id)
        ) as unit:
            session = unit.session
            row = self._load(session, referral_id, expected_version)
            if row.state != State.NEW.value:
                raise ServiceError(
                    f"state: the referral is {row.state}; only a referral awaiting triage is "
                    "redirected to another service line (correct the service line instead)"
                )
            if row.service_line_key == service_line:
                raise ValidationFailed([f"service_line: the referral is already on {line.name}"])
            when = at or now
            self._check_time(row, when, now, "redirected_at", after_last_step=True)
            old = row.service_line_key
            row.service_line_key = service_line
            row.checklist_id = self.clinic.checklist_ids[service_line]
            proposal = propose_priority(
                Trigger(row.trigger),
                Urgency(row.referrer_urgency) if row.referrer_urgency else None,
                row.preferred_timeframe_days,
            )
            row.proposed_priority = proposal.priority.value
            row.proposal_reasons = list(proposal.reasons)
            self._event(
                session,
                row,
                "redirected_internally",
                at=when,
                reason=reason,
                detail=f"from {old} to {service_line}"[:120],
            )
            self._recompute_records_complete(session, row, self._checklist(session, row), now)
            self._refresh_due(row)
