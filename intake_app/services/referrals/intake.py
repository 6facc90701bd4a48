"""Logging a referral at intake, and the duplicate rule of SPEC §3.6."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from intake_app.domain import DomainError
from intake_app.domain.enums import State
from intake_app.domain.intake import IntakeData, normalise_mrn
from intake_app.domain.priority import propose_priority
from intake_app.domain.text import search_key
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.services.referrals.base import ReferralBase
from intake_app.services.views import ReferralSummary
from intake_app.store.models import Partner, Referral


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


class ReferralIntake(ReferralBase):
    """Logging new referrals."""

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
            row = Referral(
                received_at=data.received_at,
                recorded_at=now,
                partner=partner,
                **intake_columns(data),
                service_line_key=line.key,
                checklist_id=self.clinic.checklist_ids[line.key],
                linked_referral_id=candidates[0].id
                if candidates and duplicate is DuplicateChoice.LINK
                else None,
                state=State.NEW.value,
                state_changed_at=data.received_at,
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


def intake_columns(data: IntakeData) -> dict[str, Any]:
    """The referral's columns that follow from its intake fields (but the partner, the
    service line and the receipt time): as logged, and as an edit rewrites them."""
    proposal = propose_priority(data.trigger, data.referrer_urgency, data.preferred_timeframe_days)
    return {
        "partner_sent_on": data.partner_sent_on,
        "channel": data.channel.value,
        "referring_clinician": data.referring_clinician.strip(),
        "contact_person": data.contact_person.strip(),
        "contact_phone": data.contact_phone.strip(),
        "contact_fax": data.contact_fax.strip(),
        "family_name": data.family_name.strip(),
        "given_name": data.given_name.strip(),
        "family_key": search_key(data.family_name),
        "given_key": search_key(data.given_name),
        "date_of_birth": data.date_of_birth,
        "sex": data.sex.value,
        "mrn": normalise_mrn(data.mrn),
        "patient_phone": data.patient_phone.strip(),
        "preferred_contact": data.preferred_contact.value if data.preferred_contact else None,
        "preferred_language": data.preferred_language.strip(),
        "trigger": data.trigger.value,
        "diagnosis": data.diagnosis.strip(),
        "icd10": data.icd10.strip().upper(),
        "clinical_question": data.clinical_question.strip(),
        "referrer_urgency": data.referrer_urgency.value if data.referrer_urgency else None,
        "preferred_timeframe_days": data.preferred_timeframe_days,
        "consent_to_share": data.consent_to_share.value,
        "proposed_priority": proposal.priority.value,
        "proposal_reasons": list(proposal.reasons),
    }
