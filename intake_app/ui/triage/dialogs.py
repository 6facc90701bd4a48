"""The triage decisions that need more than the step dialogs: redirect, ask for information."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QButtonGroup, QComboBox, QLabel, QRadioButton, QWidget

from intake_app.ui.common.step_dialogs import ReasonDialog, WhenDialog


@dataclass(frozen=True)
class RedirectChoice:
    service_line: str | None  # None: outside the clinic
    reason: str
    at: datetime | None


class RedirectDialog(ReasonDialog):
    """Redirect to another of our service lines (it stays awaiting triage there, on that
    line's checklist) or outside the clinic (the referral closes); a reason either way."""

    def __init__(
        self,
        parent: QWidget | None,
        lines: list[tuple[str, str]],  # (key, name) of the other active service lines
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(
            parent,
            "Redirect",
            "Redirect",
            "Where does the referral go, and why?",
            tz,
            now,
        )
        self.internal = QRadioButton("To our &service line")
        self.outside = QRadioButton("&Outside the clinic (closes the referral)")
        group = QButtonGroup(self)
        group.addButton(self.internal)
        group.addButton(self.outside)
        self.line = QComboBox()
        self.line.setAccessibleName("Service line to redirect to")
        for key, name in lines:
            self.line.addItem(name, key)
        self.note = QLabel()
        self.note.setProperty("role", "hint")
        self.note.setWordWrap(True)
        self.form.insertRow(1, self.internal, self.line)
        self.form.insertRow(2, "", self.note)
        self.form.insertRow(3, self.outside)
        self.internal.setChecked(bool(lines))
        self.internal.setEnabled(bool(lines))
        self.outside.setChecked(not lines)
        self.internal.toggled.connect(self._update_destination)
        self._update_destination()
        QWidget.setTabOrder(self.internal, self.line)
        QWidget.setTabOrder(self.line, self.outside)
        QWidget.setTabOrder(self.outside, self.reason)
        self.reason.setFocus()

    def _update_destination(self) -> None:
        internal = self.internal.isChecked()
        self.line.setEnabled(internal)
        self.note.setText(
            "The new line's checklist applies; the items received carry over. "
            "It stays in the triage queue there."
            if internal
            else "The referral is closed as redirected; the reason says where it went."
        )
        self.ok_button.setText("Redirect" if internal else "Redirect outside")

    def choice(self) -> RedirectChoice:
        reason = self.reason_value()
        line = self.line.currentData() if self.internal.isChecked() else None
        return RedirectChoice(line, reason.reason, reason.at)


class MoreInformationDialog(WhenDialog):
    """Ask the referrer for more information: the referral goes on hold awaiting them."""

    def __init__(
        self, parent: QWidget | None, missing: tuple[str, ...], tz: ZoneInfo, now: datetime
    ) -> None:
        needed = (
            "Still missing (required): " + ", ".join(missing) + "."
            if missing
            else "Every required item is here; say in the letter or call what is needed."
        )
        super().__init__(
            parent,
            "Ask for more information",
            "Put on hold",
            "The referral goes on hold, awaiting the referrer, and stays in the queue. "
            "The waiting time still counts (it is not the patient's). " + needed,
            tz,
            now,
        )
