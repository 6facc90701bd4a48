"""Referral use cases: log, documents, acknowledge, triage, schedule, seen, close, reopen, read."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from intake_app.domain import DomainError
from intake_app.domain.access import NextDue
from intake_app.domain.checklists import ChecklistItem as DomainItem
from intake_app.domain.checklists import assess
from intake_app.domain.enums import CloseReason, Priority, State
from intake_app.domain.intake import IntakeData, normalise_mrn
from intake_app.domain.lifecycle import (
    CLOSE_STATES,
    Timeline,
    check_event_time,
    check_transition,
    require_priority,
    require_reason,
)
from intake_app.domain.priority import propose_priority
from intake_app.domain.text import prefix_upper_bound, search_key
from intake_app.services.actions import ActionState, available_actions
from intake_app.services.auth import SignedIn
from intake_app.services.due import refresh_due
from intake_app.services.errors import ConcurrentEdit, NotFound, ServiceError, ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.services.views import (
    ChecklistLine,
    Page,
    ReferralDetail,
    ReferralSummary,
    TimelineEvent,
)
from intake_app.store.models import ChecklistItem, Event, ItemReceipt, Partner, Referral, User


class DuplicateChoice(StrEnum):
    LINK = "link"  # a new referral, linked to the existing one
    MERGE = "merge"  # no new referral: documents go onto the existing one
    KEEP_BOTH = "keep_both"


class DuplicateSuspected(ServiceError):
    """The patient already has an open referral; the user must choose what to do."""

    def __init__(self, candidates: list[ReferralSummary]) -> None:
        ids = ", ".join(str(c.id) for c in candidates)
        super().__init__(
            f"patient already has an open referral ({ids}); choose link, merge or keep both"
        )
        self.candidates = candidates


SORT_COLUMNS = {
    "received": Referral.received_at,
    "patient": Referral.family_name,
    "service_line": Referral.service_line_key,
    "partner": Partner.organisation,
    "channel": Referral.channel,
    "status": Referral.state,
    "priority": Referral.priority,
    "due": Referral.due_at,
    "id": Referral.id,
}


@dataclass(frozen=True)
class ReferralQuery:
    states: tuple[State, ...] = ()
    open_only: bool = False
    service_lines: tuple[str, ...] = ()
    priorities: tuple[Priority, ...] = ()
    incomplete_only: bool = False
    overdue_only: bool = False  # due now or earlier
    due_by: datetime | None = None  # with overdue_only: due before this (e.g. end of today)
    mine_recent_days: int | None = None  # logged by the signed-in user in the last N days
    search: str = ""
    sort: str = "received"
    descending: bool = True
    offset: int = 0
    limit: int = 200
    extra: dict[str, str] = field(default_factory=dict)


class Referrals:
    """The referral use cases for one signed-in user."""

    def __init__(self, signed_in: SignedIn) -> None:
        self.clinic = signed_in.clinic
        self.actor = signed_in.actor

    # -- reading ------------------------------------------------------------
    def page(self, query: ReferralQuery = ReferralQuery()) -> Page:
        """One page of referrals matching `query`, and how many match in all."""
        self.clinic.require(self.actor, Permission.READ_REFERRALS, "list_referrals")
        sort_col = SORT_COLUMNS.get(query.sort)
        if sort_col is None:
            raise ServiceError(f"sort: {query.sort!r} is not one of {', '.join(SORT_COLUMNS)}")
        with self.clinic.session() as session:
            conditions = self._conditions(session, query)
            total = session.execute(select(func.count(Referral.id)).where(*conditions)).scalar_one()
            order = sort_col.desc() if query.descending else sort_col.asc()
            if sort_col is Referral.due_at:
                order = order.nulls_last()  # closed referrals have nothing due
            tie = Referral.id.desc() if query.descending else Referral.id.asc()
            # Two steps: choose the page's ids on narrow rows, then load only those rows.
            # Sorting full rows with their missing counts cost 2.8x more on SQLCipher.
            ids_stmt = select(Referral.id).where(*conditions).order_by(order, tie)
            if sort_col is Partner.organisation:
                ids_stmt = ids_stmt.join(Partner)
            ids = list(session.execute(ids_stmt.offset(query.offset).limit(query.limit)).scalars())
            summaries = tuple(self._summaries(session, ids))
        return Page(summaries, total)

    def _conditions(self, session: Session, query: ReferralQuery) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if query.states:
            conditions.append(Referral.state.in_([s.value for s in query.states]))
        if query.open_only:
            conditions.append(Referral.state.in_([s.value for s in State if s.is_open]))
        if query.service_lines:
            conditions.append(Referral.service_line_key.in_(query.service_lines))
        if query.priorities:
            conditions.append(Referral.priority.in_([p.value for p in query.priorities]))
        if query.incomplete_only:
            conditions.append(Referral.records_complete_at.is_(None))
        if query.overdue_only:
            conditions.append(Referral.due_at < (query.due_by or self.clinic.now()))
        if query.mine_recent_days is not None:
            since = self.clinic.now() - timedelta(days=query.mine_recent_days)
            conditions.append(Referral.created_by == self.actor.user_id)
            conditions.append(Referral.recorded_at >= since)
        term = search_key(query.search)
        if term:
            # Each branch is a prefix range on its own index; as one id set, the planner
            # reads only matching rows instead of testing every open referral.
            upper = prefix_upper_bound(term)
            mrn = query.search.strip().upper()
            branches = [
                select(Referral.id).where(Referral.family_key >= term, Referral.family_key < upper),
                select(Referral.id).where(Referral.given_key >= term, Referral.given_key < upper),
                select(Referral.id).where(
                    Referral.mrn >= mrn, Referral.mrn < prefix_upper_bound(mrn)
                ),
            ]
            partner_ids = [
                pid
                for pid, organisation in session.execute(select(Partner.id, Partner.organisation))
                if _word_prefix(term, search_key(organisation))
            ]
            if partner_ids:
                branches.append(select(Referral.id).where(Referral.partner_id.in_(partner_ids)))
            conditions.append(Referral.id.in_(union_all(*branches)))
        return conditions

    def get(self, referral_id: int) -> ReferralDetail:
        self.clinic.require(
            self.actor, Permission.READ_REFERRALS, "view_referral", str(referral_id)
        )
        with self.clinic.unit(self.actor, "view_referral", "referral", str(referral_id)) as unit:
            row = self._load(unit.session, referral_id)
            return self._detail(unit.session, row)

    def find_duplicates(self, data: IntakeData) -> list[ReferralSummary]:
        """Open referrals for the same patient: same date of birth and name, or same MRN."""
        self.clinic.require(self.actor, Permission.READ_REFERRALS, "check_duplicates")
        with self.clinic.session() as session:
            return self._duplicates(session, data)

    def _duplicates(self, session: Session, data: IntakeData) -> list[ReferralSummary]:
        same_person = and_(
            Referral.date_of_birth == data.date_of_birth,
            Referral.family_key == search_key(data.family_name),
            Referral.given_key == search_key(data.given_name),
        )
        mrn = normalise_mrn(data.mrn)
        match = or_(same_person, Referral.mrn == mrn) if mrn else same_person
        # A narrow query first: at intake there is almost never a candidate to describe.
        ids = session.execute(
            select(Referral.id)
            .where(match, Referral.state.in_([s.value for s in State if s.is_open]))
            .order_by(Referral.received_at)
        ).scalars()
        return self._summaries(session, list(ids))

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

    def actions(self, referral_id: int) -> list[ActionState]:
        """Each action on the referral, whether this user may take it now, and if not why."""
        detail_state = self._state_of(referral_id)
        return available_actions(detail_state, self.actor.permissions)

    def _state_of(self, referral_id: int) -> State:
        with self.clinic.session() as session:
            state = session.execute(
                select(Referral.state).where(Referral.id == referral_id)
            ).scalar_one_or_none()
        if state is None:
            raise NotFound(f"referral {referral_id} does not exist")
        return State(state)

    # -- intake -------------------------------------------------------------
    def log(
        self,
        data: IntakeData,
        items_received: Mapping[str, datetime | None] | None = None,
        duplicate: DuplicateChoice | None = None,
    ) -> int:
        """Log a referral; items ticked at intake are received at receipt unless a time is given.

        Returns the new referral's id (or, on merge, the existing one's).
        """
        self.clinic.require(self.actor, Permission.CREATE_REFERRAL, "log_referral")
        now = self.clinic.now()
        # In clinic time, so that "today" for a date of birth is the clinic's today.
        local_now = now.astimezone(self.clinic.calendar.tz)
        problems = data.problems(frozenset(self.clinic.service_lines), local_now)
        line = self.clinic.service_lines.get(data.service_line)
        items: dict[str, datetime] = {}
        for key, at in (items_received or {}).items():
            when = at or data.received_at
            try:
                if line is not None:
                    line.item(key)
                if when < data.received_at:
                    raise DomainError("is before the referral was received", f"item:{key}")
                if when > now:
                    raise DomainError("is in the future", f"item:{key}")
            except DomainError as exc:
                problems.append(exc)
            items[key] = when
        if problems:
            raise ValidationFailed([str(p) for p in problems])
        assert line is not None
        with self.clinic.unit(self.actor, "log_referral", "referral") as unit:
            session = unit.session
            candidates = self._duplicates(session, data)
            if candidates and duplicate is None:
                raise DuplicateSuspected(candidates)
            if candidates and duplicate is DuplicateChoice.MERGE:
                target = self._load(session, candidates[0].id)
                self._merge_items(session, target, items, now)
                self._refresh_due(target)
                unit.entity_id = str(target.id)
                return target.id
            partner = self._partner(session, data)
            proposal = propose_priority(
                data.trigger, data.referrer_urgency, data.preferred_timeframe_days
            )
            row = Referral(
                received_at=data.received_at,
                recorded_at=now,
                partner_sent_on=data.partner_sent_on,
                channel=data.channel.value,
                partner=partner,
                referring_clinician=data.referring_clinician.strip(),
                contact_person=data.contact_person.strip(),
                contact_phone=data.contact_phone.strip(),
                contact_fax=data.contact_fax.strip(),
                family_name=data.family_name.strip(),
                given_name=data.given_name.strip(),
                family_key=search_key(data.family_name),
                given_key=search_key(data.given_name),
                date_of_birth=data.date_of_birth,
                sex=data.sex.value,
                mrn=normalise_mrn(data.mrn),
                patient_phone=data.patient_phone.strip(),
                preferred_contact=data.preferred_contact.value if data.preferred_contact else None,
                preferred_language=data.preferred_language.strip(),
                service_line_key=line.key,
                checklist_id=self.clinic.checklist_ids[line.key],
                trigger=data.trigger.value,
                diagnosis=data.diagnosis.strip(),
                icd10=data.icd10.strip().upper(),
                clinical_question=data.clinical_question.strip(),
                referrer_urgency=data.referrer_urgency.value if data.referrer_urgency else None,
                preferred_timeframe_days=data.preferred_timeframe_days,
                consent_to_share=data.consent_to_share.value,
                linked_referral_id=candidates[0].id
                if candidates and duplicate is DuplicateChoice.LINK
                else None,
                state=State.NEW.value,
                state_changed_at=data.received_at,
                proposed_priority=proposal.priority.value,
                proposal_reasons=list(proposal.reasons),
                created_by=self.actor.user_id,
                receipts=[],  # a new referral has none: spare the lazy load
            )
            session.add(row)
            session.flush()
            self._event(session, row, "received", at=data.received_at, to_state=State.NEW)
            for key, at in items.items():
                self._add_receipt(row, key, at, now)
            self._update_records_complete(session, row, line.checklist)
            self._refresh_due(row)
            unit.entity_id = str(row.id)
            return row.id

    def _partner(self, session: Session, data: IntakeData) -> Partner:
        name = data.partner.strip()
        wanted = search_key(name)
        partner = next(
            (
                p
                for p in session.execute(select(Partner)).scalars()
                if search_key(p.organisation) == wanted
            ),
            None,
        )
        if partner is None:
            partner = Partner(
                organisation=name,
                clinician=data.referring_clinician.strip(),
                contact_person=data.contact_person.strip(),
                phone=data.contact_phone.strip(),
                fax=data.contact_fax.strip(),
            )
            session.add(partner)
            session.flush()
        return partner

    def _merge_items(
        self, session: Session, row: Referral, items: dict[str, datetime], now: datetime
    ) -> None:
        have = {r.item_key for r in row.receipts}
        for key, at in items.items():
            if key not in have:
                self._add_receipt(row, key, max(at, row.received_at), now)
        self._event(session, row, "merged_intake", at=now, detail="duplicate intake merged")
        self._update_records_complete(session, row, self._checklist(session, row))

    # -- documents ----------------------------------------------------------
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

    # -- milestones and transitions ------------------------------------------
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
        self, referral_id: int, at: datetime | None = None, expected_version: int | None = None
    ) -> None:
        self.clinic.require(self.actor, Permission.SCHEDULE, "mark_seen", str(referral_id))
        self._transition(referral_id, State.SEEN, at, expected_version=expected_version)

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

    # -- helpers ------------------------------------------------------------
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
        due = None
        if row.next_due and row.due_at:
            due = NextDue(row.next_due, row.due_at.astimezone(self.clinic.calendar.tz))
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
            due_status=due.status(self.clinic.now(), self.clinic.calendar) if due else None,
        )

    def _detail(self, session: Session, row: Referral) -> ReferralDetail:
        checklist = self._checklist(session, row)
        names = dict(session.execute(select(User.id, User.name)).all())
        receipts = {r.item_key: r for r in row.receipts}
        lines = tuple(
            ChecklistLine(
                i.key,
                i.label,
                i.required,
                receipts[i.key].received_at if i.key in receipts else None,
                names.get(receipts[i.key].user_id) if i.key in receipts else None,
            )
            for i in checklist
        )
        missing = tuple(line.label for line in lines if line.required and line.received_at is None)
        events = session.execute(
            select(Event).where(Event.referral_id == row.id).order_by(Event.effective_at, Event.id)
        ).scalars()
        timeline = [
            TimelineEvent(
                e.kind,
                e.from_state,
                e.to_state,
                e.effective_at,
                e.recorded_at,
                names.get(e.user_id, "?"),
                e.reason,
                e.detail,
            )
            for e in events
        ]
        timeline += [
            TimelineEvent(
                "item_received",
                None,
                None,
                r.received_at,
                r.recorded_at,
                names.get(r.user_id, "?"),
                "",
                r.item_key,
            )
            for r in row.receipts
        ]
        # Stable: receipts logged with the referral follow its "received" event, and the
        # records-complete milestone follows the receipt that completed the records.
        timeline.sort(key=lambda e: (e.effective_at, e.kind == "records_complete"))
        return ReferralDetail(
            summary=self._summary(row, row.partner.organisation, missing),
            row_version=row.row_version,
            recorded_at=row.recorded_at,
            partner_sent_on=row.partner_sent_on,
            referring_clinician=row.referring_clinician,
            contact_person=row.contact_person,
            contact_phone=row.contact_phone,
            contact_fax=row.contact_fax,
            sex=row.sex,
            patient_phone=row.patient_phone,
            preferred_contact=row.preferred_contact,
            preferred_language=row.preferred_language,
            trigger=row.trigger,
            diagnosis=row.diagnosis,
            icd10=row.icd10,
            clinical_question=row.clinical_question,
            referrer_urgency=row.referrer_urgency,
            preferred_timeframe_days=row.preferred_timeframe_days,
            consent_to_share=row.consent_to_share,
            linked_referral_id=row.linked_referral_id,
            proposal_reasons=tuple(row.proposal_reasons or ()),
            close_reason=row.close_reason,
            closed_from=row.closed_from,
            appointment_at=row.appointment_at,
            acknowledged_at=row.acknowledged_at,
            records_complete_at=row.records_complete_at,
            triaged_at=row.triaged_at,
            scheduled_at=row.scheduled_at,
            seen_at=row.seen_at,
            closed_at=row.closed_at,
            checklist=lines,
            timeline=tuple(timeline),
        )


def _word_prefix(term: str, text: str) -> bool:
    """'gastro' finds 'Valley Gastroenterology'; a single letter does not find every partner."""
    return text.startswith(term) or f" {term}" in text
