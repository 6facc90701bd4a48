"""The duplicate question of SPEC §3.6: link, merge or keep both."""

from datetime import tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake_app.services.referrals import (
    DuplicateChoice,
)
from intake_app.services.views import ReferralSummary
from intake_app.ui.intake.fields import (
    DATE_FORMAT,
)


class DuplicateDialog(QDialog):
    """The patient's open referral(s), and what to do with the one being logged."""

    CHOICES = (
        (DuplicateChoice.LINK, "&Link", "Log a new referral, linked to the existing one"),
        (DuplicateChoice.MERGE, "&Merge", "Log nothing new: add the ticked documents to it"),
        (DuplicateChoice.KEEP_BOTH, "&Keep both", "Log a separate, unlinked referral"),
    )

    def __init__(
        self,
        candidates: list[ReferralSummary],
        service_line_names: dict[str, str],
        tz: tzinfo,
        parent: QWidget | None = None,
        *,
        offer_merge: bool = True,  # not for an edit: there is no new referral to merge
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Possible duplicate")
        choices = [c for c in self.CHOICES if offer_merge or c[0] is not DuplicateChoice.MERGE]
        self.choice: DuplicateChoice | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        several = len(candidates) > 1
        intro = QLabel(
            "This patient already has "
            + ("open referrals" if several else "an open referral")
            + ". Nothing is saved yet: choose what to do with this one."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        columns = ["Id", "Patient", "Date of birth", "Received", "Service line", "Partner"]
        columns.append("Status")
        table = QTableWidget(len(candidates), len(columns), self)
        table.setHorizontalHeaderLabels(columns)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, c in enumerate(candidates):
            received = c.received_at.astimezone(tz)
            cells = [
                str(c.id),
                f"{c.family_name}, {c.given_name}",
                c.date_of_birth.strftime(DATE_FORMAT),
                received.strftime("%Y-%m-%d %H:%M"),
                service_line_names.get(c.service_line, c.service_line),
                c.partner,
                c.state.replace("_", " ").capitalize(),
            ]
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.setMinimumWidth(min(900, header.length() + 4))
        table.setMaximumHeight(header.height() + table.rowHeight(0) * min(len(candidates), 5) + 8)
        self.table = table
        layout.addWidget(table)
        buttons = QDialogButtonBox(self)
        self.buttons: dict[DuplicateChoice, QPushButton] = {}
        for choice, text, tip in choices:
            button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
            button.setToolTip(tip)
            button.clicked.connect(lambda _c=False, ch=choice: self._choose(ch))
            self.buttons[choice] = button
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setToolTip("Back to the form; nothing is saved")
        buttons.rejected.connect(self.reject)
        explain = QLabel("\n".join(f"{t.replace('&', '')}: {tip}." for _c, t, tip in choices))
        explain.setProperty("role", "hint")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        layout.addWidget(buttons)
        self.buttons[DuplicateChoice.LINK].setDefault(True)
        self.buttons[DuplicateChoice.LINK].setFocus()

    def _choose(self, choice: DuplicateChoice) -> None:
        self.choice = choice
        self.accept()


# -- helpers ------------------------------------------------------------------
