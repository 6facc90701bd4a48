"""Small dialogs for the actions on one referral: each builds its form and returns a value or None.

The referral view runs every dialog through one method it owns (`exec_dialog`), so tests can
fill in the real dialog and accept it without a modal event loop.
"""

import html
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

from intake_app.domain.enums import Priority

DATE_TIME_FORMAT = "ddd d MMM yyyy HH:mm"
REASON_MAX = 200  # a reason is a short note, not a narrative

PRIORITY_LABELS = {
    Priority.URGENT: "Urgent",
    Priority.SOON: "Soon",
    Priority.ROUTINE: "Routine",
}


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
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)


class WhenField(QWidget):
    """'Now' unless the user says it happened earlier, then the time it happened."""

    def __init__(self, tz: ZoneInfo, now: datetime, text: str = "It happened earlier, at") -> None:
        super().__init__()
        self.tz = tz
        self.earlier = QCheckBox(text)
        self.edit = _date_time_edit(tz, now, now)
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


class TriageDialog(_Dialog):
    """The triage decision: a priority, defaulting to the proposal, with the proposal's reasons."""

    def __init__(
        self,
        parent: QWidget | None,
        proposed: Priority,
        reasons: tuple[str, ...],
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(parent, "Triage", "Triage")
        self.priority = QComboBox()
        for priority in (Priority.URGENT, Priority.SOON, Priority.ROUTINE):
            text = PRIORITY_LABELS[priority]
            if priority is proposed:
                text += " (proposed)"
            self.priority.addItem(text, priority.value)
        self.priority.setCurrentIndex(self.priority.findData(proposed.value))
        self.form.addRow("Priority", self.priority)
        why = "; ".join(reasons) if reasons else "no rule applied"
        self.reasons = QLabel(f"Proposed {PRIORITY_LABELS[proposed].lower()} because: {why}.")
        self.reasons.setProperty("role", "hint")
        self.reasons.setWordWrap(True)
        self.form.addRow("", self.reasons)
        self.when = WhenField(tz, now, "Triaged earlier, at")
        self.form.addRow("When", self.when)

    def value(self) -> TriageChoice:
        return TriageChoice(Priority(self.priority.currentData()), self.when.value())


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

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason.text().strip()))

    def reason_value(self) -> ReasonChoice:
        return ReasonChoice(self.reason.text().strip(), self.when.value())
