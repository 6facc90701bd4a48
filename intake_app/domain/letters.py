"""What a letter to a referring partner says, as plain data (SPEC §4).

The services fill these from a referral; rendering/letters.py turns them into PDF.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    MISSING_RECORDS = "missing-records"
    STATUS = "status"
    # After the first consult: the referrer's loop is closed. The reports count these letters
    # ("loop closed"), so the value is fixed.
    CONSULT_COMPLETED = "consult_completed"


@dataclass(frozen=True)
class Letterhead:
    """Clinic details printed on every letter; a setting, not code."""

    clinic_name: str
    address_lines: tuple[str, ...]
    phone: str
    fax: str
    intake_team: str  # who signs, e.g. "New Patient Intake Team"
    intake_phone: str  # the intake team's direct line
    intake_fax: str
    logo_path: str | None = None
    disclose_priority: bool = False  # status letters name the triage priority only if True
    include_diagnosis: bool = False  # letters name the diagnosis only if True


@dataclass(frozen=True)
class LetterData:
    kind: LetterKind
    reference: str  # the referral's reference, e.g. "R-000123"
    letter_date: date
    # Recipient block (for a #10 window envelope)
    partner: str
    clinician: str
    recipient_lines: tuple[str, ...]  # address lines, may be empty
    partner_fax: str
    # Patient identification: minimal
    patient_name: str
    patient_birth_date: date
    diagnosis: str  # printed only when the letterhead allows it
    # The referral
    received_on: date
    service_line: str  # display name
    missing_items: tuple[str, ...]  # labels of required items still missing
    next_step: str  # e.g. "triage by our oncology team"
    next_step_by: date | None
    # Status letters
    status: str = ""  # triaged, scheduled, declined, redirected
    priority: str = ""  # printed only if the letterhead allows it
    appointment_at: datetime | None = None  # in clinic time
    reason: str = ""  # for declined / redirected
    redirect_to: str = ""
    # Consult-completed letters
    seen_on: date | None = None  # the day of the first consult, clinic time
    extra: dict[str, str] = field(default_factory=dict)
