"""What every referral use case shares: the signed-in user, loading, events and checks."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake_app.domain import DomainError
from intake_app.domain.checklists import ChecklistItem as DomainItem
from intake_app.domain.checklists import assess
from intake_app.domain.enums import State
from intake_app.domain.lifecycle import Timeline, check_event_time
from intake_app.services.auth import SignedIn
from intake_app.services.due import refresh_due, row_due_state
from intake_app.services.errors import ConcurrentEdit, NotFound, ServiceError
from intake_app.services.views import ReferralSummary
from intake_app.store.models import ChecklistItem, Event, ItemReceipt, Partner, Referral


class ReferralBase:
    """The referral use cases for one signed-in user: state and helpers they share."""

    def __init__(self, signed_in: SignedIn) -> None:
        self.clinic = signed_in.clinic
        self.actor = signed_in.actor

    # -- helpers shared by the use cases -------------------------------------
    def _summaries(self, session: Session, ids: list[int]) -> list[ReferralSummary]:
        """Summaries of the referrals `ids`, in that order."""
        if not ids:
            return []
        rows = session.execute(
            select(Referral, Partner.organisation).join(Partner).where(Referral.id.in_(ids))
        ).all()
        received = (
            select(ItemReceipt.id)
            .where(
                ItemReceipt.referral_id == Referral.id, ItemReceipt.item_key == ChecklistItem.key
            )
            .correlate(Referral, ChecklistItem)
        )
        missing: dict[int, list[str]] = {i: [] for i in ids}
        for referral_id, label in session.execute(
            select(Referral.id, ChecklistItem.label)
            .join(ChecklistItem, ChecklistItem.checklist_id == Referral.checklist_id)
            .where(Referral.id.in_(ids), ChecklistItem.required.is_(True), ~received.exists())
            .order_by(Referral.id, ChecklistItem.position)
        ):
            missing[referral_id].append(label)
        by_id = {r.id: self._summary(r, org, tuple(missing[r.id])) for r, org in rows}
        return [by_id[i] for i in ids]

    def _check_time(
        self,
        row: Referral,
        when: datetime,
        now: datetime,
        field_name: str,
        *,
        after_last_step: bool,
    ) -> None:
        timeline = Timeline(
            received_at=row.received_at,
            last_step_at=row.state_changed_at if after_last_step else None,
        )
        try:
            check_event_time(when, timeline, now, field_name)
        except DomainError as exc:
            raise ServiceError(str(exc)) from None

    def _load(
        self, session: Session, referral_id: int, expected_version: int | None = None
    ) -> Referral:
        row = session.get(Referral, referral_id)
        if row is None:
            raise NotFound(f"referral {referral_id} does not exist")
        if expected_version is not None and row.row_version != expected_version:
            raise ConcurrentEdit(
                f"referral {referral_id} was changed by someone else; reload it and try again"
            )
        return row

    def _checklist(self, session: Session, row: Referral) -> tuple[DomainItem, ...]:
        items = session.execute(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id == row.checklist_id)
            .order_by(ChecklistItem.position)
        ).scalars()
        return tuple(DomainItem(i.key, i.label, i.required) for i in items)

    def _add_receipt(self, row: Referral, key: str, at: datetime, now: datetime) -> None:
        # The receipt is itself the event (both times, the user); the timeline shows it.
        row.receipts.append(
            ItemReceipt(item_key=key, received_at=at, recorded_at=now, user_id=self.actor.user_id)
        )

    def _update_records_complete(
        self, session: Session, row: Referral, checklist: tuple[DomainItem, ...]
    ) -> None:
        received = {r.item_key: r.received_at for r in row.receipts}
        result = assess(checklist, received)
        if result.complete and row.records_complete_at is None:
            complete_at = result.records_complete_at or row.received_at
            row.records_complete_at = max(complete_at, row.received_at)
            self._event(session, row, "records_complete", at=row.records_complete_at)

    def _refresh_due(self, row: Referral) -> None:
        refresh_due(self.clinic, row)

    def _event(
        self,
        session: Session,
        row: Referral,
        kind: str,
        *,
        at: datetime,
        from_state: State | None = None,
        to_state: State | None = None,
        reason: str = "",
        detail: str = "",
    ) -> None:
        session.add(
            Event(
                referral_id=row.id,
                kind=kind,
                from_state=from_state.value if from_state else None,
                to_state=to_state.value if to_state else None,
                effective_at=at,
                recorded_at=self.clinic.now(),
                user_id=self.actor.user_id,
                reason=reason,
                detail=detail,
            )
        )

    def _summary(
        self, row: Referral, organisation: str, missing: tuple[str, ...]
    ) -> ReferralSummary:
        due = row_due_state(self.clinic, row)
        return ReferralSummary(
            id=row.id,
            received_at=row.received_at,
            family_name=row.family_name,
            given_name=row.given_name,
            date_of_birth=row.date_of_birth,
            mrn=row.mrn,
            service_line=row.service_line_key,
            partner=organisation,
            channel=row.channel,
            state=row.state,
            priority=row.priority,
            proposed_priority=row.proposed_priority,
            missing_required=len(missing),
            missing_labels=missing,
            next_due=due.measure if due else None,
            due_at=due.due_at if due else None,
            due_status=due.status if due else None,
            hold_reason=row.hold_reason,
            held_since=(
                row.held_since.astimezone(self.clinic.calendar.tz) if row.held_since else None
            ),
        )
