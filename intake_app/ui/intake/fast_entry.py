"""Faster keyboard intake: quick times, partner by Enter, checklist by number, name offers."""

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from intake_app.domain.names import capitalisation_hint
from intake_app.domain.quick_time import parse_quick_date, parse_quick_time
from intake_app.domain.text import search_key
from intake_app.ui.intake.fields import (
    _GIVEN_BACK,
    _KEYPAD,
    _SHIFT,
    _insert_below,
    _qdatetime,
    _set_role,
)


class FastEntry:
    """Part of IntakeDialog: the keys that make a faxed referral quick to type."""

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
