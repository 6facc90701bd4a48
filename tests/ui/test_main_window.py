"""The main window: actions and shortcuts, status bar, window state, and the automatic lock."""

from PySide6.QtGui import QKeySequence

from intake_app.ui.main_window import ActionId, MainWindow
from tests.conftest import COORDINATOR_PASSWORD
from tests.factories import log_referral


def make_window(qtbot, signed_in, clinic_files, prompter, **kw) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(signed_in, clinic_files.db, prompter, **kw)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_actions_status_bar_and_roles(qtbot, sign_in_as, clinic_files, prompter) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    new = window.actions_by_id[ActionId.NEW_REFERRAL]
    assert new.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert new.isEnabled()
    assert window.actions_by_id[ActionId.QUIT].shortcut() == QKeySequence(
        QKeySequence.StandardKey.Quit
    )
    assert window.user_label.text() == "Signed in as cora (coordinator)"
    assert window.db_label.text() == str(clinic_files.db)
    triage = make_window(qtbot, sign_in_as("tess"), clinic_files, prompter)
    assert not triage.actions_by_id[ActionId.NEW_REFERRAL].isEnabled()


def test_window_state_is_remembered(qtbot, sign_in_as, clinic_files, prompter) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    window.resize(780, 560)  # the offscreen screen is 800 x 600; restore keeps windows on it
    window.close()
    again = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    assert (again.width(), again.height()) == (780, 560)


def test_idle_lock_hides_data_and_unlock_restores_unsaved_input(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, clock
) -> None:
    cora = sign_in_as("cora")
    log_referral(cora, family_name="Hidden-Name")
    window = make_window(qtbot, cora, clinic_files, prompter, idle_minutes=0.002)
    search = window.worklist.search
    search.setText("Hidd")  # typed, not yet acted on
    controller = window.lock_controller
    qtbot.waitUntil(lambda: controller.is_locked, timeout=3000)
    # Everything under the covers is disabled, the covers are opaque and on top.
    assert not window.centralWidget().isEnabled()
    assert all(c.isVisible() for c in controller.covers)
    assert [c.geometry() for c in controller.covers] == [window.rect()]
    # The key is gone from the session while locked.
    assert cora.clinic._data_key is None
    prompt = controller.prompt
    assert prompt is not None
    qtbot.keyClicks(prompt.password, "wrong-password")
    prompt.unlock_button.click()
    assert controller.is_locked
    assert prompt.message.text() == "Wrong password."
    qtbot.keyClicks(prompt.password, COORDINATOR_PASSWORD)
    prompt.unlock_button.click()
    assert not controller.is_locked
    assert window.centralWidget().isEnabled()
    assert search.text() == "Hidd"
    # The session works again with the re-opened database.
    window.bus.referrals_changed.emit(-1)
    qtbot.waitUntil(lambda: window.worklist.model.rowCount() == 1, timeout=3000)


def test_lock_covers_an_open_dialog_and_keeps_its_input(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter
) -> None:
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.show()
    field.setText("half-typed intake")
    window.lock()
    covered = {cover.parent() for cover in window.lock_controller.covers}
    assert {window, dialog} <= covered
    assert not field.isEnabled()
    prompt = window.lock_controller.prompt
    assert prompt is not None
    qtbot.keyClicks(prompt.password, COORDINATOR_PASSWORD)
    prompt.unlock_button.click()
    assert field.isEnabled() and field.text() == "half-typed intake"
