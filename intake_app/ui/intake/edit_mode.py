"""The intake form over a saved referral: edit mode, and the duplicate question."""

from dataclasses import replace
from enum import StrEnum

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLineEdit,
    QWidget,
)

from intake_app.domain.corrections import changed_fields
from intake_app.domain.intake import IntakeData
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ConcurrentEdit, ServiceError, ValidationFailed
from intake_app.services.referrals import (
    DuplicateAfterEdit,
    DuplicateChoice,
    Referrals,
)
from intake_app.services.views import ReferralSummary
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.intake.duplicate_dialog import DuplicateDialog
from intake_app.ui.intake.fields import (
    DATE_FORMAT,
    NOT_KNOWN,
    _qdatetime,
)


class EditMode:
    """Part of IntakeDialog: editing a saved referral."""

    # -- edit mode: the same form over a saved referral -----------------------
    @classmethod
    def edit_referral(
        cls,
        parent: QWidget | None,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        referral_id: int,
    ) -> bool:
        """Edit a saved referral in the form, modally; True when a change was saved."""
        dialog = cls(signed_in, bus, prompter, parent)
        try:
            dialog.start_editing(referral_id)
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return accepted and dialog.saved_id is not None
        finally:
            dialog.deleteLater()

    def start_editing(self, referral_id: int) -> None:
        """Fill the form with the referral as stored; Save then edits it (Referrals.edit)."""
        referrals = Referrals(self._signed_in)
        detail = referrals.get(referral_id)
        data = referrals.intake_data(referral_id)
        self._edit_id = referral_id
        self._edit_version = detail.row_version
        self._edit_before = data
        self._edit_received = {line.key for line in detail.checklist if line.received_at}
        self._fill_from(data)
        ui = self.ui
        self.setWindowTitle(f"Edit referral #{referral_id}")
        ui.introLabel.setText(
            "Correct what was entered; each change is recorded on the timeline. The receipt "
            "time is corrected on its own, with a reason: “Correct receipt time…” in the "
            "referral view."
        )
        ui.receivedEdit.setEnabled(False)
        ui.receivedEdit.setToolTip(
            "The receipt time drives every measure: correct it with a reason in the referral "
            "view (Edit ▾ → Correct receipt time…)."
        )
        self.edit_reason = QLineEdit(self)
        self.edit_reason.setObjectName("editReason")
        self.edit_reason.setPlaceholderText("Reason for the change (optional)")
        self.edit_reason.setMaxLength(300)
        self.edit_reason.setMinimumWidth(self.fontMetrics().averageCharWidth() * 36)
        ui.bottomLayout.insertWidget(1, self.edit_reason)
        ui.serviceLineCombo.currentIndexChanged.connect(self._show_received_items)
        self._show_received_items()
        self._touched.update(self._fields)
        self._validate()
        self._initial = self._snapshot()
        ui.familyNameEdit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_from(self, data: IntakeData) -> None:
        ui = self.ui

        def choose(combo: QComboBox, value: StrEnum | str | None) -> None:
            combo.setCurrentIndex(combo.findData(str(value)) if value is not None else 0)

        received = data.received_at.astimezone(self._tz).replace(tzinfo=None)
        ui.receivedEdit.setDateTime(_qdatetime(received))
        choose(ui.channelCombo, data.channel)
        sent = data.partner_sent_on
        ui.sentOnEdit.setDate(QDate(sent.year, sent.month, sent.day) if sent else NOT_KNOWN)
        ui.partnerEdit.setText(data.partner)  # first: it fills the contacts it knows
        for name in ("referring_clinician", "contact_person", "contact_phone", "contact_fax"):
            widget = self._fields[name]
            assert isinstance(widget, QLineEdit)
            widget.setText(getattr(data, name))
        ui.familyNameEdit.setText(data.family_name)
        ui.givenNameEdit.setText(data.given_name)
        ui.dobEdit.setText(data.date_of_birth.strftime(DATE_FORMAT))
        choose(ui.sexCombo, data.sex)
        ui.mrnEdit.setText(data.mrn)
        ui.patientPhoneEdit.setText(data.patient_phone)
        choose(ui.contactMethodCombo, data.preferred_contact)
        ui.languageEdit.setText(data.preferred_language)
        choose(ui.serviceLineCombo, data.service_line)
        choose(ui.triggerCombo, data.trigger)
        ui.diagnosisEdit.setText(data.diagnosis)
        ui.icd10Edit.setText(data.icd10)
        ui.questionEdit.setPlainText(data.clinical_question)
        choose(ui.urgencyCombo, data.referrer_urgency)
        ui.timeframeSpin.setValue(data.preferred_timeframe_days or 0)
        choose(ui.consentCombo, data.consent_to_share)

    def _show_received_items(self, _index: int = 0) -> None:
        """In edit mode the checklist shows what is received, by key, on the chosen line."""
        for key, box in self._checks.items():
            box.setChecked(key in self._edit_received)
            box.setEnabled(False)
        self.ui.checklistHint.setText(
            "Received items count on a new service line when it lists them too. Tick or untick "
            "items in the referral view."
        )
        self.ui.checklistHint.show()

    def _save_edit(self, data: IntakeData) -> None:
        assert self._edit_id is not None
        referral_id = self._edit_id
        data = replace(data, received_at=self._edit_before.received_at)  # not edited here
        if not changed_fields(self._edit_before, data):
            self.accept()  # nothing to record
            return
        referrals = Referrals(self._signed_in)
        reason = self.edit_reason.text()
        try:
            try:
                referrals.edit(referral_id, data, reason, self._edit_version)
            except DuplicateAfterEdit as suspected:
                choice = self.choose_duplicate(suspected.candidates)
                if choice is None:
                    return
                referrals.edit(referral_id, data, reason, self._edit_version, choice)
        except ConcurrentEdit as exc:
            self._prompter.error(
                self,
                "Changes not saved",
                f"{exc}\nNothing was saved; the referral is shown as it is now.",
            )
            QDialog.reject(self)  # without "discard?": the user was just told
            return
        except ValidationFailed as failed:
            self._show_service_problems(failed.problems)
            return
        except ServiceError as exc:
            self._prompter.error(self, "Changes not saved", str(exc))
            return
        self.saved_id = referral_id
        self._bus.referrals_changed.emit(referral_id)
        self.accept()

    # -- duplicates ---------------------------------------------------------
    def _ask_duplicate(self, candidates: list[ReferralSummary]) -> DuplicateChoice | None:
        names = {key: line.name for key, line in self._service_lines.items()}
        dialog = DuplicateDialog(candidates, names, self._tz, self, offer_merge=not self._edit_id)
        try:
            dialog.exec()
            return dialog.choice
        finally:
            dialog.deleteLater()
