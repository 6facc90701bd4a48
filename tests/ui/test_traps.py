"""Issue 9's traps, met as users meet them: modal dialogs under exec(), keys through the window
system (so a window blocked by a modal dialog really does not get them), clicks on the table."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from intake_app.domain.enums import Priority, State, Trigger
from intake_app.services.actions import Action
from intake_app.services.referrals import Referrals
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.step_dialogs import MarkSeenDialog, ReasonDialog, TriageDialog
from intake_app.ui.intake.form import IntakeDialog
from intake_app.ui.session.lock import LockScreen
from tests.conftest import COORDINATOR_PASSWORD
from tests.factories import log_referral
from tests.ui.test_main_window import make_window
from tests.ui.test_referral_view import make_view

Errors = list[BaseException]


def inside_modal(qtbot, act: Callable[[QWidget], None], errors: Errors) -> None:  # type: ignore[no-untyped-def]
    """Run `act` on the next modal window once its exec() is running; close it afterwards if
    `act` left it open (a failing step must not leave the test hanging in exec())."""

    def run() -> None:
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=3000)
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        try:
            qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
            act(dialog)
        except BaseException as exc:  # reported after exec() returns
            errors.append(exc)
        finally:
            if dialog.isVisible() and isinstance(dialog, QDialog):
                QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, run)


def keys(widget: QWidget, text: str) -> None:
    """Type into the widget's window as the window system would: a blocked window gets none."""
    handle = widget.window().windowHandle()
    for char in text:
        QTest.keyClick(handle, ord(char))


