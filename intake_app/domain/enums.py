"""Closed vocabularies of the referral; their values are the keys used in imports and exports."""

from enum import StrEnum
from typing import TypeVar


class Channel(StrEnum):
    FAX = "fax"
    PHONE = "phone"
    EMAIL = "email"
    WEB_FORM = "web_form"
    PORTAL = "portal"
    WALK_IN = "walk_in"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Trigger(StrEnum):
    ABNORMAL_IMAGING = "abnormal_imaging"
    ABNORMAL_LABS = "abnormal_labs"
    NEW_BIOPSY = "new_biopsy"
    STAGING_WORKUP = "staging_workup"
    TREATMENT_COMPLICATION = "treatment_complication"
    RECURRENCE_CONCERN = "recurrence_concern"
    SECOND_OPINION = "second_opinion"
    OTHER = "other"


class Urgency(StrEnum):
    """Referrer's stated urgency, and the triage priority: the same three levels."""

    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"


Priority = Urgency


class State(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    SCHEDULED = "scheduled"
    SEEN = "seen"
    DECLINED = "declined"
    REDIRECTED = "redirected"
    WITHDRAWN = "withdrawn"
    NO_SHOW = "no_show"

    @property
    def is_open(self) -> bool:
        return self in (State.NEW, State.TRIAGED, State.SCHEDULED)


class CloseReason(StrEnum):
    """The closing states a referral can be moved to with a reason."""

    DECLINED = "declined"
    REDIRECTED = "redirected"
    WITHDRAWN = "withdrawn"
    NO_SHOW = "no_show"


class Consent(StrEnum):
    ON_FILE = "on_file"
    NOT_ON_FILE = "not_on_file"


class ContactMethod(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    MAIL = "mail"


class Role(StrEnum):
    COORDINATOR = "coordinator"
    TRIAGE = "triage"
    MANAGER = "manager"
    ADMIN = "admin"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, field: str, *, echo: bool = True) -> E:
    """Parse a key, or raise a DomainError naming the field and the allowed keys.

    `echo=False` for a field that holds patient data: the message leaves the value out.
    """
    from intake_app.domain import DomainError
    from intake_app.domain.text import quoted

    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        given = f"{quoted(value)} is" if echo else "is"
        raise DomainError(f"{given} not one of {allowed}", field) from None
