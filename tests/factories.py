"""Builders for test data through the real services."""

from datetime import date, datetime, timedelta

from intake_app.domain.enums import Channel, Sex, Trigger, Urgency
from intake_app.domain.intake import IntakeData
from intake_app.services.referrals import DuplicateChoice, Referrals


def intake(**overrides: object) -> IntakeData:
    values: dict[str, object] = {
        "received_at": datetime.fromisoformat("2026-11-16T09:30:00-06:00"),
        "channel": Channel.FAX,
        "partner": "Valley Gastroenterology",
        "family_name": "Fernández",
        "given_name": "Siobhán",
        "date_of_birth": date(1957, 3, 14),
        "sex": Sex.FEMALE,
        "service_line": "medical_oncology",
        "trigger": Trigger.ABNORMAL_IMAGING,
        "referrer_urgency": Urgency.ROUTINE,
        "mrn": "MRN-424242",
        "diagnosis": "lung nodule 2.1 cm",
        "clinical_question": "Please evaluate for treatment",
        "referring_clinician": "Dr. Nguyen",
    }
    values.update(overrides)
    return IntakeData(**values)  # type: ignore[arg-type]


def log_referral(signed_in, items: dict | None = None, **overrides: object) -> int:  # type: ignore[no-untyped-def]
    return Referrals(signed_in).log(
        intake(**overrides), items or {}, duplicate=DuplicateChoice.KEEP_BOTH
    )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
