"""Small dialogs for the actions on one referral: each builds its form and returns a value or None.

The referral view runs every dialog through one method it owns (`exec_dialog`), so tests can
fill in the real dialog and accept it without a modal event loop.
"""

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.enums import Priority, Trigger
from intake_app.domain.holds import HoldReason
from intake_app.ui.common.prompts import make_default

DATE_TIME_FORMAT = "ddd d MMM yyyy HH:mm"
REASON_MAX = 200  # a reason is a short note, not a narrative

PRIORITY_LABELS = {
    Priority.URGENT: "Urgent",
    Priority.SOON: "Soon",
    Priority.ROUTINE: "Routine",
}
_TRIGGER_IN_REASON = re.compile(r"\btrigger ([a-z_]+)")


def readable_reason(reason: str) -> str:
    """A proposal reason as stored ("trigger new_biopsy is urgent by rule") in words."""
    from intake_app.ui.intake.fields import TRIGGERS

    def words(match: re.Match[str]) -> str:
        try:
            label = TRIGGERS[Trigger(match.group(1))]
        except ValueError:
            return match.group(0)
        return f"trigger “{label}”"

    return _TRIGGER_IN_REASON.sub(words, reason)


def to_qdatetime(moment: datetime, tz: ZoneInfo) -> QDateTime:
    """An aware datetime as a QDateTime in the clinic's zone."""
    local = moment.astimezone(tz)
    return QDateTime.fromSecsSinceEpoch(int(local.timestamp()), QTimeZone(tz.key.encode()))


def from_qdatetime(value: QDateTime, tz: ZoneInfo) -> datetime:
    """A QDateTime (wall time in the clinic's zone) as an aware UTC datetime, to the minute."""
    d, t = value.date(), value.time()
    local = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=tz)
    return local.astimezone(UTC)


def _date_time_edit(tz: ZoneInfo, value: datetime, maximum: datetime | None) -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setTimeZone(QTimeZone(tz.key.encode()))
    edit.setDisplayFormat(DATE_TIME_FORMAT)
    edit.setCalendarPopup(True)
    if maximum is not None:
        edit.setMaximumDateTime(to_qdatetime(maximum, tz))
    edit.setDateTime(to_qdatetime(value, tz))
    return edit


