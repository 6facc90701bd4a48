"""Correcting what was entered: editing intake fields, un-ticking an item, the receipt time.

Each is one audited transaction with the referral's version checked, and each leaves an event
on the timeline; none deletes history. An un-ticked item's receipt moves, with its times and
its user, from the receipts (what is received now) to the events (what happened).
"""

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from intake_app.domain import DomainError
from intake_app.domain.checklists import ChecklistItem as DomainItem
from intake_app.domain.checklists import assess, missing_on_arrival
from intake_app.domain.corrections import (
    IDENTITY_FIELDS,
    apply_text,
    changed_fields,
    check_reason,
    describe_changes,
    receipt_correction_detail,
)
from intake_app.domain.enums import Channel, Consent, ContactMethod, Sex, State, Trigger, Urgency
from intake_app.domain.intake import IntakeData
from intake_app.domain.lifecycle import FUTURE_TOLERANCE
from intake_app.domain.text import search_key
from intake_app.services import audit
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.permissions import Permission
from intake_app.services.referrals.intake import (
    DuplicateChoice,
    DuplicateSuspected,
    ReferralIntake,
    intake_columns,
)
from intake_app.services.views import ReferralSummary
from intake_app.store.models import Event, Referral


class DuplicateAfterEdit(DuplicateSuspected):
    """The edited name, date of birth or MRN matches another open referral of the patient."""

    def __init__(self, candidates: list[ReferralSummary]) -> None:
        super().__init__(candidates)
        ids = ", ".join(str(c.id) for c in candidates)
        self.args = (
            f"after this edit the patient matches open referral {ids}; "
            "choose link or keep both (nothing was saved)",
        )


