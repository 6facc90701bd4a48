"""Plain immutable views that services return; no live ORM rows leave the services."""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ChecklistLine:
    key: str
    label: str
    required: bool
    received_at: datetime | None
    received_by: str | None


@dataclass(frozen=True)
class TimelineEvent:
    kind: str
    from_state: str | None
    to_state: str | None
    effective_at: datetime
    recorded_at: datetime
    user: str
    reason: str
    detail: str


@dataclass(frozen=True)
class ReferralSummary:
    id: int
    received_at: datetime
    family_name: str
    given_name: str
    date_of_birth: date
    mrn: str | None
    service_line: str
    partner: str
    channel: str
    state: str
    priority: str | None
    proposed_priority: str
    missing_required: int
    missing_labels: tuple[str, ...]  # the required items not yet received
    next_due: str | None
    due_at: datetime | None
    due_status: str | None  # overdue, due_today, upcoming, on_hold (domain.access.due_state)
    # The open hold (clock stop), if any: awaiting_referrer or patient_unavailable, and since.
    hold_reason: str | None = None
    held_since: datetime | None = None
    # Who works the referral now (user name), if anyone.
    assigned_to: str | None = None


@dataclass(frozen=True)
class LinkedReferral:
    """Another referral of the same patient, linked at a duplicate prompt."""

    id: int
    family_name: str
    given_name: str
    service_line: str
    state: str
    received_at: datetime


@dataclass(frozen=True)
class ReferralDetail:
    summary: ReferralSummary
    row_version: int
    recorded_at: datetime
    partner_sent_on: date | None
    referring_clinician: str
    contact_person: str
    contact_phone: str
    contact_fax: str
    sex: str
    patient_phone: str
    preferred_contact: str | None
    preferred_language: str
    trigger: str
    diagnosis: str
    icd10: str
    clinical_question: str
    referrer_urgency: str
    preferred_timeframe_days: int | None
    consent_to_share: str
    linked_referral_id: int | None
    proposal_reasons: tuple[str, ...]
    close_reason: str
    closed_from: str | None
    appointment_at: datetime | None
    acknowledged_at: datetime | None
    records_complete_at: datetime | None
    triaged_at: datetime | None
    scheduled_at: datetime | None
    seen_at: datetime | None
    closed_at: datetime | None
    checklist: tuple[ChecklistLine, ...]
    timeline: tuple[TimelineEvent, ...]
    # The referral this one links to, and those that link to this one.
    linked_to: LinkedReferral | None = None
    linked_from: tuple[LinkedReferral, ...] = ()


@dataclass(frozen=True)
class Page:
    rows: tuple[ReferralSummary, ...]
    total: int
