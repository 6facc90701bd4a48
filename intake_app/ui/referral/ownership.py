"""Who works the referral: "Assigned to X since …", and "Assign to me" / "Unassign"."""

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from intake_app.domain.enums import State
from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission
from intake_app.services.referrals import Referrals
from intake_app.services.views import ReferralDetail

# The view's way to make a change: a title, and a call with the id and the version shown.
Run = Callable[[str, Callable[[int, int], object]], bool]


class OwnershipRow(QWidget):
    """One line of the referral's header; the buttons go through the view's `run`."""

    def __init__(
        self,
        signed_in: SignedIn,
        run: Run,
        when: Callable[[datetime], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ownership")
        self.referrals = Referrals(signed_in)
        self.me = signed_in.actor.name
        self.may_assign = Permission.ASSIGN in signed_in.actor.permissions
        self._run = run
        self._when = when
        self.label = QLabel()
        self.label.setObjectName("assignedTo")
        self.take = QPushButton("Assign to me")
        self.take.setObjectName("assign_to_me")
        self.release = QPushButton("Unassign")
        self.release.setObjectName("unassign")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.label)
        row.addSpacing(6)
        for button in (self.take, self.release):
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            row.addWidget(button)
        row.addStretch(1)
        # The version shown guards both: a referral taken meanwhile is refused, naming who.
        self.take.clicked.connect(self.assign_to_me)
        self.release.clicked.connect(self.unassign)
        self.fill(None)

    def fill(self, detail: ReferralDetail | None) -> None:
        owner = detail.summary.assigned_to if detail else None
        self.setVisible(detail is not None)
        if detail is None:
            self.label.clear()
        elif owner is None:
            self.label.setText("Not assigned")
        else:
            since = f" since {self._when(detail.assigned_at)}" if detail.assigned_at else ""
            self.label.setText(f"Assigned to {owner}{since}")
        is_open = detail is not None and State(detail.summary.state).is_open
        self.take.setEnabled(self.may_assign and is_open and owner != self.me)
        self.release.setEnabled(self.may_assign and owner is not None)
        if not self.may_assign:
            tip = "Only a coordinator or triage staff may assign referrals"
            self.take.setToolTip(tip)
            self.release.setToolTip(tip)
            return
        self.take.setToolTip(
            "Not now: the referral is closed"
            if detail is not None and not is_open
            else f"Take it over from {owner}"
            if owner not in (None, self.me)
            else "Work this referral yourself"
        )
        self.release.setToolTip("Leave it for anyone to take" if owner else "Nobody has it")

    def assign_to_me(self) -> bool:
        return self._run(
            "Assign to me",
            lambda rid, version: self.referrals.assign(rid, self.me, expected_version=version),
        )

    def unassign(self) -> bool:
        return self._run(
            "Unassign",
            lambda rid, version: self.referrals.unassign(rid, expected_version=version),
        )
