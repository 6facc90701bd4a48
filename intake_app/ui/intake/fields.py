"""The intake form's choices, labels and small widget helpers, shared by its parts."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.enums import Channel, Consent, ContactMethod, Sex, Trigger, Urgency
from intake_app.domain.intake import parse_date
from intake_app.services.referrals import (
    DuplicateChoice,
)
from intake_app.services.views import ReferralSummary

CHANNELS = {
    Channel.FAX: "Fax",
    Channel.PHONE: "Phone",
    Channel.EMAIL: "E-mail",
    Channel.WEB_FORM: "Web form",
    Channel.PORTAL: "Partner portal",
    Channel.WALK_IN: "Walk-in",
}
SEXES = {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.OTHER: "Other", Sex.UNKNOWN: "Unknown"}
TRIGGERS = {
    Trigger.ABNORMAL_IMAGING: "Abnormal imaging",
    Trigger.ABNORMAL_LABS: "Abnormal labs",
    Trigger.NEW_BIOPSY: "New biopsy finding",
    Trigger.STAGING_WORKUP: "Staging workup",
    Trigger.TREATMENT_COMPLICATION: "Treatment complication",
    Trigger.RECURRENCE_CONCERN: "Recurrence concern",
    Trigger.SECOND_OPINION: "Second opinion",
    Trigger.OTHER: "Other",
}
URGENCIES = {Urgency.ROUTINE: "Routine", Urgency.SOON: "Soon", Urgency.URGENT: "Urgent"}
CONTACT_METHODS = {
    ContactMethod.PHONE: "Phone",
    ContactMethod.SMS: "SMS",
    ContactMethod.EMAIL: "E-mail",
    ContactMethod.MAIL: "Mail",
}
CONSENTS = {Consent.NOT_ON_FILE: "Not on file", Consent.ON_FILE: "On file"}
NOT_STATED = "Not stated"
CHOOSE = "Choose…"
# The date edit for "partner sent it on" shows "Not known" at this, its minimum.
NOT_KNOWN = QDate(2000, 1, 1)
DATE_FORMAT = "%Y-%m-%d"

# Contact fields filled from the partner directory when the organisation is picked.
PARTNER_CONTACTS = {
    "referring_clinician": "clinician",
    "contact_person": "contact_person",
    "contact_phone": "phone",
    "contact_fax": "fax",
}

E = TypeVar("E", bound=StrEnum)
DuplicateChooser = Callable[[list[ReferralSummary]], DuplicateChoice | None]


@dataclass(frozen=True)
class _Problem:
    field: str
    message: str


def _fill(
    combo: QComboBox,
    choices: Mapping[Any, str],
    *,
    placeholder: str | None = None,
    none_text: str | None = None,
) -> None:
    combo.clear()
    if none_text is not None:
        combo.addItem(none_text, None)
    for key, text in choices.items():
        combo.addItem(text, str(key))
    if placeholder is not None:
        combo.setPlaceholderText(placeholder)
        combo.setCurrentIndex(-1)
    else:
        combo.setCurrentIndex(0)


def _enum_or_none(enum: type[E], value: object) -> E | None:
    return enum(str(value)) if value else None


def _parse_dob(text: str) -> date:
    if text.isdigit() and len(text) == 8:  # 19580214
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return parse_date(text, "date_of_birth")


def _qdatetime(value: datetime) -> QDateTime:
    return QDateTime(
        QDate(value.year, value.month, value.day),
        QTime(value.hour, value.minute, value.second),
        QTimeZone.utc(),
    )


def _qdate_to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


_KEYPAD = Qt.KeyboardModifier.KeypadModifier
_GIVEN_BACK = (
    Qt.FocusReason.PopupFocusReason,
    Qt.FocusReason.ActiveWindowFocusReason,
    Qt.FocusReason.OtherFocusReason,
)
_SHIFT = Qt.KeyboardModifier.ShiftModifier


def _numbered(number: int, text: str) -> str:
    """A checklist box's text with the digit that ticks it (10 is 0); & is its mnemonic."""
    return f"{number % 10}  {text.replace('&', '&&')}"


def _insert_below(form: QFormLayout, widget: QWidget, new: QWidget) -> None:
    """Put `new` under `widget`, in the same cell of `form` (hidden, it takes no room)."""
    row, role = form.getWidgetPosition(widget)
    form.removeWidget(widget)
    cell = QWidget()
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(new)
    form.setWidget(row, role, cell)


def _set_role(label: QLabel, role: str) -> None:
    if label.property("role") != role:
        label.setProperty("role", role)
        _repolish(label)
