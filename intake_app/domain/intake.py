"""The intake record (SPEC §3.1): typed fields, length limits and parsing from text."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from intake_app.domain import DomainError
from intake_app.domain.enums import Channel, Consent, ContactMethod, Sex, Trigger, Urgency
from intake_app.domain.instants import EARLIEST_YEAR, time_problem
from intake_app.domain.lifecycle import FUTURE_TOLERANCE
from intake_app.domain.text import forbidden_character, quoted

# Short by design: staff must not type clinical narratives into the intake form.
LIMITS: dict[str, int] = {
    "partner": 160,
    "referring_clinician": 120,
    "contact_person": 120,
    "contact_phone": 40,
    "contact_fax": 40,
    "family_name": 80,
    "given_name": 80,
    "mrn": 40,
    "patient_phone": 40,
    "preferred_language": 40,
    "diagnosis": 200,
    "icd10": 8,
    "clinical_question": 500,
}
REQUIRED_TEXT = ("partner", "family_name", "given_name")
# The one field typed in a multi-line box.
LINE_BREAKS_ALLOWED = {"clinical_question": "\n"}
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class IntakeData:
    received_at: datetime
    channel: Channel
    partner: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: Sex
    service_line: str
    trigger: Trigger
    referrer_urgency: Urgency | None
    referring_clinician: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    contact_fax: str = ""
    mrn: str = ""
    patient_phone: str = ""
    preferred_contact: ContactMethod | None = None
    preferred_language: str = ""
    diagnosis: str = ""
    icd10: str = ""
    clinical_question: str = ""
    preferred_timeframe_days: int | None = None
    consent_to_share: Consent = Consent.NOT_ON_FILE
    partner_sent_on: date | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def problems(self, service_lines: frozenset[str], now: datetime) -> list[DomainError]:
        """Every rule this record breaks, each naming its field; empty when valid."""
        found: list[DomainError] = []
        for name in REQUIRED_TEXT:
            if not str(getattr(self, name)).strip():
                found.append(DomainError("is required", name))
        for name, limit in LIMITS.items():  # every free-text field (a test keeps it so)
            value = getattr(self, name)
            if len(value) > limit:
                found.append(DomainError(f"is longer than {limit} characters", name))
            # isprintable() first: the common case, in C, for an import's 100,000 rows.
            if not value.isprintable() and value.strip():  # blank ones are reported above
                found.extend(text_problems(value, name, LINE_BREAKS_ALLOWED.get(name, "")))
        for name, value in self.extra.items():
            found.extend(text_problems(value, name))
        if self.service_line not in service_lines:
            allowed = ", ".join(sorted(service_lines))
            found.append(
                DomainError(f"{quoted(self.service_line)} is not one of {allowed}", "service_line")
            )
        received_ok = False
        if self.received_at.tzinfo is None:
            found.append(DomainError("must carry a time zone", "received_at"))
        elif (problem := time_problem(self.received_at)) is not None:
            found.append(DomainError(problem, "received_at"))
        elif self.received_at > now + FUTURE_TOLERANCE:
            found.append(DomainError("is in the future", "received_at"))
        else:
            received_ok = True
        today = now.date()
        if self.date_of_birth > today:
            found.append(DomainError("is in the future", "date_of_birth"))
        elif self.date_of_birth.year < OLDEST_BIRTH_YEAR:
            found.append(DomainError(f"is before {OLDEST_BIRTH_YEAR}", "date_of_birth"))
        elif received_ok and self.date_of_birth > self.received_at.astimezone(now.tzinfo).date():
            found.append(DomainError("is after the referral was received", "date_of_birth"))
        if (
            self.partner_sent_on is not None
            and self.received_at.tzinfo is not None
            and self.partner_sent_on > self.received_at.date()
        ):
            found.append(DomainError("is after the referral was received", "partner_sent_on"))
        if (
            self.preferred_timeframe_days is not None
            and not 0 < self.preferred_timeframe_days <= 365
        ):
            found.append(DomainError("must be between 1 and 365 days", "preferred_timeframe_days"))
        if self.icd10 and not _looks_like_icd10(self.icd10):
            found.append(DomainError("is not an ICD-10 code (like A00 or A00.0)", "icd10"))
        return found


# Letter, digit, digit or letter (C7A, D3A in ICD-10-CM), then up to four more after a dot.
ICD10 = re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?", re.ASCII)


def _looks_like_icd10(code: str) -> bool:
    return ICD10.fullmatch(code.strip().upper()) is not None


def normalise_mrn(mrn: str) -> str | None:
    """Medical record numbers compare without case or surrounding spaces; empty is none."""
    return mrn.strip().upper() or None


def text_problems(value: str, field_name: str, allow: str = "") -> list[DomainError]:
    """Control characters and invisible formatting characters are refused (SPEC §3.1)."""
    found = forbidden_character(value, allow)
    if found is None:
        return []
    return [DomainError(f"contains a control or invisible character ({found})", field_name)]


# ISO 8601 as people type it: a date, a time to the minute or finer, an optional offset.
# A date alone is refused: midnight is rarely what was meant.
TIME_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?",
    re.ASCII | re.IGNORECASE,
)
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
NOT_A_TIME = "is not an ISO 8601 time (YYYY-MM-DDTHH:MM, optionally with an offset)"


def parse_time(text: str, tz: ZoneInfo, field_name: str) -> datetime:
    """ISO 8601 with a time of day; a time without an offset is in the clinic's time zone.

    A clinic time skipped or repeated by a clock change is refused, the second with
    advice to give the offset; so are implausible years and offsets.
    """
    text = text.strip()
    # The longest ISO time is 32 characters; a long cell is never one (nor cached).
    parsed = _parse_time(text, tz) if len(text) <= 40 else NOT_A_TIME
    if isinstance(parsed, str):
        raise DomainError(parsed, field_name)
    return parsed


@lru_cache(maxsize=8192)
def _parse_time(text: str, tz: ZoneInfo) -> datetime | str:
    """The time, or what is wrong with it. Cached: an import repeats the same times."""
    if len(text) == 10 and DATE_SHAPE.fullmatch(text):
        return "is a date without a time (YYYY-MM-DDTHH:MM)"
    try:
        if not TIME_SHAPE.fullmatch(text):
            raise ValueError(text)
        value = datetime.fromisoformat(text.upper())
    except ValueError:
        return NOT_A_TIME
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return time_problem(value) or value


def parse_date(text: str, field_name: str) -> date:
    text = text.strip()
    try:
        if not DATE_SHAPE.fullmatch(text):
            raise ValueError(text)
        value = date.fromisoformat(text)
    except ValueError:
        raise DomainError("is not a date (YYYY-MM-DD)", field_name) from None
    if value.year < EARLIEST_YEAR:
        raise DomainError(f"is before {EARLIEST_YEAR}", field_name)
    return value