class _Dialog(QDialog):
    """A form with OK/Cancel; subclasses add rows and say whether the form is complete."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # Enter confirms, and only while the confirming button is enabled: never Cancel.
        make_default(self.ok_button)


class WhenField(QWidget):
    """'Now' unless the user says it happened earlier, then the time it happened."""

    def __init__(self, tz: ZoneInfo, now: datetime, text: str = "It happened earlier, at") -> None:
        super().__init__()
        self.tz = tz
        self.earlier = QCheckBox(text)
        self.edit = _date_time_edit(tz, now, now)
        self.edit.setAccessibleName(text.removesuffix(", at").removesuffix(" at") + ": time")
        self.edit.setEnabled(False)
        self.earlier.toggled.connect(self.edit.setEnabled)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.earlier)
        layout.addWidget(self.edit)

    def value(self) -> datetime | None:
        """None for 'now' (the service's clock), else the entered time in UTC."""
        return from_qdatetime(self.edit.dateTime(), self.tz) if self.earlier.isChecked() else None


class ReceivedAtDialog(_Dialog):
    """'Received at…': the time a checklist item actually arrived."""

    def __init__(
        self, parent: QWidget | None, item_label: str, tz: ZoneInfo, now: datetime
    ) -> None:
        super().__init__(parent, "Received at", "Record receipt")
        self.tz = tz
        self.form.addRow(QLabel(f"When did <b>{html.escape(item_label, quote=False)}</b> arrive?"))
        self.edit = _date_time_edit(tz, now, now)
        self.form.addRow("Received at", self.edit)
        hint = QLabel("Times are in the clinic's time zone; the time you record it is kept too.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)

    def value(self) -> datetime:
        return from_qdatetime(self.edit.dateTime(), self.tz)


@dataclass(frozen=True)
class TriageChoice:
    priority: Priority
    at: datetime | None
    reason: str = ""  # why the priority differs from the proposal (needed then)


class TriageDialog(_Dialog):
    """The triage decision: a priority, defaulting to the proposal, with the proposal's reasons."""

    def __init__(
        self,
        parent: QWidget | None,
        proposed: Priority,
        reasons: tuple[str, ...],
        tz: ZoneInfo,
        now: datetime,
        missing: tuple[str, ...] = (),
    ) -> None:
        super().__init__(parent, "Triage", "Triage")
        self.proposed = proposed
        self.priority = QComboBox()
        for priority in (Priority.URGENT, Priority.SOON, Priority.ROUTINE):
            text = PRIORITY_LABELS[priority]
            if priority is proposed:
                text += " (proposed)"
            self.priority.addItem(text, priority.value)
        self.priority.setCurrentIndex(self.priority.findData(proposed.value))
        self.form.addRow("Priority", self.priority)
        why = "; ".join(readable_reason(r) for r in reasons) if reasons else "no rule applied"
        self.reasons = QLabel(f"Proposed {PRIORITY_LABELS[proposed].lower()} because: {why}.")
        self.reasons.setProperty("role", "hint")
        self.reasons.setWordWrap(True)
        self.form.addRow("", self.reasons)
        self.missing = QLabel()
        self.missing.setObjectName("triageMissing")
        self.missing.setProperty("role", "error")
        self.missing.setWordWrap(True)
        if missing:
            self.missing.setText(
                f"Still missing (required): {', '.join(missing)}. "
                "You may triage now; the records stay flagged as incomplete."
            )
            self.form.addRow("Records", self.missing)
        # A priority other than the proposal needs a short reason (SPEC §3.4: both are kept).
        self.reason = QLineEdit()
        self.reason.setObjectName("triageReason")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setAccessibleName("Reason for a priority other than the proposal")
        self.form.addRow("Reason", self.reason)
        self.when = WhenField(tz, now, "Triaged earlier, at")
        self.form.addRow("When", self.when)
        self.priority.currentIndexChanged.connect(self._update_ok)
        self.reason.textChanged.connect(self._update_ok)
        self._update_ok()
        self.priority.setFocus()

    def differs(self) -> bool:
        return self.priority.currentData() != self.proposed.value

    def _update_ok(self) -> None:
        differs = self.differs()
        self.reason.setPlaceholderText(
            "Required: why not the proposed priority?" if differs else "Optional"
        )
        self.ok_button.setEnabled(not differs or bool(self.reason.text().strip()))

    def value(self) -> TriageChoice:
        return TriageChoice(
            Priority(self.priority.currentData()), self.when.value(), self.reason.text().strip()
        )


@dataclass(frozen=True)
class ScheduleChoice:
    appointment_at: datetime
    at: datetime | None


class ScheduleDialog(_Dialog):
    """Book (or rebook) the first consult."""

    def __init__(
        self,
        parent: QWidget | None,
        tz: ZoneInfo,
        now: datetime,
        current: datetime | None = None,
    ) -> None:
        title = "Reschedule" if current else "Schedule"
        super().__init__(parent, title, title)
        self.tz = tz
        proposal = current or _next_morning(now, tz)
        self.appointment = _date_time_edit(tz, proposal, None)
        self.appointment.setMinimumDateTime(to_qdatetime(now - timedelta(days=365), tz))
        self.form.addRow("Appointment", self.appointment)
        if current:
            note = QLabel(f"Currently booked for {current.astimezone(tz):%a %d %b %Y %H:%M}.")
            note.setProperty("role", "hint")
            self.form.addRow("", note)
        self.when = WhenField(tz, now, "Booked earlier, at")
        self.form.addRow("When", self.when)

    def value(self) -> ScheduleChoice:
        return ScheduleChoice(
            from_qdatetime(self.appointment.dateTime(), self.tz), self.when.value()
        )


@dataclass(frozen=True)
class ReasonChoice:
    reason: str
    at: datetime | None


class WhenDialog(_Dialog):
    """Acknowledge or mark seen: confirm, now or at an earlier time."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        ok_text: str,
        prompt: str,
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(parent, title, ok_text)
        intro = QLabel(prompt)
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.when = WhenField(tz, now)
        self.form.addRow("When", self.when)

    def value(self) -> datetime | None:
        return self.when.value()


def _next_morning(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz) + timedelta(days=1)
    return local.replace(hour=9, minute=0, second=0, microsecond=0)


class ReasonDialog(WhenDialog):
    """Decline, redirect, withdraw, no-show or reopen: a required short reason."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        ok_text: str,
        prompt: str,
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(parent, title, ok_text, prompt, tz, now)
        self.reason = QLineEdit()
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText("Required")
        self.form.insertRow(1, "Reason", self.reason)  # after the prompt, before "When"
        self.reason.textChanged.connect(self._update_ok)
        self._update_ok()
        # Typing goes into the reason at once; Tab goes on to "earlier", then the buttons.
        QWidget.setTabOrder(self.reason, self.when.earlier)
        QWidget.setTabOrder(self.when.earlier, self.when.edit)
        QWidget.setTabOrder(self.when.edit, self.ok_button)
        QWidget.setTabOrder(self.ok_button, self.cancel_button)
        self.reason.setFocus()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason.text().strip()))

    def reason_value(self) -> ReasonChoice:
        return ReasonChoice(self.reason.text().strip(), self.when.value())