class ReferralCorrections(ReferralIntake):
    """Corrections to a referral after it was logged."""

    def intake_data(self, referral_id: int) -> IntakeData:
        """The referral's intake fields as stored: what an edit starts from."""
        self.clinic.require(
            self.actor, Permission.READ_REFERRALS, "view_referral", str(referral_id)
        )
        with self.clinic.session() as session:
            return _intake_of(self._load(session, referral_id))

    def edit(
        self,
        referral_id: int,
        data: IntakeData,
        reason: str = "",
        expected_version: int | None = None,
        duplicate: DuplicateChoice | None = None,
    ) -> list[str]:
        """Replace the intake fields with `data`; the names of the fields that changed.

        The receipt time must be the stored one (see correct_receipt). A change of name, date
        of birth or MRN that matches another open referral raises DuplicateAfterEdit unless
        `duplicate` says to link to it or keep both.
        """
        return self._edit(referral_id, lambda _stored: data, reason, expected_version, duplicate)

    def edit_text(
        self,
        referral_id: int,
        changes: Mapping[str, str],
        reason: str = "",
        expected_version: int | None = None,
        duplicate: DuplicateChoice | None = None,
    ) -> list[str]:
        """Edit with FIELD=VALUE text (the command line), applied to the fields as stored."""
        if not changes:
            raise ValidationFailed(["set: name at least one FIELD=VALUE to change"])

        def changed(stored: IntakeData) -> IntakeData:
            try:
                return apply_text(stored, changes)
            except DomainError as exc:
                raise ValidationFailed([str(exc)]) from None

        return self._edit(referral_id, changed, reason, expected_version, duplicate)

    def _edit(
        self,
        referral_id: int,
        make: Callable[[IntakeData], IntakeData],
        reason: str,
        expected_version: int | None,
        duplicate: DuplicateChoice | None,
    ) -> list[str]:
        self.clinic.require(self.actor, Permission.EDIT_REFERRAL, "edit_referral", str(referral_id))
        if duplicate is DuplicateChoice.MERGE:
            raise ValidationFailed(["duplicate: merging is for a new intake; link or keep both"])
        if len(reason.strip()) > 300:
            raise ValidationFailed(["reason: is longer than 300 characters"])
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "edit_referral", "referral", str(referral_id)) as unit:
            session = unit.session
            row = self._load(session, referral_id, expected_version)
            before = _intake_of(row)
            data = make(before)
            # The stored line stays acceptable even if it was retired since.
            lines = frozenset(self.clinic.service_lines) | {before.service_line}
            problems = [
                str(p) for p in data.problems(lines, now.astimezone(self.clinic.calendar.tz))
            ]
            if data.received_at != before.received_at:
                problems.insert(
                    0, "received_at: cannot be edited; correct the receipt time with a reason"
                )
            if problems:
                raise ValidationFailed(problems)
            changed = changed_fields(before, data)
            if not changed:
                raise ValidationFailed(["edit: no field differs from what is stored"])
            link_to = None
            if IDENTITY_FIELDS & set(changed):
                link_to = self._duplicate_check(session, row, data, duplicate)
            self._write_intake(session, row, data, before)
            # The audit trail names each field changed (never its value), beside the event.
            audit.append_many(
                session,
                self.clinic.audit_key,
                [(f"edit_referral.{name}", "referral", str(row.id)) for name in changed],
                at=now,
                user_name=self.actor.name,
                workstation=self.clinic.workstation,
            )
            self._event(
                session,
                row,
                "edited",
                at=now,
                reason=reason.strip(),
                detail=describe_changes(changed),
            )
            if link_to is not None:
                row.linked_referral_id = link_to
                self._event(session, row, "linked", at=now, detail=f"to referral {link_to}")
            if "service_line" in changed:
                self._recompute_records_complete(session, row, self._checklist(session, row), now)
            self._refresh_due(row)
            return changed

    def unreceive_item(
        self,
        referral_id: int,
        item_key: str,
        reason: str,
        expected_version: int | None = None,
    ) -> None:
        """A received item was ticked in error: it is missing again; both steps stay visible."""
        self.clinic.require(
            self.actor, Permission.EDIT_REFERRAL, "unreceive_item", str(referral_id)
        )
        reason = _reason(reason, "mark an item not received")
        now = self.clinic.now()
        with self.clinic.unit(self.actor, "unreceive_item", "referral", str(referral_id)) as unit:
            session = unit.session
            row = self._load(session, referral_id, expected_version)
            if not State(row.state).is_open:
                raise ServiceError(f"state: the referral is {row.state}; reopen it first")
            receipt = next((r for r in row.receipts if r.item_key == item_key), None)
            if receipt is None:
                raise ServiceError(f"item: {item_key!r} is not marked received on this referral")
            # The receipt as it was (its times, its user) stays on the timeline as an event.
            session.add(
                Event(
                    referral_id=row.id,
                    kind="item_received",
                    effective_at=receipt.received_at,
                    recorded_at=receipt.recorded_at,
                    user_id=receipt.user_id,
                    detail=item_key,
                )
            )
            self._event(session, row, "item_unreceived", at=now, reason=reason, detail=item_key)
            row.receipts.remove(receipt)
            self._recompute_records_complete(session, row, self._checklist(session, row), now)
            self._refresh_due(row)
            flag_modified(row, "state")  # others must reload: bump the version

    def correct_receipt(
        self,
        referral_id: int,
        at: datetime,
        reason: str,
        expected_version: int | None = None,
    ) -> None:
        """Correct when the referral was received; refused if it would follow a later step.

        What came with the referral (items and events at the old receipt time) moves with it.
        """
        self.clinic.require(
            self.actor, Permission.EDIT_REFERRAL, "correct_receipt", str(referral_id)
        )
        reason = _reason(reason, "correct the receipt time")
        now = self.clinic.now()
        if at.tzinfo is None:
            raise ValidationFailed(["received_at: must carry a time zone"])
        if at > now + FUTURE_TOLERANCE:
            raise ValidationFailed(["received_at: is in the future"])
        tz = self.clinic.calendar.tz
        with self.clinic.unit(self.actor, "correct_receipt", "referral", str(referral_id)) as unit:
            session = unit.session
            row = self._load(session, referral_id, expected_version)
            old = row.received_at
            if at == old:
                raise ValidationFailed(["received_at: is the time already recorded"])
            if at > row.recorded_at + FUTURE_TOLERANCE:
                raise ValidationFailed(["received_at: would be after the referral was logged"])
            if row.partner_sent_on is not None and at.astimezone(tz).date() < row.partner_sent_on:
                raise ValidationFailed(["received_at: is before the partner sent the referral"])
            events = list(
                session.execute(select(Event).where(Event.referral_id == row.id)).scalars()
            )
            for step, when in _later_steps(row, events):
                if when != old and when < at:
                    raise ValidationFailed(
                        [
                            f"received_at: would be after the {step} "
                            f"({when.astimezone(tz):%Y-%m-%d %H:%M}); correct that first"
                        ]
                    )
            for receipt in row.receipts:
                if receipt.received_at == old:
                    receipt.received_at = at
            for event in events:
                if event.effective_at == old:
                    event.effective_at = at
            if row.state_changed_at == old:
                row.state_changed_at = at
            if row.records_complete_at == old:
                row.records_complete_at = at
            row.received_at = at
            self._event(
                session,
                row,
                "receipt_corrected",
                at=now,
                reason=reason,
                detail=receipt_correction_detail(old, at),
            )
            self._recompute_records_complete(session, row, self._checklist(session, row), now)
            self._refresh_due(row)

    # -- helpers -------------------------------------------------------------
    def _duplicate_check(
        self,
        session: Session,
        row: Referral,
        data: IntakeData,
        duplicate: DuplicateChoice | None,
    ) -> int | None:
        """The referral to link to, if the user chose so; raises when the user must choose."""
        linked = {row.id, row.linked_referral_id}
        linked |= set(
            session.execute(
                select(Referral.id).where(Referral.linked_referral_id == row.id)
            ).scalars()
        )
        candidates = [c for c in self._duplicates(session, data) if c.id not in linked]
        if not candidates:
            return None
        if duplicate is None:
            raise DuplicateAfterEdit(candidates)
        if duplicate is DuplicateChoice.LINK and row.linked_referral_id is None:
            return candidates[0].id
        return None

    def _write_intake(
        self, session: Session, row: Referral, data: IntakeData, before: IntakeData
    ) -> None:
        if search_key(data.partner) != search_key(before.partner):
            row.partner = self._partner(session, data)
        for column, value in intake_columns(data).items():
            setattr(row, column, value)
        if data.service_line != before.service_line:
            # The new line's current checklist; receipts whose keys are on it count there too.
            row.service_line_key = data.service_line
            row.checklist_id = self.clinic.checklist_ids[data.service_line]

    def _recompute_records_complete(
        self, session: Session, row: Referral, checklist: tuple[DomainItem, ...], now: datetime
    ) -> None:
        """Set, move or clear the records-complete milestone to match the receipts."""
        received = {r.item_key: r.received_at for r in row.receipts}
        row.missing_on_arrival = missing_on_arrival(checklist, received, row.received_at)
        result = assess(checklist, received)
        if result.complete:
            complete_at = max(result.records_complete_at or row.received_at, row.received_at)
            if row.records_complete_at != complete_at:
                detail = "" if row.records_complete_at is None else "recomputed"
                row.records_complete_at = complete_at
                self._event(session, row, "records_complete", at=complete_at, detail=detail)
        elif row.records_complete_at is not None:
            row.records_complete_at = None
            missing = ", ".join(result.missing_required)
            self._event(session, row, "records_incomplete", at=now, detail=missing[:120])


