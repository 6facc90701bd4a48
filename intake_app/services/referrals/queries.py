"""Reading referrals: the worklist page, search, one referral in full, and what may be done."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from intake_app.domain.enums import Priority, State
from intake_app.domain.text import prefix_upper_bound, search_key
from intake_app.services import audit
from intake_app.services.actions import ActionState, available_actions
from intake_app.services.due import overdue_before
from intake_app.services.errors import NotFound, ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.referrals.base import ReferralBase
from intake_app.services.views import (
    ChecklistLine,
    LinkedReferral,
    Page,
    ReferralDetail,
    TimelineEvent,
)
from intake_app.store.models import Event, Partner, Referral, User

# Priority order: the final priority, else the proposal for referrals not yet triaged, ranked
# by urgency (urgent highest), not by name.
PRIORITY_RANK = case(
    {Priority.URGENT.value: 3, Priority.SOON.value: 2, Priority.ROUTINE.value: 1},
    value=func.coalesce(Referral.priority, Referral.proposed_priority),
    else_=0,
)

SORT_COLUMNS = {
    "received": Referral.received_at,
    "patient": Referral.family_name,
    "service_line": Referral.service_line_key,
    "partner": Partner.organisation,
    "channel": Referral.channel,
    "status": Referral.state,
    "priority": PRIORITY_RANK,
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
    on_hold_only: bool = False  # with an open hold (clock stop)
    mine_recent_days: int | None = None  # logged by the signed-in user in the last N days
    search: str = ""
    sort: str = "received"
    descending: bool = True
    offset: int = 0
    limit: int = 200
    extra: dict[str, str] = field(default_factory=dict)


class ReferralReading(ReferralBase):
    """The worklist and the referral view read through these."""

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
        # Who saw which patients (SPEC §6): the ids shown, never the search text; one entry per
        # row in one transaction per page. Before returning: a page not audited is not shown.
        self._audit_shown("search_referrals" if query.search.strip() else "list_referrals", ids)
        return Page(summaries, total)

    def _audit_shown(self, action: str, ids: list[int]) -> None:
        if not ids:
            return
        with self.clinic.write(action) as session:
            audit.append_many(
                session,
                self.clinic.audit_key,
                [(action, "referral", str(i)) for i in ids],
                at=self.clinic.now(),
                user_name=self.actor.name,
                workstation=self.clinic.workstation,
            )

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
            conditions.append(overdue_before(query.due_by or self.clinic.now()))
        if query.on_hold_only:
            conditions.append(Referral.held_since.is_not(None))
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

    def read_unaudited(self, referral_id: int) -> ReferralDetail:
        """One referral in full, for a caller that audits the read itself (letters audit a
        whole batch in one transaction)."""
        self.clinic.require(
            self.actor, Permission.READ_REFERRALS, "view_referral", str(referral_id)
        )
        with self.clinic.session() as session:
            return self._detail(session, self._load(session, referral_id))

    def actions(self, referral_id: int) -> list[ActionState]:
        """Each action on the referral, whether this user may take it now, and if not why."""
        # Even whether the referral exists, and its state, is for readers only.
        self.clinic.require(
            self.actor, Permission.READ_REFERRALS, "view_referral", str(referral_id)
        )
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
        linked_to, linked_from = self._links(session, row)
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
            linked_to=linked_to,
            linked_from=linked_from,
        )

    def _links(
        self, session: Session, row: Referral
    ) -> tuple[LinkedReferral | None, tuple[LinkedReferral, ...]]:
        """The referral this one is linked to, and those linked to this one."""
        links = [Referral.linked_referral_id == row.id]
        if row.linked_referral_id is not None:  # "id IS NULL" would make SQLite read every row
            links.append(Referral.id == row.linked_referral_id)
        found = session.execute(
            select(
                Referral.id,
                Referral.family_name,
                Referral.given_name,
                Referral.service_line_key,
                Referral.state,
                Referral.received_at,
                Referral.linked_referral_id,
            )
            .where(or_(*links))
            .order_by(Referral.received_at, Referral.id)
        ).all()
        links = {r.id: LinkedReferral(*r[:6]) for r in found}
        linked_to = links.get(row.linked_referral_id) if row.linked_referral_id else None
        return linked_to, tuple(links[r.id] for r in found if r.linked_referral_id == row.id)


def _word_prefix(term: str, text: str) -> bool:
    """'gastro' finds 'Valley Gastroenterology'; a single letter does not find every partner."""
    return text.startswith(term) or f" {term}" in text
