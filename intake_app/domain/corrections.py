"""Corrections after intake: which fields may be edited, their names, and text changes to them.

The receipt time is not among them: it drives every access measure, so it is only corrected
on its own, with a reason (services/referrals/corrections.py).
"""

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from intake_app.domain import DomainError
from intake_app.domain.enums import (
    Channel,
    Consent,
    ContactMethod,
    Sex,
    Trigger,
    Urgency,
    parse_enum,
)
from intake_app.domain.intake import IntakeData, parse_date
from intake_app.domain.text import search_key

# Every intake field but the receipt time, with the name people know it by (timeline, CLI).
FIELD_LABELS: dict[str, str] = {
    "channel": "channel",
    "partner_sent_on": "partner sent on",
    "partner": "partner",
    "referring_clinician": "referring clinician",
    "contact_person": "contact person",
    "contact_phone": "phone",
    "contact_fax": "fax",
    "family_name": "family name",
    "given_name": "given name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "mrn": "MRN",
    "patient_phone": "patient phone",
    "preferred_contact": "preferred contact",
    "preferred_language": "language",
    "service_line": "service line",
    "trigger": "trigger",
    "diagnosis": "diagnosis",
    "icd10": "ICD-10",
    "clinical_question": "clinical question",
    "referrer_urgency": "referrer urgency",
    "preferred_timeframe_days": "preferred timeframe",
    "consent_to_share": "consent to share",
}
EDITABLE = tuple(FIELD_LABELS)
# A change to one of these may make the patient match another open referral.
IDENTITY_FIELDS = frozenset({"family_name", "given_name", "date_of_birth", "mrn"})

_ENUMS: dict[str, type[StrEnum]] = {
    "channel": Channel,
    "sex": Sex,
    "trigger": Trigger,
    "consent_to_share": Consent,
}
_OPTIONAL_ENUMS: dict[str, type[StrEnum]] = {
    "preferred_contact": ContactMethod,
    "referrer_urgency": Urgency,
}


def changed_fields(before: IntakeData, after: IntakeData) -> list[str]:
    """The editable fields whose value differs, in form order (surrounding spaces ignored)."""
    return [
        name
        for name in EDITABLE
        if _comparable(name, getattr(before, name)) != _comparable(name, getattr(after, name))
    ]


def _comparable(name: str, value: object) -> object:
    if name == "partner":  # the directory matches organisations without case or accents
        return search_key(str(value))
    return value.strip() if isinstance(value, str) else value


def apply_text(data: IntakeData, changes: Mapping[str, str]) -> IntakeData:
    """`data` with FIELD=VALUE changes typed as text (the command line); empty clears.

    Raises a DomainError naming the field for an unknown field or a value that does not parse.
    """
    known = {f.name for f in fields(IntakeData)}
    values: dict[str, Any] = {}
    for name, text in changes.items():
        if name == "received_at":
            raise DomainError(
                "cannot be edited; correct it with `referral correct-receipt` and a reason",
                "received_at",
            )
        if name not in FIELD_LABELS:
            if name in known:
                raise DomainError("cannot be edited", name)
            raise DomainError(f"is not a field; editable: {', '.join(EDITABLE)}", name)
        values[name] = _parse(name, text)
    return replace(data, **values)


def _parse(name: str, text: str) -> object:
    """The typed value; a problem names the field and what it takes, never the value typed
    (a date of birth is a patient's)."""
    text = text.strip()
    enum = _ENUMS.get(name) or _OPTIONAL_ENUMS.get(name)
    if enum is not None:
        if not text and name in _OPTIONAL_ENUMS:
            return None
        try:
            return parse_enum(enum, text, name)
        except DomainError:
            allowed = ", ".join(m.value for m in enum)
            raise DomainError(f"is not one of {allowed}", name) from None
    if name in ("date_of_birth", "partner_sent_on"):
        if not text and name == "partner_sent_on":
            return None
        try:
            return parse_date(text, name)
        except DomainError:
            raise DomainError("is not a date (YYYY-MM-DD)", name) from None
    if name == "preferred_timeframe_days":
        if not text:
            return None
        if not text.isdigit():
            raise DomainError("is not a number of days", name)
        return int(text)
    return text


def describe_changes(names: list[str], limit: int = 120) -> str:
    """'MRN, phone' for the timeline, cut to `limit` characters with a count of the rest."""
    labels = [FIELD_LABELS.get(n, n) for n in names]
    text = ", ".join(labels)
    shown = list(labels)
    while len(text) > limit and len(shown) > 1:
        shown.pop()
        text = f"{', '.join(shown)} and {len(labels) - len(shown)} more"
    return text[:limit]


def check_reason(reason: str, action: str, limit: int = 300) -> str:
    """A reason, stripped; it must be there and short."""
    reason = reason.strip()
    if not reason:
        raise DomainError(f"is needed to {action}", "reason")
    if len(reason) > limit:
        raise DomainError(f"is longer than {limit} characters", "reason")
    return reason


def receipt_correction_detail(old: datetime, new: datetime) -> str:
    """The timeline's record of a corrected receipt time: both times, in UTC."""
    return f"from {old.astimezone(UTC).isoformat()} to {new.astimezone(UTC).isoformat()}"


def parse_receipt_correction(detail: str) -> tuple[datetime, datetime] | None:
    """(old, new) from receipt_correction_detail's text; None if it is not that."""
    old, sep, new = detail.removeprefix("from ").partition(" to ")
    try:
        return (datetime.fromisoformat(old), datetime.fromisoformat(new)) if sep else None
    except ValueError:
        return None


# Timeline events that corrections leave; correction_text words them.
CORRECTION_KINDS = frozenset(
    {"edited", "item_unreceived", "receipt_corrected", "records_incomplete", "linked"}
)


def correction_text(
    kind: str, detail: str, when: Callable[[datetime], str], label: Callable[[str], str]
) -> str | None:
    """How a correction reads on a timeline (both front ends); None for other events.

    `when` formats a time, `label` names a checklist item from its key.
    """
    if kind == "edited":
        return f"Edited: {detail}"
    if kind == "item_unreceived":
        return f"Marked not received: {label(detail)}"
    if kind == "receipt_corrected":
        times = parse_receipt_correction(detail)
        moved = f": {when(times[0])} → {when(times[1])}" if times else ""
        return f"Receipt time corrected{moved}"
    if kind == "records_incomplete":
        missing = [label(key.strip()) for key in detail.split(",") if key.strip()]
        listed = f": {', '.join(missing)} missing" if missing else ""
        return f"Records no longer complete{listed}"
    if kind == "linked":
        return f"Linked {detail.replace('referral ', 'referral #')}"
    return None