def _reason(reason: str, action: str) -> str:
    try:
        return check_reason(reason, action)
    except DomainError as exc:
        raise ValidationFailed([str(exc)]) from None


def _later_steps(row: Referral, events: list[Event]) -> list[tuple[str, datetime]]:
    """Every step after receipt, with its time: a receipt time must come before all of them."""
    steps: list[tuple[str, datetime]] = [
        (name.replace("_", " "), when)
        for name, when in (
            ("acknowledgement", row.acknowledged_at),
            ("triage", row.triaged_at),
            ("scheduling", row.scheduled_at),
            ("first consult", row.seen_at),
            ("closing", row.closed_at),
        )
        if when is not None
    ]
    steps += [(f"receipt of {r.item_key.replace('_', ' ')}", r.received_at) for r in row.receipts]
    steps += [
        (e.kind.replace("_", " "), e.effective_at)
        for e in events
        if e.kind not in ("received", "records_complete", "records_incomplete")
    ]
    return steps


def _intake_of(row: Referral) -> IntakeData:
    return IntakeData(
        received_at=row.received_at,
        channel=Channel(row.channel),
        partner=row.partner.organisation,
        family_name=row.family_name,
        given_name=row.given_name,
        date_of_birth=row.date_of_birth,
        sex=Sex(row.sex),
        service_line=row.service_line_key,
        trigger=Trigger(row.trigger),
        referrer_urgency=Urgency(row.referrer_urgency) if row.referrer_urgency else None,
        referring_clinician=row.referring_clinician,
        contact_person=row.contact_person,
        contact_phone=row.contact_phone,
        contact_fax=row.contact_fax,
        mrn=row.mrn or "",
        patient_phone=row.patient_phone,
        preferred_contact=ContactMethod(row.preferred_contact) if row.preferred_contact else None,
        preferred_language=row.preferred_language,
        diagnosis=row.diagnosis,
        icd10=row.icd10,
        clinical_question=row.clinical_question,
        preferred_timeframe_days=row.preferred_timeframe_days,
        consent_to_share=Consent(row.consent_to_share),
        partner_sent_on=row.partner_sent_on,
    )
