"""Dialogs for corrections in the referral view: un-ticking an item, correcting the receipt time.

Both need a reason: it goes on the timeline with the correction.
"""

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from intake_app.ui.common.step_dialogs import REASON_MAX, _date_time_edit, _Dialog, from_qdatetime


class _ReasonForm(_Dialog):
    """A prompt and a required reason; OK is enabled once a reason is typed."""

    def __init__(self, parent: QWidget | None, title: str, ok_text: str, prompt: str) -> None:
        super().__init__(parent, title, ok_text)
        intro = QLabel(prompt)
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setPlaceholderText("Required: shown on the timeline")
        self.form.addRow("Reason", self.reason)
        self.reason.textChanged.connect(self._update_ok)
        self._update_ok()
        # Typing goes to the reason; Enter then confirms (not the default Cancel).
        self.ok_button.setDefault(True)
        self.reason.setFocus()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason.text().strip()))

    def reason_text(self) -> str:
        return self.reason.text().strip()


class UnreceiveDialog(_ReasonForm):
    """'Not received…': a ticked item was ticked in error."""

    def __init__(self, parent: QWidget | None, item_label: str, received: str) -> None:
        label = html.escape(item_label, quote=False)
        super().__init__(
            parent,
            "Mark not received",
            "Mark not received",
            f"<b>{label}</b> was recorded as received {html.escape(received)}. Mark it not "
            "received? The receipt stays on the timeline, followed by this correction.",
        )


@dataclass(frozen=True)
class ReceiptCorrection:
    at: datetime
    reason: str


class CorrectReceiptDialog(_ReasonForm):
    """'Correct receipt time…': when the referral really arrived, and why it is corrected."""

    def __init__(
        self, parent: QWidget | None, current: datetime, tz: ZoneInfo, now: datetime
    ) -> None:
        super().__init__(
            parent,
            "Correct receipt time",
            "Correct",
            f"Recorded as received {current.astimezone(tz):%a %d %b %Y %H:%M}. Every access "
            "measure counts from this time; it cannot be set after a later step.",
        )
        self.tz = tz
        self.current = current.replace(second=0, microsecond=0)  # the edit shows minutes
        self.edit = _date_time_edit(tz, current, now)
        self.edit.setObjectName("receivedAt")
        self.form.insertRow(1, "Received at", self.edit)
        QWidget.setTabOrder(self.edit, self.reason)  # the time first, as on screen
        self.edit.dateTimeChanged.connect(self._update_ok)
        self._update_ok()
        self.edit.setFocus()

    def _update_ok(self) -> None:
        edit = getattr(self, "edit", None)
        moved = edit is not None and from_qdatetime(edit.dateTime(), self.tz) != self.current
        self.ok_button.setEnabled(bool(self.reason.text().strip()) and moved)

    def value(self) -> ReceiptCorrection:
        return ReceiptCorrection(from_qdatetime(self.edit.dateTime(), self.tz), self.reason_text())