@dataclass(frozen=True)
class SeenChoice:
    at: datetime | None
    earlier_than_booked: bool


class MarkSeenDialog(_Dialog):
    """Mark seen: at the appointment or later, or earlier than booked when the user says so."""

    def __init__(
        self,
        parent: QWidget | None,
        tz: ZoneInfo,
        now: datetime,
        appointment_at: datetime | None,
    ) -> None:
        super().__init__(parent, "Mark seen", "Mark seen")
        self.tz = tz
        self.now = now
        self.appointment_at = appointment_at
        intro = QLabel("Record that the patient was seen for the first consult.")
        intro.setWordWrap(True)
        self.form.addRow(intro)
        if appointment_at is not None:
            booked = QLabel(f"Booked for {appointment_at.astimezone(tz):%a %d %b %Y %H:%M}.")
            self.form.addRow("Appointment", booked)
        self.when = WhenField(tz, now, "Seen at another time")
        self.form.addRow("When", self.when)
        self.earlier = QCheckBox("The patient was seen earlier than booked")
        self.earlier.setObjectName("seenEarlier")
        self.form.addRow("", self.earlier)
        self.problem = QLabel()
        self.problem.setProperty("role", "error")
        self.problem.setWordWrap(True)
        self.form.addRow("", self.problem)
        self.earlier.setVisible(self._before_booking(now))
        # Not on Cancel: Enter there would cancel without a word.
        (self.earlier if self.earlier.isVisibleTo(self) else self.when.earlier).setFocus()
        self.earlier.toggled.connect(self._update_ok)
        self.when.earlier.toggled.connect(self._update_ok)
        self.when.edit.dateTimeChanged.connect(self._update_ok)
        self._update_ok()

    def _before_booking(self, moment: datetime) -> bool:
        return self.appointment_at is not None and moment < self.appointment_at

    def _update_ok(self) -> None:
        moment = self.when.value() or self.now
        early = self._before_booking(moment)
        self.earlier.setVisible(early or self.earlier.isChecked())
        refused = early and not self.earlier.isChecked()
        self.problem.setText(
            "That is before the appointment: tick “seen earlier than booked” if so, "
            "or give the time the patient was seen."
            if refused
            else ""
        )
        self.problem.setVisible(refused)
        self.ok_button.setEnabled(not refused)

    def value(self) -> SeenChoice:
        moment = self.when.value()
        early = self._before_booking(moment or self.now) and self.earlier.isChecked()
        return SeenChoice(moment, early)


HOLD_REASON_TEXT = {
    HoldReason.AWAITING_REFERRER: "Awaiting referrer — more information requested",
    HoldReason.PATIENT_UNAVAILABLE: "Patient unavailable — asked to wait, or cannot attend yet",
}
HOLD_REASON_EFFECT = {
    HoldReason.AWAITING_REFERRER: (
        "The due time is suspended while held but not moved: the clinic stays accountable "
        "for the time it waits on the referrer."
    ),
    HoldReason.PATIENT_UNAVAILABLE: (
        "The due time is suspended while held and moves by the time held; reports subtract "
        "this time from adjusted access times."
    ),
}


@dataclass(frozen=True)
class HoldChoice:
    reason: HoldReason
    at: datetime | None


class HoldDialog(_Dialog):
    """Put on hold: why (awaiting the referrer, or the patient), and since when."""

    def __init__(
        self,
        parent: QWidget | None,
        tz: ZoneInfo,
        now: datetime,
        default: HoldReason = HoldReason.AWAITING_REFERRER,
    ) -> None:
        super().__init__(parent, "Put on hold", "Put on hold")
        intro = QLabel(
            "The referral keeps its status; the hold shows in every list until it is resumed, "
            "seen or closed."
        )
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Hold reason")
        for reason, text in HOLD_REASON_TEXT.items():
            self.reason.addItem(text, reason.value)
        self.reason.setCurrentIndex(self.reason.findData(default.value))
        self.form.addRow("&Reason", self.reason)
        self.effect = QLabel()
        self.effect.setWordWrap(True)
        self.effect.setProperty("role", "hint")
        self.form.addRow(self.effect)
        self.when = WhenField(tz, now, "The hold began earlier, at")
        self.form.addRow("When", self.when)
        self.reason.currentIndexChanged.connect(self._explain)
        self._explain()
        self.reason.setFocus()

    def _explain(self) -> None:
        self.effect.setText(HOLD_REASON_EFFECT[HoldReason(self.reason.currentData())])

    def value(self) -> HoldChoice:
        return HoldChoice(HoldReason(self.reason.currentData()), self.when.value())
