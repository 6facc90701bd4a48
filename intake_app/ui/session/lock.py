"""Automatic lock: after idle time every window is covered and the key is dropped.

Widgets stay alive under the covers, so unsaved input survives; unlocking needs
the same user's password, which re-opens the database with a fresh key.

The password is asked in a window of its own, application-modal and shown last: Qt gives input
to the most recently shown modal window, so the prompt takes keys even while the intake form,
a message box or the print dialog runs its own modal loop under the covers.
"""

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import Shiboken

from intake_app.ui.common.prompts import make_default

DEFAULT_IDLE_MINUTES = 10
LOCK_KEYS = QKeySequence("Ctrl+L")
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits `idle` when no keyboard or mouse input reached the application for a while."""

    idle = Signal()

    def __init__(self, milliseconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(milliseconds)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def restart(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


class AppShortcut(QObject):
    """A key sequence that works in every window of the application, modal dialogs included.

    A QAction's shortcut belongs to its window, and a modal dialog blocks that window; this
    filter sees key presses wherever they go.
    """

    triggered = Signal()

    def __init__(self, keys: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys = keys[0]
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(watched, QWidget):
            assert isinstance(event, QKeyEvent)
            if event.keyCombination() == self.keys:
                self.triggered.emit()
                return True
        return False


def _heading() -> QLabel:
    title = QLabel("Locked")
    title.setProperty("role", "heading")
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return title


class Cover(QWidget):
    """An opaque panel over a window's whole area while locked."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(_heading())
        layout.addStretch(2)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


class LockScreen(QDialog):
    """The password prompt: application-modal, above every other window, not closable."""

    def __init__(self, parent: QWidget, user_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setWindowTitle("Locked — Referral Intake")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        # No close button: the only way on is the password.
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self._may_close = False
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(_heading())
        self.who = QLabel(
            f"Signed in as {user_name}. Enter your password to go on; what you had typed is kept."
        )
        self.who.setWordWrap(True)
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.who)
        row = QHBoxLayout()
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.unlock_button = QPushButton("Unlock")
        make_default(self.unlock_button)
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)
        layout.addLayout(row)
        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)

    def reject(self) -> None:
        """Esc does not get past the lock."""

    def finish(self) -> None:
        self._may_close = True
        self.done(QDialog.DialogCode.Accepted)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:
            event.ignore()
            return
        super().closeEvent(event)


class LockController(QObject):
    """Covers every top-level window; `unlock(password)` is given by the main window."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, main: QWidget, user_name: str, unlock: Callable[[str], str | None]) -> None:
        super().__init__(main)
        self.main = main
        self.user_name = user_name
        self._unlock = unlock
        self.covers: list[Cover] = []
        self.prompt: LockScreen | None = None
        self.disabled: list[QWidget] = []
        self._focus: QWidget | None = None

    @property
    def is_locked(self) -> bool:
        return self.prompt is not None

    def lock(self) -> None:
        if self.is_locked:
            return
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self._focus = app.focusWidget()
        while (popup := app.activePopupWidget()) is not None:  # menus, completion lists
            popup.close()
        for window in app.topLevelWidgets():
            if not window.isVisible() or isinstance(window, (Cover, LockScreen)):
                continue
            # Disable what is under the cover, so keystrokes cannot reach it.
            for child in window.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                if child.isEnabled() and not child.isWindow():
                    child.setEnabled(False)
                    self.disabled.append(child)
            self.covers.append(Cover(window))
        # A child of the main window, not of the modal dialog on top: that one may close
        # itself while locked (a batch that finishes) and would take the prompt with it.
        prompt = LockScreen(self.main, self.user_name)
        prompt.unlock_button.clicked.connect(self._try)
        prompt.password.returnPressed.connect(self._try)
        self.prompt = prompt
        prompt.show()  # shown last, it is the top window: no raise() needed
        prompt.activateWindow()
        prompt.password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.locked.emit()

    def _try(self) -> None:
        prompt = self.prompt
        assert prompt is not None
        problem = self._unlock(prompt.password.text())
        prompt.password.clear()
        if problem:
            prompt.message.setText(problem)
            return
        for widget in self.disabled:
            widget.setEnabled(True)
        self.disabled.clear()
        for each in self.covers:
            each.deleteLater()
        self.covers.clear()
        self.prompt = None
        prompt.finish()
        prompt.deleteLater()
        focus, self._focus = self._focus, None
        if focus is not None and Shiboken.isValid(focus) and focus.isVisible():
            focus.window().activateWindow()
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.unlocked.emit()