def key(widget: QWidget, which: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    QTest.keyClick(widget.window().windowHandle(), which, modifier)


# -- 5. the lock over a modal dialog ------------------------------------------------------------
def test_ctrl_l_in_the_modal_intake_form_locks_and_the_password_unlocks_it(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    controller = window.lock_controller
    errors: Errors = []
    seen: dict[str, object] = {}

    def in_form(form: QWidget) -> None:
        assert isinstance(form, IntakeDialog)
        family = form.ui.familyNameEdit
        family.setFocus()
        keys(form, "Okonkwo")
        key(form, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert controller.is_locked
        prompt = controller.prompt
        assert isinstance(prompt, LockScreen)
        qtbot.waitUntil(prompt.isActiveWindow, timeout=3000)
        # The form is still open, its content covered and out of reach.
        assert form.isVisible() and not form.ui.scrollArea.isEnabled()
        covered = {cover.parent() for cover in controller.covers}
        assert {window, form} <= covered and all(c.isVisible() for c in controller.covers)
        assert window.signed_in.clinic._data_key is None
        keys(prompt, "wrong-password")
        key(prompt, Qt.Key.Key_Return)
        assert controller.is_locked and prompt.message.text() == "Wrong password."
        keys(prompt, COORDINATOR_PASSWORD)
        key(prompt, Qt.Key.Key_Return)
        seen["unlocked"] = not controller.is_locked
        seen["kept"] = family.text()
        seen["enabled"] = form.ui.scrollArea.isEnabled()
        qtbot.waitUntil(lambda: form.focusWidget() is family, timeout=3000)
        keys(form, "-Eze")  # typing goes on where it stopped
        seen["typed on"] = family.text()

    inside_modal(qtbot, in_form, errors)
    assert window.new_referral() is None
    if errors:
        raise errors[0]
    assert seen == {
        "unlocked": True,
        "kept": "Okonkwo",
        "enabled": True,
        "typed on": "Okonkwo-Eze",
    }


def test_idle_lock_over_a_message_box_in_the_form_unlocks_and_discard_defaults_to_going_back(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, clock
) -> None:
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, Prompter())
    controller = window.lock_controller
    errors: Errors = []
    seen: dict[str, object] = {}

    def in_question(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.windowTitle() == "Discard this referral?"
        assert box.defaultButton().text() == "Keep editing"
        window.idle.timer.setInterval(50)  # ten minutes pass without input
        window.idle.restart()
        qtbot.waitUntil(lambda: controller.is_locked, timeout=3000)
        prompt = controller.prompt
        assert prompt is not None
        qtbot.waitUntil(prompt.isActiveWindow, timeout=3000)
        keys(prompt, COORDINATOR_PASSWORD)
        key(prompt, Qt.Key.Key_Return)
        seen["unlocked"] = not controller.is_locked
        window.idle.timer.setInterval(600_000)
        qtbot.waitUntil(box.isActiveWindow, timeout=3000)
        key(box, Qt.Key.Key_Return)  # Enter: back to the form, nothing lost

    def in_form(form: QWidget) -> None:
        assert isinstance(form, IntakeDialog)
        form.ui.familyNameEdit.setFocus()
        keys(form, "Okonkwo")
        inside_modal(qtbot, in_question, errors)
        key(form, Qt.Key.Key_Escape)  # runs the question's exec() until it is answered
        seen["form open"] = form.isVisible()
        seen["kept"] = form.ui.familyNameEdit.text()

    inside_modal(qtbot, in_form, errors)
    window.new_referral()
    if errors:
        raise errors[0]
    assert seen == {"unlocked": True, "form open": True, "kept": "Okonkwo"}


def test_the_lock_screen_cannot_be_closed_or_escaped(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter
) -> None:
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    window.lock()
    prompt = window.lock_controller.prompt
    assert prompt is not None
    qtbot.waitUntil(prompt.isActiveWindow, timeout=3000)
    key(prompt, Qt.Key.Key_Escape)
    prompt.close()
    assert prompt.isVisible() and window.lock_controller.is_locked


# -- 6, 7, 12: the dialogs of the referral view, under exec() -------------------------------------
def test_reason_dialog_starts_in_the_reason_and_enter_confirms_only_when_valid(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.show()
    errors: Errors = []
    seen: dict[str, object] = {}

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, ReasonDialog)
        seen["focus"] = dialog.focusWidget() is dialog.reason
        seen["when name"] = dialog.when.edit.accessibleName()
        key(dialog, Qt.Key.Key_Return)  # nothing typed yet: Enter does nothing
        seen["open after empty Enter"] = dialog.isVisible()
        keys(dialog, "patient moved away")
        key(dialog, Qt.Key.Key_Return)

    inside_modal(qtbot, in_dialog, errors)
    view.buttons[Action.WITHDRAW].click()
    if errors:
        raise errors[0]
    assert seen == {
        "focus": True,
        "when name": "It happened earlier: time",
        "open after empty Enter": True,
    }
    detail = Referrals(cora).get(rid)
    assert detail.summary.state == State.WITHDRAWN.value
    assert detail.close_reason == "patient moved away"


def test_mark_seen_before_the_booking_needs_the_patient_seen_earlier(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    clock.advance(hours=1)
    Referrals(tess).triage(rid, Priority.SOON, reason="clinical judgement")
    booked = clock() + timedelta(days=1)
    Referrals(cora).schedule(rid, booked)
    clock.advance(hours=5)  # today 14:05 for tomorrow's booking
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.show()
    errors: Errors = []
    seen: dict[str, object] = {}

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, MarkSeenDialog)
        seen["ok at first"] = dialog.ok_button.isEnabled()
        seen["problem"] = dialog.problem.text()
        key(dialog, Qt.Key.Key_Return)
        seen["open after Enter"] = dialog.isVisible()
        dialog.earlier.click()
        seen["ok when seen earlier"] = dialog.ok_button.isEnabled()
        key(dialog, Qt.Key.Key_Return)

    inside_modal(qtbot, in_dialog, errors)
    view.buttons[Action.MARK_SEEN].click()
    if errors:
        raise errors[0]
    assert seen == {
        "ok at first": False,
        "problem": "That is before the appointment: tick “seen earlier than booked” if so, "
        "or give the time the patient was seen.",
        "open after Enter": True,
        "ok when seen earlier": True,
    }
    detail = Referrals(cora).get(rid)
    assert detail.summary.state == State.SEEN.value and detail.seen_at == clock()


def test_triage_dialog_names_missing_records_in_words_and_its_buttons_fit(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, prompter, clock, styled
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora, trigger=Trigger.NEW_BIOPSY, items={"referral_order": None})
    view = make_view(qtbot, tess, bus, prompter, rid)
    view.show()
    errors: Errors = []
    seen: dict[str, object] = {}

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, TriageDialog)
        seen["reasons"] = dialog.reasons.text()
        seen["missing"] = dialog.missing.text()
        seen["fits"] = text_fits(dialog.ok_button)
        key(dialog, Qt.Key.Key_Return)

    inside_modal(qtbot, in_dialog, errors)
    view.buttons[Action.TRIAGE].click()
    if errors:
        raise errors[0]
    assert "new_biopsy" not in str(seen["reasons"])
    assert "trigger “New biopsy finding” is urgent by rule" in str(seen["reasons"])
    assert str(seen["missing"]).startswith("Still missing (required): Patient demographics, ")
    assert "Pathology report" in str(seen["missing"]) and "You may triage now" in str(
        seen["missing"]
    )
    assert seen["fits"] is True
    assert Referrals(tess).get(rid).summary.priority == Priority.URGENT.value


@pytest.fixture
def styled(qapp):  # type: ignore[no-untyped-def]
    """The application's own style and stylesheet, as users see it; put back afterwards."""
    from intake_app.ui.common.style import apply_style

    style, sheet = qapp.style().name(), qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)


def _ink(button: QWidget) -> int:
    """Dark pixels in the button as painted: its text (the frame is lighter)."""
    image = button.grab().toImage()
    return sum(
        image.pixelColor(x, y).lightness() < 90
        for x in range(image.width())
        for y in range(image.height())
    )


def text_fits(button: QWidget) -> bool:
    """The label is painted whole: as much text ink as in the same button made wider."""
    as_shown = _ink(button)
    size = button.size()
    button.resize(size.width() + 80, size.height())
    wide = _ink(button)
    button.resize(size)
    return as_shown >= wide * 0.98


def test_dialog_buttons_are_not_clipped(qtbot, sign_in_as, bus, prompter, clock, styled) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    view = make_view(qtbot, cora, bus, prompter, rid)
    view.show()
    errors: Errors = []
    widths: dict[str, bool] = {}

    def measure(dialog: QWidget) -> None:
        assert isinstance(dialog, QDialog)
        ok = dialog.ok_button  # type: ignore[attr-defined]
        if isinstance(dialog, ReasonDialog):
            keys(dialog, "x")  # enabled, and so the default
        widths[ok.text()] = text_fits(ok)

    for action in (Action.ACKNOWLEDGE, Action.WITHDRAW):
        inside_modal(qtbot, measure, errors)
        view.buttons[action].click()
    view.checklist.setCurrentItem(view.checklist.topLevelItem(1))
    inside_modal(qtbot, measure, errors)
    view.receive_at.click()
    if errors:
        raise errors[0]
    assert widths == {"Acknowledge": True, "Withdraw": True, "Record receipt": True}


# -- 8, 9, 12: the main window -----------------------------------------------------------------
def test_a_single_click_or_an_arrow_key_shows_the_row_in_the_referral_view(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    cora = sign_in_as("cora")
    first = log_referral(cora, family_name="Able")
    second = log_referral(cora, family_name="Baker")
    window = make_window(qtbot, cora, clinic_files, prompter)
    table = window.worklist.table
    model = window.worklist.model
    row = model.row_of(first)
    rect = table.visualRect(model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.referral_view.referral_id == first
    key(table, Qt.Key.Key_Down if model.row_of(second) > row else Qt.Key.Key_Up)
    assert window.referral_view.referral_id == second
    assert window.referral_view.patient.text() == "Baker, Siobhán"


def test_the_referral_pane_cannot_be_dragged_shut_and_view_restores_the_layout(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter
) -> None:
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    window.resize(780, 560)
    splitter = window.splitter
    handle = splitter.handle(1)
    # Drag the handle all the way to the right edge.
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, start + QPoint(2000, 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start + QPoint(2000, 0))
    splitter.moveSplitter(splitter.width(), 1)  # and as far as the splitter itself allows
    assert splitter.sizes()[1] >= window.referral_view.minimumWidth() > 0
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    restore = next(a for a in view_menu.actions() if a.text() == "Restore &layout")
    restore.trigger()
    left, right = splitter.sizes()
    assert abs(left / (left + right) - 0.58) < 0.02


def test_alt_shortcuts_of_the_menus_and_the_worklist_filters_are_unique(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter
) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    texts = [a.text() for a in window.menuBar().actions()]
    texts += [b.text() for b in window.worklist.findChildren(QAbstractButton)]
    texts += [label.text() for label in window.worklist.findChildren(QLabel) if label.buddy()]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert sorted(letters) == sorted(set(letters)), texts


def test_sorting_by_priority_ranks_final_else_proposed_priority_by_urgency(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, bus, clock
) -> None:
    from intake_app.domain.enums import Urgency
    from intake_app.ui.worklist.model import COLUMN_INDEX
    from intake_app.ui.worklist.view import WorklistView

    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    plain = {"trigger": Trigger.OTHER, "referrer_urgency": Urgency.ROUTINE}
    routine = log_referral(cora, family_name="Triaged-routine", **plain)
    log_referral(cora, family_name="Proposed-urgent", trigger=Trigger.NEW_BIOPSY)
    soon = log_referral(cora, family_name="Triaged-soon", **plain)
    log_referral(cora, family_name="Proposed-routine", **plain)
    log_referral(cora, family_name="Proposed-soon", trigger=Trigger.ABNORMAL_IMAGING)
    clock.advance(hours=1)
    Referrals(tess).triage(routine, Priority.ROUTINE, reason="clinical judgement")
    Referrals(tess).triage(soon, Priority.SOON, reason="clinical judgement")
    view = WorklistView(cora, bus)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    header = view.table.horizontalHeader()
    column = COLUMN_INDEX["priority"]
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    model = view.model
    names = [model.summary(r).family_name for r in range(model.rowCount())]
    # Most urgent first; a tie newest first, as the received order.
    assert names == [
        "Proposed-urgent",
        "Proposed-soon",
        "Triaged-soon",
        "Proposed-routine",
        "Triaged-routine",
    ]


# -- 11: small screens and high scaling ---------------------------------------------------------
def test_first_open_fits_the_screen_and_the_checklist_keeps_rows_in_sight(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    """The offscreen screen is 800 x 600: smaller than the default 1280 x 800, as 1080p at
    200 % (960 x 540) is."""
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    window = make_window(qtbot, cora, clinic_files, prompter)
    available = window.screen().availableGeometry()
    assert available.contains(window.frameGeometry()) or (
        window.width() <= available.width() and window.height() <= available.height()
    )
    window.referral_view.show_referral(rid)
    qtbot.wait(10)
    view = window.referral_view
    row = view.checklist.visualItemRect(view.checklist.topLevelItem(0)).height()
    assert row > 0 and view.checklist.viewport().height() >= 3 * row
    assert view.timeline.viewport().height() >= 3 * row


def test_overdue_shows_in_the_first_column_too(qtbot, sign_in_as, bus, clock) -> None:  # type: ignore[no-untyped-def]
    from intake_app.ui.worklist.model import COLUMN_INDEX, DueStatusRole
    from intake_app.ui.worklist.view import WorklistView

    cora = sign_in_as("cora")
    log_referral(cora)
    clock.advance(days=10)  # not acknowledged in time
    view = WorklistView(cora, bus)
    qtbot.addWidget(view)
    model = view.model
    first = model.index(0, 0)
    assert model.data(first, DueStatusRole) == "overdue"
    assert view.table.horizontalHeader().logicalIndex(0) == COLUMN_INDEX["received"]
    assert not model.data(first, Qt.ItemDataRole.DecorationRole).isNull()
    assert "Overdue" in model.data(first, Qt.ItemDataRole.ToolTipRole)
    assert "Overdue" in model.data(first, Qt.ItemDataRole.AccessibleTextRole)


def test_at_normal_size_the_whole_referral_is_in_sight_without_scrolling(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    window = make_window(qtbot, cora, clinic_files, prompter)
    window.resize(1280, 760)  # 100 % on a 1080p screen
    window.restore_layout()
    window.referral_view.show_referral(rid)
    qtbot.waitUntil(lambda: window.referral_view.width() > 0)
    qtbot.wait(10)
    assert window.referral_scroll.verticalScrollBar().maximum() == 0
    buttons = window.referral_view.buttons.values()
    assert all(not b.visibleRegion().isEmpty() for b in buttons)
