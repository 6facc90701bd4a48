"""Sign-in: unlock the database with a user's password; the service says how long to wait."""

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from intake_app.services.auth import SignedIn, sign_in
from intake_app.services.demo import demo_users
from intake_app.services.errors import ServiceError
from intake_app.store import StoreError, WrongPassword
from intake_app.store.schema import Migration


class SignInDialog(QDialog):
    """Asks for user name and password; `signed_in` holds the session once accepted."""

    def __init__(
        self,
        db_path: Path,
        parent: QWidget | None = None,
        user: str = "",
        title: str = "Sign in",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Referral Intake")
        self.db_path = db_path
        self.signed_in: SignedIn | None = None
        self.failures = 0
        self._wait_left = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

        heading = QLabel("Referral Intake")
        heading.setProperty("role", "heading")
        where = QLabel(str(db_path))
        where.setProperty("role", "hint")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.user = QComboBox()
        self.user.setEditable(True)
        self.user.setObjectName("userName")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("&User name", self.user)
        form.addRow("&Password", self.password)

        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setObjectName("message")

        self.demo_hint = QLabel()
        self.demo_hint.setProperty("role", "hint")
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        users = demo_users(db_path)
        if users:
            self.user.addItems(list(users))
            rows = "".join(
                f"<tr><td>{name}</td><td>&nbsp;&nbsp;<code>{password}</code></td></tr>"
                for name, password in users.items()
            )
            self.demo_hint.setText(
                f"<b>Demo database</b> with synthetic patients. Its users:<table>{rows}</table>"
            )
            self.user.setCurrentText("coordinator")
        self.demo_hint.setVisible(bool(users))
        if user:
            self.user.setCurrentText(user)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.demo_hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        (self.password if self.user.currentText() else self.user).setFocus()

    def try_sign_in(self) -> None:
        if self._wait_left > 0:
            return
        name = self.user.currentText().strip()
        if not name:
            self.message.setText("User name: enter your user name.")
            return
        try:
            self.signed_in = sign_in(
                self.db_path, name, self.password.text(), on_migration=self._show_migrating
            )
        except WrongPassword as exc:
            # The service counts failures for every front end and process; it says how long.
            self.failures += 1
            self.password.clear()
            self._start_wait(exc.retry_after)
            return
        except (StoreError, ServiceError) as exc:
            self._set_message_role("error")
            self.message.setText(str(exc))
            return
        finally:
            # The password is not kept in the widget longer than needed.
            self.password.clear()
        self.accept()

    def _show_migrating(self, migration: Migration) -> None:
        """The upgrade changes the file and takes a moment: say so before it starts."""
        self._set_message_role("hint")
        self.message.setText(f"{migration.notice(done=False)}…")
        self.message.repaint()
        QApplication.processEvents()

    def _set_message_role(self, role: str) -> None:
        self.message.setProperty("role", role)
        self.message.style().polish(self.message)

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = seconds
        self._show_failure()
        if seconds > 0:
            self.sign_in_button.setEnabled(False)
            self._timer.start()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._timer.stop()
            self.sign_in_button.setEnabled(True)
            self.password.setFocus()
        self._show_failure()

    def _show_failure(self) -> None:
        text = "Wrong user name or password."
        if self._wait_left > 0:
            text += f" Try again in {self._wait_left} s."
        self.message.setText(text)
