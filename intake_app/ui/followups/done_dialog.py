"""'Follow-up done': how the partner was chased (called, faxed, ...), a short note, and when."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from intake_app.domain.followups import OUTCOMES
from intake_app.services.followups import NOTE_LIMIT, FollowupRow
from intake_app.ui.common.step_dialogs import WhenDialog


@dataclass(frozen=True)
class DoneChoice:
    outcome: str
    note: str
    at: datetime | None  # None: now


class FollowupDoneDialog(WhenDialog):
    def __init__(
        self, parent: QWidget | None, row: FollowupRow, tz: ZoneInfo, now: datetime
    ) -> None:
        who = row.partner + (f", phone {row.phone}" if row.phone else "")
        who += f", fax {row.fax}" if row.fax else ""
        super().__init__(
            parent,
            f"Follow-up done — step {row.step}",
            "Record",
            f"{row.action_label}: {who}.",
            tz,
            now,
        )
        self.outcome = QComboBox()
        self.outcome.setObjectName("followupOutcome")
        for key, label in OUTCOMES.items():
            self.outcome.addItem(label, key)
        # An escalation is usually recorded as such; a request, most often, by fax.
        self.outcome.setCurrentIndex(
            self.outcome.findData("escalated" if row.action == "escalate_lead" else "faxed")
        )
        self.note = QLineEdit()
        self.note.setObjectName("followupNote")
        self.note.setMaxLength(NOTE_LIMIT)
        self.note.setPlaceholderText("Optional: who you spoke to")
        outcome_label, note_label = QLabel("&How"), QLabel("&Note")
        outcome_label.setBuddy(self.outcome)
        note_label.setBuddy(self.note)
        self.form.insertRow(1, outcome_label, self.outcome)
        self.form.insertRow(2, note_label, self.note)
        QWidget.setTabOrder(self.outcome, self.note)
        QWidget.setTabOrder(self.note, self.when.earlier)
        self.outcome.setFocus()

    def choice(self) -> DoneChoice:
        return DoneChoice(str(self.outcome.currentData()), self.note.text().strip(), self.value())
