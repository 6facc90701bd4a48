"""The intake form (SPEC §3.1): log a new referral, its checklist ticked in the same pass.

The layout lives in forms/intake_form.ui; this module fills the choices, validates as the user
types (through IntakeData.problems, the rules the service applies), and saves through
Referrals.log, asking about a likely duplicate (SPEC §3.6) before anything is saved.
"""

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTime, QTimer, QTimeZone
from PySide6.QtGui import QFocusEvent, QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain import DomainError
from intake_app.domain.corrections import changed_fields
from intake_app.domain.enums import Channel, Consent, ContactMethod, Sex, Trigger, Urgency
from intake_app.domain.intake import LIMITS, IntakeData, parse_date
from intake_app.domain.names import capitalisation_hint
from intake_app.domain.quick_time import parse_quick_date, parse_quick_time
from intake_app.domain.text import search_key
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ConcurrentEdit, ServiceError, ValidationFailed
from intake_app.services.partners import list_partners
from intake_app.services.referrals import (
    DuplicateAfterEdit,
    DuplicateChoice,
    DuplicateSuspected,
    Referrals,
)
from intake_app.services.views import ReferralSummary
from intake_app.ui.bus import Bus
from intake_app.ui.generated.ui_intake_form import Ui_IntakeForm
from intake_app.ui.prompts import Prompter
from intake_app.ui.style import icon

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


