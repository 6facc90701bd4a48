"""The referral view's corrections: edit the intake fields, un-tick an item, correct the
receipt time, and the links to the patient's other referrals.

A mixin of ReferralView, kept apart so that the view's own module stays about viewing; it uses
the view's service, dialogs hook (exec_dialog) and change runner (_run).
"""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QToolButton, QTreeWidget, QWidget

from intake_app.domain.corrections import correction_text
from intake_app.services.actions import Action, ActionState
from intake_app.services.auth import SignedIn
from intake_app.services.clinic import Clinic
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.referrals import Referrals
from intake_app.services.views import ChecklistLine, LinkedReferral, ReferralDetail, TimelineEvent
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.flow_layout import FlowLayout
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.referral.correction_dialogs import CorrectReceiptDialog, UnreceiveDialog

C_ITEM = 0  # the checklist's item column (as in referral_view)


class CorrectionsMixin:
    """Corrections on the shown referral; ReferralView provides what is declared here."""

    signed_in: SignedIn
    referrals: Referrals
    clinic: Clinic
    tz: ZoneInfo
    bus: Bus
    prompter: Prompter
    referral_id: int | None
    detail: ReferralDetail | None
    allowed: dict[Action, ActionState]
    checklist: QTreeWidget
    show_referral: Callable[[int], None]
    reload: Callable[[], None]
    exec_dialog: Callable[..., bool]
    _run: Callable[[str, Callable[[int, int], None]], bool]
    _line: Callable[[str], ChecklistLine | None]
    _line_state: Callable[[ChecklistLine], str]
    _short: Callable[[datetime], str]

    def _build_links(self) -> QWidget:
        """The patient's linked referrals, each a button that opens it here."""
        self.links = QWidget()
        self.links.setObjectName("links")
        self.links_layout = FlowLayout(self.links)
        self.links_layout.setContentsMargins(0, 0, 0, 0)
        self.link_buttons: dict[int, QPushButton] = {}
        self.links.hide()
        return self.links

    def _build_unreceive(self) -> QPushButton:
        self.unreceive = QPushButton("Not received…")
        self.unreceive.setObjectName("unreceive")
        self.unreceive.clicked.connect(self.unreceive_selected)
        self.checklist.currentItemChanged.connect(lambda *_: self._update_unreceive())
        self.checklist.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.checklist.customContextMenuRequested.connect(self._checklist_menu)
        return self.unreceive

    def _build_edit_button(self) -> QToolButton:
        """'Edit ▾': the intake form over this referral; the receipt time from the menu."""
        self.edit_button = QToolButton()
        self.edit_button.setObjectName("edit")
        self.edit_button.setText("Edit…")
        self.edit_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.edit_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.edit_button)
        self.edit_action = menu.addAction("Edit referral…")
        self.edit_action.setObjectName("edit_referral")
        self.edit_action.triggered.connect(self.edit_referral)
        self.correct_receipt_action = menu.addAction("Correct receipt time…")
        self.correct_receipt_action.setObjectName("correct_receipt")
        self.correct_receipt_action.triggered.connect(self.correct_receipt)
        self.edit_button.setMenu(menu)
        self.edit_button.clicked.connect(self.edit_referral)
        self.may_correct = Permission.EDIT_REFERRAL in self.signed_in.actor.permissions
        return self.edit_button

    def _fill_corrections(self, detail: ReferralDetail | None) -> None:
        shown = detail is not None and self.may_correct
        for action in (self.edit_action, self.correct_receipt_action):
            action.setEnabled(shown)
        self.edit_button.setEnabled(shown)
        self.edit_button.setToolTip(
            "Correct what was entered, or the receipt time"
            if self.may_correct
            else "Only a coordinator may correct a referral"
        )
        self._fill_links(detail)
        self._update_unreceive()

    def _fill_links(self, detail: ReferralDetail | None) -> None:
        while (item := self.links_layout.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.link_buttons = {}
        rows: list[tuple[str, tuple[LinkedReferral, ...]]] = []
        if detail is not None and detail.linked_to is not None:
            rows.append(("Linked to", (detail.linked_to,)))
        if detail is not None and detail.linked_from:
            rows.append(("Linked from", detail.linked_from))
        for caption, linked in rows:
            caption_label = QLabel(caption)
            caption_label.setProperty("role", "hint")
            self.links_layout.addWidget(caption_label)
            for other in linked:
                self.links_layout.addWidget(self._link_button(other))
        self.links.setVisible(bool(rows))

    def _link_button(self, other: LinkedReferral) -> QPushButton:
        line = self.clinic.service_lines.get(other.service_line)
        state = other.state.replace("_", " ").capitalize()
        text = (
            f"#{other.id} {other.family_name}, {other.given_name} · "
            f"{line.name if line else other.service_line} · {state} · "
            f"received {self._short(other.received_at)}"
        )
        button = QPushButton(text)
        button.setObjectName(f"link_{other.id}")
        button.setFlat(True)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setToolTip(f"Open referral #{other.id}")
        button.setStyleSheet("QPushButton { color: palette(link); text-decoration: underline; }")
        button.clicked.connect(lambda _=False, rid=other.id: self.show_referral(rid))
        self.link_buttons[other.id] = button
        return button

    def _selected_received(self) -> ChecklistLine | None:
        item = self.checklist.currentItem()
        if item is None:
            return None
        line = self._line(item.data(C_ITEM, Qt.ItemDataRole.UserRole))
        return line if line is not None and line.received_at is not None else None

    def _update_unreceive(self) -> None:
        may = self.allowed.get(Action.RECEIVE_ITEM)
        line = self._selected_received()
        self.unreceive.setEnabled(bool(may and may.allowed and line is not None))
        if may and not may.allowed:
            self.unreceive.setToolTip(f"Not now: {may.reason}")
        elif line is None:
            self.unreceive.setToolTip("Select a received item to mark it not received")
        else:
            self.unreceive.setToolTip("It was ticked in error: mark it not received, with a reason")

    def _checklist_menu(self, position: QPoint) -> None:
        item = self.checklist.itemAt(position)
        if item is None:
            return
        self.checklist.setCurrentItem(item)
        if not self.unreceive.isEnabled():
            return
        menu = QMenu(self.checklist)
        menu.addAction("Mark not received…", self.unreceive_selected)
        menu.exec(self.checklist.viewport().mapToGlobal(position))

    def unreceive_selected(self) -> bool:
        """Ask for a reason, then mark the selected received item not received."""
        line = self._selected_received()
        if line is None or line.received_at is None:
            return False
        dialog = UnreceiveDialog(self._widget(), line.label, self._line_state(line))
        if not self.exec_dialog(dialog):
            return False
        reason = dialog.reason_text()
        return self._run(
            "Mark not received",
            lambda rid, v: self.referrals.unreceive_item(rid, line.key, reason, v),
        )

    def correct_receipt(self) -> bool:
        if self.detail is None:
            return False
        now = self.clinic.now()
        dialog = CorrectReceiptDialog(self._widget(), self.detail.summary.received_at, self.tz, now)
        if not self.exec_dialog(dialog):
            return False
        choice = dialog.value()
        return self._run(
            "Correct receipt time",
            lambda rid, v: self.referrals.correct_receipt(rid, choice.at, choice.reason, v),
        )

    def edit_referral(self) -> bool:
        """The intake form over this referral, modally; True when a change was saved."""
        from intake_app.ui.intake.form import IntakeDialog

        if self.referral_id is None:
            return False
        referral_id = self.referral_id
        try:
            saved = IntakeDialog.edit_referral(
                self._widget(), self.signed_in, self.bus, self.prompter, referral_id
            )
        except ServiceError as exc:
            self.prompter.error(self._widget(), "Edit referral", str(exc))
            saved = False
        if not saved:
            self.reload()  # what is stored now, whoever changed it
        return saved

    def _correction_text(self, event: TimelineEvent, labels: dict[str, str]) -> str:
        text = correction_text(
            event.kind, event.detail, self._short, lambda key: labels.get(key, key)
        )
        return text or event.kind.replace("_", " ").capitalize()

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self
