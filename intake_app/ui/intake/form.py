"""The intake form (SPEC §3.1): log a new referral, its checklist ticked in the same pass.

The layout lives in forms/intake_form.ui; this module fills the choices, validates as the user
types (through IntakeData.problems, the rules the service applies), and saves through
Referrals.log, asking about a likely duplicate (SPEC §3.6) before anything is saved.
Its other parts, one module each: intake_fast_entry (keyboard speed), intake_pre_tick (items
the form already holds), intake_edit_mode (the same form over a saved referral),
duplicate_dialog, and intake_fields (choices, labels and widget helpers they share).
"""

import itertools
from datetime import date, datetime

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimeZone
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from intake_app.domain import DomainError
from intake_app.domain.enums import Channel, Consent, ContactMethod, Sex, Trigger, Urgency
from intake_app.domain.intake import LIMITS, IntakeData
from intake_app.domain.text import search_key
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.services.partners import list_partners
from intake_app.services.referrals import (
    DuplicateChoice,
    DuplicateSuspected,
    Referrals,
)
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.style import icon
from intake_app.ui.generated.ui_intake_form import Ui_IntakeForm
from intake_app.ui.intake.edit_mode import EditMode
from intake_app.ui.intake.fast_entry import FastEntry
from intake_app.ui.intake.fields import (
    CHANNELS,
    CHOOSE,
    CONSENTS,
    CONTACT_METHODS,
    NOT_KNOWN,
    NOT_STATED,
    PARTNER_CONTACTS,
    SEXES,
    TRIGGERS,
    URGENCIES,
    DuplicateChooser,
    _enum_or_none,
    _fill,
    _numbered,
    _parse_dob,
    _Problem,
    _qdate_to_date,
    _qdatetime,
    _repolish,
)
from intake_app.ui.intake.pre_tick import PreTick


class IntakeDialog(FastEntry, PreTick, EditMode, QDialog):
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
