"""Automatic lock: after idle time every window is covered and the key is dropped.

Widgets stay alive under the covers, so unsaved input survives; unlocking needs
the same user's password, which re-opens the database with a fresh key.
"""

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DEFAULT_IDLE_MINUTES = 10
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


class Cover(QWidget):
    """An opaque panel over a window's whole area while locked."""

    def __init__(self, window: QWidget, with_prompt: bool) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel("Locked")
        title.setProperty("role", "heading")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.password: QLineEdit | None = None
        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if with_prompt:
            self.who = QLabel()
            self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.who)
            row = QHBoxLayout()
            row.addStretch(1)
            self.password = QLineEdit()
            self.password.setObjectName("unlockPassword")
            self.password.setEchoMode(QLineEdit.EchoMode.Password)
            self.password.setPlaceholderText("Password")
            self.password.setMinimumWidth(240)
            self.unlock_button = QPushButton("Unlock")
            self.unlock_button.setDefault(True)
            row.addWidget(self.password)
            row.addWidget(self.unlock_button)
            row.addStretch(1)
            layout.addLayout(row)
            layout.addWidget(self.message)
        else:
            note = QLabel("Unlock in the main window.")
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(note)
        layout.addStretch(2)
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False


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
        self.prompt: Cover | None = None  # the main window's cover, with the password field
        self.disabled: list[QWidget] = []

    @property
    def is_locked(self) -> bool:
        return bool(self.covers)

    def lock(self) -> None:
        if self.is_locked:
            return
        for window in QApplication.topLevelWidgets():
            if not window.isVisible() or isinstance(window, Cover):
                continue
            is_main = window is self.main
            # Disable what is under the cover, so keystrokes cannot reach it.
            for child in window.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                if child.isEnabled():
                    child.setEnabled(False)
                    self.disabled.append(child)
            cover = Cover(window, with_prompt=is_main)
            self.covers.append(cover)
            if is_main:
                assert cover.password is not None
                cover.who.setText(f"Signed in as {self.user_name}. Enter your password to go on.")
                self.prompt = cover
                cover.unlock_button.clicked.connect(self._try)
                cover.password.returnPressed.connect(self._try)
                cover.password.setFocus()
        self.locked.emit()

    def _try(self) -> None:
        cover = self.prompt
        assert cover is not None and cover.password is not None
        problem = self._unlock(cover.password.text())
        cover.password.clear()
        if problem:
            cover.message.setText(problem)
            return
        for widget in self.disabled:
            widget.setEnabled(True)
        self.disabled.clear()
        for each in self.covers:
            each.deleteLater()
        self.covers.clear()
        self.prompt = None
        self.unlocked.emit()