class IntakeDialog(QDialog):
    """Log one referral. `saved_id` is the referral's id after a successful save."""

    def __init__(
        self,
        signed_in: SignedIn,
        bus: Bus,
        prompter: Prompter,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_IntakeForm()
        self.ui.setupUi(self)
        self._signed_in = signed_in
        self._bus = bus
        self._prompter = prompter
        self._clinic = signed_in.clinic
        self._tz = self._clinic.calendar.tz
        self._service_lines = dict(self._clinic.service_lines)
        self._partners = {search_key(p.organisation): p for p in list_partners(signed_in)}
        self._autofilled: dict[str, str] = {}
        self._touched: set[str] = set()
        self._checks: dict[str, QCheckBox] = {}
        self._following_focus = False
        self.saved_id: int | None = None
        self.saved_choice: DuplicateChoice | None = None
        self._edit_id: int | None = None  # set in edit mode (start_editing)
        # Replaced in tests; the real one asks with a small dialog.
        self.choose_duplicate: DuplicateChooser = self._ask_duplicate

        ui = self.ui
        self._fields: dict[str, QWidget] = {
            "channel": ui.channelCombo,
            "received_at": ui.receivedEdit,
            "partner_sent_on": ui.sentOnEdit,
            "partner": ui.partnerEdit,
            "referring_clinician": ui.clinicianEdit,
            "contact_person": ui.contactPersonEdit,
            "contact_phone": ui.contactPhoneEdit,
            "contact_fax": ui.contactFaxEdit,
            "family_name": ui.familyNameEdit,
            "given_name": ui.givenNameEdit,
            "date_of_birth": ui.dobEdit,
            "sex": ui.sexCombo,
            "mrn": ui.mrnEdit,
            "patient_phone": ui.patientPhoneEdit,
            "preferred_contact": ui.contactMethodCombo,
            "preferred_language": ui.languageEdit,
            "service_line": ui.serviceLineCombo,
            "trigger": ui.triggerCombo,
            "diagnosis": ui.diagnosisEdit,
            "icd10": ui.icd10Edit,
            "clinical_question": ui.questionEdit,
            "referrer_urgency": ui.urgencyCombo,
            "preferred_timeframe_days": ui.timeframeSpin,
            "consent_to_share": ui.consentCombo,
        }
        self._errors: dict[str, QLabel] = {
            "received_at": ui.receivedError,
            "partner_sent_on": ui.sentOnError,
            "partner": ui.partnerError,
            "family_name": ui.familyNameError,
            "given_name": ui.givenNameError,
            "date_of_birth": ui.dobError,
            "sex": ui.sexError,
            "mrn": ui.mrnError,
            "service_line": ui.serviceLineError,
            "trigger": ui.triggerError,
            "diagnosis": ui.diagnosisError,
            "icd10": ui.icd10Error,
            "clinical_question": ui.questionError,
            "preferred_timeframe_days": ui.timeframeError,
        }
        # The user-facing name of each field is its label in the form, without "&" and ":".
        self._names: dict[str, str] = {}
        for name, widget in self._fields.items():
            for label in self.findChildren(QLabel):
                if label.buddy() is widget:
                    self._names[name] = label.text().replace("&", "").rstrip(":")

        self._fill_choices()
        self._set_defaults()
        self._set_up_partner_completion()
        self._connect()
        self._set_up_fast_keys()
        self.save_button.setIcon(icon("save"))
        save_keys = QKeySequence(QKeySequence.StandardKey.Save)
        native = QKeySequence.SequenceFormat.NativeText
        self.save_button.setToolTip(f"Save the referral ({save_keys.toString(native)})")
        QShortcut(save_keys, self, self.save)
        for label in self._errors.values():
            label.hide()
        ui.formError.hide()
        ui.partnerHint.hide()
        self._lay_out()
        self._rebuild_checklist()
        self._set_up_pre_tick()
        self._initial = self._snapshot()
        self._validate()
        self._fit_to_screen()
        # Received first: most referrals are faxes, the channel's default (Shift+Tab reaches it).
        ui.receivedEdit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- public -------------------------------------------------------------
    @classmethod
    def log_referral(
        cls, parent: QWidget | None, signed_in: SignedIn, bus: Bus, prompter: Prompter
    ) -> int | None:
        """Show the form modally; the new referral's id, or None if the user cancelled."""
        dialog = cls(signed_in, bus, prompter, parent)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.saved_id
            return None
        finally:
            dialog.deleteLater()

    @property
    def save_button(self) -> QPushButton:
        return self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save)

    @property
    def cancel_button(self) -> QPushButton:
        return self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel)

    def checklist_boxes(self) -> dict[str, QCheckBox]:
        """The checklist's boxes by item key, in checklist order."""
        return dict(self._checks)

    def error_text(self, field: str) -> str:
        """The inline error shown for `field` (an IntakeData field name), or ''."""
        label = self._errors.get(field)
        if label is not None:
            return label.text() if not label.isHidden() else ""
        return ""

    def problems(self) -> list[str]:
        """Every problem of the form as it stands, shown or not, as 'Field name problem'."""
        return [self._message(p) for p in self._problems()[1]]

    def save(self) -> None:
        """Save if every field is valid; otherwise show every problem and go to the first."""
        data, problems = self._problems()
        if problems or data is None:
            self._touched.update(self._fields)
            self._validate()
            first = self._fields.get(problems[0].field) if problems else None
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
                error = self._errors.get(problems[0].field)
                if error is not None:  # the message under it in view too, when it scrolls
                    self.ui.columnsLayout.activate()
                    self.ui.scrollArea.ensureWidgetVisible(error, 20, 20)
                    self.ui.scrollArea.ensureWidgetVisible(first, 20, 20)
            return
        if self._edit_id is not None:
            self._save_edit(data)
            return
        items: dict[str, datetime | None] = {
            key: None for key, box in self._checks.items() if box.isChecked()
        }
        referrals = Referrals(self._signed_in)
        choice: DuplicateChoice | None = None
        try:
            try:
                new_id = referrals.log(data, items)
            except DuplicateSuspected as suspected:
                choice = self.choose_duplicate(suspected.candidates)
                if choice is None:
                    return
                new_id = referrals.log(data, items, choice)
        except ValidationFailed as failed:
            self._show_service_problems(failed.problems)
            return
        except ServiceError as exc:
            self._prompter.error(self, "Referral not saved", str(exc))
            return
        self.saved_id = new_id
        self.saved_choice = choice
        self._bus.referrals_changed.emit(new_id)
        if choice is DuplicateChoice.MERGE:
            self._prompter.info(
                self,
                "Merged",
                f"No new referral was logged: the documents were added to referral {new_id}.",
            )
        self.accept()

    def reject(self) -> None:
        """Esc, Cancel or closing the window: ask first if anything was typed."""
        question = "Discard your changes?" if self._edit_id else "Discard this referral?"
        if self._snapshot() != self._initial and not self._prompter.confirm(
            self,
            question,
            "What you typed in the form will be lost.",
            yes="Discard",
            no="Keep editing",
            default_no=True,  # Enter after a stray Esc must not lose the input
        ):
            return
        super().reject()

    # -- set-up -------------------------------------------------------------
    def _fill_choices(self) -> None:
        ui = self.ui
        _fill(ui.channelCombo, CHANNELS)
        _fill(ui.sexCombo, SEXES, placeholder=CHOOSE)
        _fill(ui.contactMethodCombo, CONTACT_METHODS, none_text=NOT_STATED)
        lines = {key: line.name for key, line in self._service_lines.items()}
        _fill(ui.serviceLineCombo, lines, placeholder=CHOOSE)
        _fill(ui.triggerCombo, TRIGGERS, placeholder=CHOOSE)
        _fill(ui.urgencyCombo, URGENCIES, none_text=NOT_STATED)
        _fill(ui.consentCombo, CONSENTS)
        for name, limit in LIMITS.items():
            widget = self._fields.get(name)
            if isinstance(widget, QLineEdit):
                widget.setMaxLength(limit)

    def _set_defaults(self) -> None:
        ui = self.ui
        local_now = self._clinic.now().astimezone(self._tz).replace(microsecond=0)
        # Wall-clock time of the clinic, held as UTC so no local-time rule of this computer
        # (or a DST gap) gets in the way; read back as clinic time in _received_at().
        ui.receivedEdit.setTimeZone(QTimeZone.utc())
        ui.receivedEdit.setDateTime(_qdatetime(local_now))
        ui.receivedEdit.setToolTip(
            "When the referral arrived, in clinic time. Set it earlier for a referral that "
            "arrived before it was logged; the time of logging is kept as well."
        )
        ui.sentOnEdit.setMinimumDate(NOT_KNOWN)
        ui.sentOnEdit.setDate(NOT_KNOWN)
        ui.sentOnEdit.setToolTip(
            "The date on the fax header or the letter; Delete sets it back to not known."
        )
        ui.timeframeSpin.setValue(0)
        ui.questionCount.setText(f"0 / {LIMITS['clinical_question']}")
        # One tab stop each; the sections of a date are reached by typing or the arrow keys.
        self._sent_calendar = ui.sentOnEdit.calendarWidget()
        self._sent_calendar.installEventFilter(self)
        for edit in (ui.receivedEdit, ui.sentOnEdit):
            edit.installEventFilter(self)

    def _set_up_partner_completion(self) -> None:
        names = [p.organisation for p in self._partners.values()]
        completer = QCompleter(sorted(names, key=str.casefold), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.ui.partnerEdit.setCompleter(completer)
        self._completer = completer

    def _connect(self) -> None:
        ui = self.ui
        for name, widget in self._fields.items():
            if isinstance(widget, QLineEdit):
                if name == "date_of_birth":
                    widget.textChanged.connect(self._dob_changed)
                    widget.editingFinished.connect(lambda: self._touch("date_of_birth"))
                else:
                    widget.textChanged.connect(lambda _t, n=name: self._touch(n))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, n=name: self._touch(n))
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(lambda n=name: self._touch(n))
        ui.receivedEdit.dateTimeChanged.connect(lambda _d: self._touch("received_at"))
        ui.sentOnEdit.dateChanged.connect(lambda _d: self._touch("partner_sent_on"))
        ui.timeframeSpin.valueChanged.connect(lambda _v: self._touch("preferred_timeframe_days"))
        ui.partnerEdit.textChanged.connect(self._partner_changed)
        ui.serviceLineCombo.currentIndexChanged.connect(self._rebuild_checklist)
        self.save_button.clicked.connect(self.save)
        ui.buttonBox.rejected.connect(self.reject)

    def _lay_out(self) -> None:
        """What the .ui cannot say: sizes that follow the font, so 200% scaling stays tidy."""
        ui = self.ui
        lines = ui.questionEdit.fontMetrics().lineSpacing()
        ui.questionEdit.setFixedHeight(lines * 4 + 16)
        # Fields of one column start at the same x, across its groups.
        columns = (
            (ui.referralForm, ui.partnerForm, ui.patientForm),
            (ui.clinicalForm,),
        )
        for forms in columns:
            labels = [
                item.widget()
                for form in forms
                for row in range(form.rowCount())
                if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
            ]
            width = max(label.sizeHint().width() for label in labels if label is not None)
            for label in labels:
                if label is not None:
                    label.setMinimumWidth(width)
        # Room for the longest checklist, so choosing a service line does not move the form.
        longest = max(
            self._service_lines.values(), key=lambda line: len(line.checklist), default=None
        )
        if longest is not None:
            self._build_checklist(longest.key)
            ui.documentsGroup.setMinimumHeight(ui.documentsGroup.sizeHint().height())

    def _fit_to_screen(self) -> None:
        """As large as the content wants, within the screen (it scrolls at high scaling)."""
        for layout in self.findChildren(QLayout):
            layout.invalidate()  # cached hints still count the error lines hidden just now
        content = self.ui.columnsLayout.sizeHint()
        margins = self.layout().contentsMargins()
        em = self.fontMetrics().horizontalAdvance("M")
        bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        width = max(content.width(), 84 * em) + margins.left() + margins.right() + bar + 8
        bottom = self.ui.bottomLayout.sizeHint().height() + self.ui.introLabel.sizeHint().height()
        height = content.height() + margins.top() + margins.bottom() + bottom + 3 * 8
        screen = self.screen().availableGeometry()
        self.setMinimumSize(min(40 * em, screen.width()), min(20 * em, screen.height()))
        self.resize(min(width, int(screen.width() * 0.95)), min(height, int(screen.height() * 0.9)))

    # -- events -------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._fast_key(watched, event):
            return True
        ui = self.ui
        if watched is self._sent_calendar and event.type() == QEvent.Type.Show:
            if ui.sentOnEdit.date() == NOT_KNOWN:
                today = self._clinic.now().astimezone(self._tz).date()
                self._sent_calendar.setCurrentPage(today.year, today.month)
            return False
        if watched in (ui.receivedEdit, ui.sentOnEdit) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent) and isinstance(watched, QDateTimeEdit)
            return self._date_key(watched, event)
        return super().eventFilter(watched, event)

    def _date_key(self, edit: QDateTimeEdit, event: QKeyEvent) -> bool:
        """Typing in the date edits as one would expect; True when the key is dealt with."""
        key, text = event.key(), event.text()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Tab and plain:  # one tab stop, not one per section
            self.focusNextChild()
            return True
        if key == Qt.Key.Key_Backtab:
            self.focusPreviousChild()
            return True
        sent_on = self.ui.sentOnEdit
        if edit is sent_on and key == Qt.Key.Key_Delete and plain:
            sent_on.setDate(NOT_KNOWN)
            return True
        if edit is sent_on and sent_on.date() == NOT_KNOWN and text[:1].isdigit():
            # Over "Not known" Qt would append the digits to the text: start from today.
            today = self._clinic.now().astimezone(self._tz).date()
            sent_on.setDate(QDate(today.year, today.month, today.day))
            sent_on.setSelectedSection(QDateTimeEdit.Section.YearSection)
            return False
        line = edit.findChild(QLineEdit)
        if text in ("-", ":", " ") and line is not None:
            # A full section moves on by itself; the separator typed after it must not move
            # on again ("2026-11-17" would fill the day with 11).
            at = line.selectionStart() if line.hasSelectedText() else line.cursorPosition()
            if at > 0 and line.text()[at - 1] == text:
                return True
        return False

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.ui.scrollContents.isAncestorOf(new):
            self.ui.scrollArea.ensureWidgetVisible(new, 20, 20)

    def showEvent(self, event: QShowEvent) -> None:
        app = QApplication.instance()
        if not self._following_focus and isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._following_focus = True
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        app = QApplication.instance()
        if self._following_focus and isinstance(app, QApplication):
            app.focusChanged.disconnect(self._focus_changed)
            self._following_focus = False
        super().hideEvent(event)

    # -- reactions ----------------------------------------------------------
    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self._validate()

    def _dob_changed(self, text: str) -> None:
        # Not while the date is half typed: only once it is complete, or when the user leaves.
        if len(text.strip()) >= len("yyyy-mm-dd"):
            self._touched.add("date_of_birth")
        self._validate()

    def _partner_changed(self, text: str) -> None:
        partner = self._partners.get(search_key(text)) if text.strip() else None
        for name, attribute in PARTNER_CONTACTS.items():
            widget = self._fields[name]
            assert isinstance(widget, QLineEdit)
            current = widget.text()
            # Fill what is empty or what we filled before; never what the user typed.
            if current and current != self._autofilled.get(name):
                continue
            value = getattr(partner, attribute) if partner else ""
            if value != current:
                widget.setText(value)
            self._autofilled[name] = value
        hint = self.ui.partnerHint
        if text.strip() and partner is None:
            hint.setText("Not in the directory: it will be added when the referral is saved.")
            hint.show()
        else:
            hint.hide()

    def _rebuild_checklist(self) -> None:
        self._build_checklist(str(self.ui.serviceLineCombo.currentData() or ""))

    def _build_checklist(self, line_key: str) -> None:
        ui = self.ui
        kept = {key for key, box in self._checks.items() if box.isChecked()}
        for box in self._checks.values():
            box.hide()
            ui.checklistLayout.removeWidget(box)
            box.deleteLater()
        self._checks = {}
        line = self._service_lines.get(line_key)
        ui.checklistHint.setVisible(line is None)
        chain: list[QWidget] = [ui.consentCombo]
        if line is not None:
            for number, item in enumerate(line.checklist, start=1):
                text = f"{item.label} (required)" if item.required else item.label
                box = QCheckBox(_numbered(number, text), ui.documentsGroup)
                box.installEventFilter(self)  # its number ticks it (_fast_key)
                box.setObjectName(f"item_{item.key}")
                box.setProperty("itemKey", item.key)
                if item.required:
                    font = box.font()
                    font.setBold(True)
                    box.setFont(font)
                box.setChecked(item.key in kept)
                box.toggled.connect(self._validate)
                ui.checklistLayout.addWidget(box)
                box.show()  # now, not on the next turn of the event loop: Tab may come first
                self._checks[item.key] = box
                chain.append(box)
        chain += [self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(self._fax_order(chain)):
            QWidget.setTabOrder(first, second)

    # -- validation ---------------------------------------------------------
    def _problems(self) -> tuple[IntakeData | None, list[_Problem]]:
        """The record as typed (None if it cannot be built) and every problem, in form order."""
        ui = self.ui
        found: dict[str, str] = {}
        dob_text = ui.dobEdit.text().strip()
        dob: date | None = None
        if not dob_text:
            found["date_of_birth"] = "is required"
        else:
            try:
                dob = _parse_dob(dob_text)
            except DomainError:
                found["date_of_birth"] = "is not a date: type it as YYYY-MM-DD"
        sex = ui.sexCombo.currentData()
        if sex is None:
            found["sex"] = "is required: choose one"
        service_line = ui.serviceLineCombo.currentData()
        if service_line is None:
            found["service_line"] = "is required: choose one"
        trigger = ui.triggerCombo.currentData()
        if trigger is None:
            found["trigger"] = "is required: choose one"
        timeframe = ui.timeframeSpin.value()
        data = IntakeData(
            received_at=self._received_at(),
            channel=Channel(ui.channelCombo.currentData()),
            partner=ui.partnerEdit.text(),
            family_name=ui.familyNameEdit.text(),
            given_name=ui.givenNameEdit.text(),
            date_of_birth=dob or date(2000, 1, 1),
            sex=Sex(sex) if sex else Sex.UNKNOWN,
            service_line=str(service_line or ""),
            trigger=Trigger(trigger) if trigger else Trigger.OTHER,
            referrer_urgency=_enum_or_none(Urgency, ui.urgencyCombo.currentData()),
            referring_clinician=ui.clinicianEdit.text(),
            contact_person=ui.contactPersonEdit.text(),
            contact_phone=ui.contactPhoneEdit.text(),
            contact_fax=ui.contactFaxEdit.text(),
            mrn=ui.mrnEdit.text(),
            patient_phone=ui.patientPhoneEdit.text(),
            preferred_contact=_enum_or_none(ContactMethod, ui.contactMethodCombo.currentData()),
            preferred_language=ui.languageEdit.text(),
            diagnosis=ui.diagnosisEdit.text(),
            icd10=ui.icd10Edit.text(),
            clinical_question=ui.questionEdit.toPlainText(),
            preferred_timeframe_days=timeframe or None,
            consent_to_share=Consent(ui.consentCombo.currentData()),
            partner_sent_on=_qdate_to_date(ui.sentOnEdit.date())
            if ui.sentOnEdit.date() != NOT_KNOWN
            else None,
        )
        local_now = self._clinic.now().astimezone(self._tz)
        for problem in data.problems(frozenset(self._service_lines), local_now):
            found.setdefault(problem.field or "", problem.message)
        order = list(self._fields)
        problems = sorted(
            (_Problem(f, m) for f, m in found.items()),
            key=lambda p: order.index(p.field) if p.field in order else len(order),
        )
        return (None if found else data), problems

    def _validate(self) -> None:
        _data, problems = self._problems()
        by_field = {p.field: p for p in problems}
        for name, label in self._errors.items():
            problem = by_field.get(name)
            shown = problem is not None and name in self._touched
            self._show_error(name, label, self._message(problem) if shown and problem else "")
        # Problems of fields without their own error line (none expected from the form).
        others = [self._message(p) for p in problems if p.field not in self._errors]
        self.ui.formError.setText("\n".join(others))
        self.ui.formError.setVisible(bool(others))
        self.save_button.setEnabled(not problems)
        if problems:
            names = [self._names.get(p.field, p.field) for p in problems]
            self.ui.saveHint.setText(f"Before saving, check: {', '.join(names)}.")
        else:
            self.ui.saveHint.setText("Ready to save.")
        self._update_count()

    def _update_count(self) -> None:
        length = len(self.ui.questionEdit.toPlainText())
        limit = LIMITS["clinical_question"]
        self.ui.questionCount.setText(f"{length} / {limit}")
        role = "error" if length > limit else "hint"
        if self.ui.questionCount.property("role") != role:
            self.ui.questionCount.setProperty("role", role)
            _repolish(self.ui.questionCount)

    def _show_error(self, name: str, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
        widget = self._fields[name]
        widget.setAccessibleDescription(text)
        if bool(widget.property("invalid")) != bool(text):
            widget.setProperty("invalid", bool(text))
            _repolish(widget)

    def _message(self, problem: _Problem) -> str:
        name = self._names.get(problem.field, problem.field)
        # "ICD-10: 'X1' is not an ICD-10 code", but "Family name is required".
        separator = ": " if problem.message.startswith("'") else " "
        return f"{name}{separator}{problem.message}"

    def _show_service_problems(self, problems: list[str]) -> None:
        """The service refused the record: each 'field: problem' next to its field."""
        others = []
        for text in problems:
            name, _sep, message = text.partition(": ")
            label = self._errors.get(name)
            if label is not None and message:
                self._show_error(name, label, self._message(_Problem(name, message)))
            else:
                others.append(text)
        self.ui.formError.setText("\n".join(others))
        self.ui.formError.setVisible(bool(others))

    def _received_at(self) -> datetime:
        value = self.ui.receivedEdit.dateTime()
        day, time = value.date(), value.time()
        return datetime(
            day.year(),
            day.month(),
            day.day(),
            time.hour(),
            time.minute(),
            time.second(),
            tzinfo=self._tz,
        )

    def _snapshot(self) -> tuple[object, ...]:
        ui = self.ui
        values: list[object] = [
            ui.receivedEdit.dateTime().toString(Qt.DateFormat.ISODate),
            ui.sentOnEdit.date().toString(Qt.DateFormat.ISODate),
            ui.timeframeSpin.value(),
            ui.questionEdit.toPlainText(),
        ]
        for widget in self._fields.values():
            if isinstance(widget, QLineEdit):
                values.append(widget.text())
            elif isinstance(widget, QComboBox):
                values.append(widget.currentIndex())
        values.append(tuple(sorted(k for k, b in self._checks.items() if b.isChecked())))
        return tuple(values)

    # -- fast keyboard intake -------------------------------------------------
    def _set_up_fast_keys(self) -> None:
        """Quick times, a partner picked with Enter, checklist items by number, and the
        capitalised form of names typed in one case (offered, never forced)."""
        ui = self.ui
        self._quick: dict[QDateTimeEdit, str] = {}
        self._fresh: set[QDateTimeEdit] = set()  # focused, nothing typed yet
        self._quick_before: dict[QDateTimeEdit, QDateTime] = {}
        self._focus_after_popup: QWidget | None = None
        self._quick_hints: dict[QDateTimeEdit, QLabel] = {}
        for edit, form, error, example in (
            (ui.receivedEdit, ui.referralForm, ui.receivedError, "y 17:00, -2h, t 8:30"),
            (ui.sentOnEdit, ui.referralForm, ui.sentOnError, "y, t, -3d"),
        ):
            hint = QLabel()
            hint.setProperty("role", "hint")
            hint.setObjectName(edit.objectName().replace("Edit", "QuickHint"))
            hint.hide()
            _insert_below(form, error, hint)
            self._quick_hints[edit] = hint
            edit.setToolTip(f"{edit.toolTip()}\nQuick forms: {example}.".strip())
        self._completer.popup().installEventFilter(self)
        ui.partnerEdit.installEventFilter(self)
        self._word_search: dict[QComboBox, tuple[str, int]] = {}
        for combo in (ui.serviceLineCombo, ui.triggerCombo):
            combo.installEventFilter(self)  # "l" finds "Abnormal labs" (_search_words)
        self._name_offers: dict[QLineEdit, QPushButton] = {}
        for edit, form, error in (
            (ui.familyNameEdit, ui.patientForm, ui.familyNameError),
            (ui.givenNameEdit, ui.patientForm, ui.givenNameError),
        ):
            offer = QPushButton()
            offer.setObjectName(edit.objectName().replace("Edit", "Offer"))
            offer.hide()
            offer.clicked.connect(lambda _c=False, e=edit: self._accept_offer(e))
            edit.textChanged.connect(lambda _t, e=edit: self._offer_capitals(e))
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(offer)
            layout.addStretch(1)
            _insert_below(form, error, row)
            self._name_offers[edit] = offer

    def _fax_order(self, chain: list[QWidget]) -> list[QWidget]:
        """The tab order the way a referral fax reads: when and from whom, the patient, the
        clinical part, the attachments; then what a fax rarely says (a preferred timeframe) and
        what the clinic adds (MRN, contact preferences, consent).
        `chain` is consent, the checklist's boxes, Save and Cancel."""
        ui = self.ui
        offers = getattr(self, "_name_offers", {})
        boxes = chain[1:-2]
        return [
            ui.channelCombo,
            ui.receivedEdit,
            ui.sentOnEdit,
            ui.partnerEdit,
            ui.clinicianEdit,
            ui.contactPhoneEdit,
            ui.contactFaxEdit,
            ui.contactPersonEdit,
            ui.familyNameEdit,
            *([offers[ui.familyNameEdit]] if offers else []),
            ui.givenNameEdit,
            *([offers[ui.givenNameEdit]] if offers else []),
            ui.dobEdit,
            ui.sexCombo,
            ui.patientPhoneEdit,
            ui.serviceLineCombo,
            ui.triggerCombo,
            ui.diagnosisEdit,
            ui.icd10Edit,
            ui.questionEdit,
            ui.urgencyCombo,
            *boxes,
            ui.timeframeSpin,
            ui.mrnEdit,
            ui.contactMethodCombo,
            ui.languageEdit,
            ui.consentCombo,
            *chain[-2:],
        ]

    def _fast_key(self, watched: QObject, event: QEvent) -> bool:
        """Keys the fast paths take; True when the key is dealt with."""
        kind = event.type()
        ui = self.ui
        quick = getattr(self, "_quick", None)
        if quick is None:
            return False
        if watched in (ui.receivedEdit, ui.sentOnEdit):
            assert isinstance(watched, QDateTimeEdit)
            if kind == QEvent.Type.FocusIn:
                self._fresh.add(watched)
            elif kind == QEvent.Type.FocusOut and watched in quick:
                self._finish_quick(watched)
            elif kind == QEvent.Type.KeyPress:
                assert isinstance(event, QKeyEvent)
                return self._quick_key(watched, event)
            return False
        if watched is ui.partnerEdit and kind == QEvent.Type.FocusIn:
            assert isinstance(event, QFocusEvent)
            target, self._focus_after_popup = self._focus_after_popup, None
            # Only the focus handed back as the list closes; not the user's Shift+Tab or click.
            if target is not None and event.reason() in _GIVEN_BACK:
                QTimer.singleShot(0, self, lambda: target.setFocus(Qt.FocusReason.TabFocusReason))
            return False
        if kind != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if watched is self._completer.popup() and event.key() in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            return self._choose_partner()
        if watched is ui.partnerEdit and event.key() == Qt.Key.Key_Tab:
            return not event.modifiers() & ~_KEYPAD and self._skip_filled_contacts()
        if isinstance(watched, QComboBox) and watched in self._word_search_combos():
            return self._search_words(watched, event)
        if isinstance(watched, QCheckBox) and watched in self._checks.values():
            text = event.text()
            if len(text) == 1 and text.isdigit() and not event.modifiers() & ~_KEYPAD:
                boxes = list(self._checks.values())
                number = int(text) or 10
                if number <= len(boxes):
                    boxes[number - 1].toggle()
                    boxes[number - 1].setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        return False

    def _word_search_combos(self) -> tuple[QComboBox, ...]:
        return (self.ui.serviceLineCombo, self.ui.triggerCombo)

    def _search_words(self, combo: QComboBox, event: QKeyEvent) -> bool:
        """Type-ahead on the start of any word of a choice, first words first: "l" is
        "Abnormal labs", "b" "New biopsy finding". The same letter again goes to the next."""
        text = event.text()
        if len(text) != 1 or not text.isprintable() or event.modifiers() & ~_SHIFT:
            return False
        now = QDateTime.currentMSecsSinceEpoch()
        typed, last = self._word_search.get(combo, ("", 0))
        if now - last > QApplication.keyboardInputInterval():
            typed = ""
        typed += text.casefold()
        self._word_search[combo] = (typed, now)
        again = len(typed) > 1 and set(typed) == {typed[0]}
        wanted = typed[0] if again else typed
        texts = [combo.itemText(i).casefold().split() for i in range(combo.count())]
        first = [i for i, words in enumerate(texts) if words and words[0].startswith(wanted)]
        other = [
            i
            for i, words in enumerate(texts)
            if i not in first and any(w.startswith(wanted) for w in words[1:])
        ]
        found = first + other
        if not found:
            return True  # nothing starts so: stay, as Qt's own type-ahead does
        if again and combo.currentIndex() in found:
            found = found[found.index(combo.currentIndex()) + 1 :] + found
        combo.setCurrentIndex(found[0])
        return True

    def _quick_key(self, edit: QDateTimeEdit, event: QKeyEvent) -> bool:
        """Typing a quick form ("y 17:00") into a date field: kept as text, shown below it,
        and the field set as soon as the text means a time."""
        typed = self._quick.get(edit)
        text, key = event.text(), event.key()
        fresh = edit in self._fresh
        self._fresh.discard(edit)
        if typed is None:
            # Letters mean nothing to a date field; "-" is a quick form only as the first key
            # (after "2026" it is the date's own separator).
            starts = ("ytn" if edit is self.ui.receivedEdit else "yt") + ("-" if fresh else "")
            if len(text) == 1 and text.lower() in starts and not event.modifiers() & ~_SHIFT:
                self._quick_before[edit] = edit.dateTime()
                self._quick[edit] = text
                self._show_quick(edit)
                return True
            return False
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish_quick(edit)
            return key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # Tab moves on as usual
        if key == Qt.Key.Key_Escape:
            del self._quick[edit]
            edit.setDateTime(self._quick_before[edit])
            self._quick_hints[edit].hide()
            return True
        if key == Qt.Key.Key_Backspace:
            self._quick[edit] = typed[:-1]
            if not self._quick[edit]:
                del self._quick[edit]
                self._quick_hints[edit].hide()
                return True
        elif text and text.isprintable():
            self._quick[edit] = typed + text
        else:
            return False
        self._show_quick(edit)
        return True

    def _quick_value(self, edit: QDateTimeEdit, typed: str) -> QDateTime | QDate | None:
        local_now = self._clinic.now().astimezone(self._tz)
        if edit is self.ui.receivedEdit:
            moment = parse_quick_time(typed, local_now)
            return _qdatetime(moment) if moment is not None else None
        day = parse_quick_date(typed, local_now.date())
        return QDate(day.year, day.month, day.day) if day is not None else None

    def _show_quick(self, edit: QDateTimeEdit) -> None:
        typed = self._quick[edit]
        value = self._quick_value(edit, typed)
        hint = self._quick_hints[edit]
        if isinstance(value, QDateTime):
            edit.setDateTime(value)
            hint.setText(f"“{typed}”: {value.toString('ddd d MMM yyyy HH:mm')}")
        elif isinstance(value, QDate):
            edit.setDate(value)
            hint.setText(f"“{typed}”: {value.toString('ddd d MMM yyyy')}")
        else:
            hint.setText(f"“{typed}”…")
        _set_role(hint, "hint")
        hint.show()

    def _finish_quick(self, edit: QDateTimeEdit) -> None:
        typed = self._quick.pop(edit, None)
        if typed is None:
            return
        hint = self._quick_hints[edit]
        if self._quick_value(edit, typed) is None:
            received = edit is self.ui.receivedEdit
            field = self._names.get("received_at" if received else "partner_sent_on", "")
            example = "y 17:00, -2h or 2026-11-17 17:00" if received else "y, t or -3d"
            hint.setText(f"{field}: “{typed}” is not a quick form: type e.g. {example}")
            edit.setDateTime(self._quick_before[edit])  # back to what it was
            _set_role(hint, "error")
            hint.show()
        else:
            hint.hide()

    def _choose_partner(self) -> bool:
        """Enter in the completion list: take the highlighted partner, else the first, and go
        on past the contacts the directory filled."""
        popup = self._completer.popup()
        index = popup.currentIndex()
        if not index.isValid():
            if popup.model().rowCount() == 0:
                return False
            index = popup.model().index(0, 0)
        self.ui.partnerEdit.setText(str(index.data()))
        popup.hide()
        # Closing the list gives the focus back to the partner field once the window is
        # active again; _fast_key sends it on from there.
        self._focus_after_popup = self._filled_contacts_skip_target()
        if self._focus_after_popup is not None:
            self._focus_after_popup.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _filled_contacts_skip_target(self) -> QWidget | None:
        ui = self.ui
        if search_key(ui.partnerEdit.text()) not in self._partners:
            return None
        contacts = (ui.clinicianEdit, ui.contactPhoneEdit, ui.contactFaxEdit)
        if not any(edit.text() for edit in contacts):
            return None  # the directory filled nothing
        return next((edit for edit in contacts if not edit.text()), ui.familyNameEdit)

    def _skip_filled_contacts(self) -> bool:
        """Tab from a directory partner: on to the first of clinician, phone and fax still
        empty, else to the patient (Shift+Tab goes back through them to the contact person)."""
        target = self._filled_contacts_skip_target()
        if target is None:
            return False
        target.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _offer_capitals(self, edit: QLineEdit) -> None:
        offer = self._name_offers[edit]
        suggestion = capitalisation_hint(edit.text())
        if suggestion is None:
            offer.hide()
            return
        offer.setText(f"Use “{suggestion}”")
        offer.setProperty("suggestion", suggestion)
        offer.setToolTip("Names typed all in lower or upper case print that way in letters")
        offer.setAccessibleName(f"Capitalise as {suggestion}")
        offer.show()

    def _accept_offer(self, edit: QLineEdit) -> None:
        offer = self._name_offers[edit]
        edit.setText(str(offer.property("suggestion")))
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.focusNextChild()

    # -- what the form already holds counts (intake only) --------------------
    def _set_up_pre_tick(self) -> None:
        """Tick diagnosis, clinical question and demographics once the form holds them.

        The user may untick them; an item the user unticked is not ticked again by typing.
        """
        self._auto_ticked: set[str] = set()
        self._user_unticked: set[str] = set()
        self._pre_ticking = False
        ui = self.ui
        for edit in (ui.diagnosisEdit, ui.familyNameEdit, ui.givenNameEdit, ui.dobEdit):
            edit.textChanged.connect(self._pre_tick)
        ui.questionEdit.textChanged.connect(self._pre_tick)
        ui.sexCombo.currentIndexChanged.connect(self._pre_tick)
        # After _rebuild_checklist (connected earlier): the new boxes exist by then.
        ui.serviceLineCombo.currentIndexChanged.connect(self._watch_pre_tick_boxes)
        self._watch_pre_tick_boxes()

    def _form_holds(self) -> dict[str, bool]:
        """For each item the form itself can supply: whether it is filled in."""
        ui = self.ui
        try:
            _parse_dob(ui.dobEdit.text().strip())
            dob_ok = True
        except DomainError:
            dob_ok = False
        demographics = (
            bool(ui.familyNameEdit.text().strip())
            and bool(ui.givenNameEdit.text().strip())
            and dob_ok
            and ui.sexCombo.currentData() is not None
        )
        return {
            "demographics": demographics,
            "diagnosis": bool(ui.diagnosisEdit.text().strip()),
            "clinical_question": bool(ui.questionEdit.toPlainText().strip()),
        }

    def _watch_pre_tick_boxes(self, _index: int = 0) -> None:
        for key, box in self._checks.items():
            if key in ("demographics", "diagnosis", "clinical_question"):
                box.toggled.connect(lambda on, k=key: self._pre_tick_box_toggled(k, on))
        self._pre_tick()

    def _pre_tick_box_toggled(self, key: str, on: bool) -> None:
        if self._pre_ticking:
            return
        self._auto_ticked.discard(key)  # the user's own choice from now on
        if on:
            self._user_unticked.discard(key)
        else:
            self._user_unticked.add(key)

    def _pre_tick(self, *_args: object) -> None:
        if self._edit_id is not None:
            return
        self._pre_ticking = True
        try:
            for key, filled in self._form_holds().items():
                box = self._checks.get(key)
                if box is None or key in self._user_unticked:
                    continue
                if filled and not box.isChecked():
                    box.setChecked(True)
                    self._auto_ticked.add(key)
                elif not filled and key in self._auto_ticked:
                    box.setChecked(False)
                    self._auto_ticked.discard(key)
        finally:
            self._pre_ticking = False

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
