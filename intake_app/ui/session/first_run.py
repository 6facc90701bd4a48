"""First run: open an existing database, create a clinic database, or open the demo."""

from pathlib import Path
from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake_app.services.auth import NewClinic, create_clinic
from intake_app.services.errors import ServiceError
from intake_app.services.files import write_private
from intake_app.store import StoreError


class FirstRunDialog(QDialog):
    """Three ways in; `choice` is 'open', 'create' or 'demo' once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome — Referral Intake")
        self.choice = ""
        heading = QLabel("Welcome to Referral Intake")
        heading.setProperty("role", "heading")
        intro = QLabel("There is no clinic database on this computer yet.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        for key, text, hint in (
            ("open", "&Open an existing database…", "A clinic database copied or restored here."),
            ("create", "&Create a new clinic database…", "You become its administrator."),
            ("demo", "Open the &demo", "Synthetic patients, to try things out."),
        ):
            button = QPushButton(text)
            button.setObjectName(f"choice_{key}")
            button.clicked.connect(lambda _=False, k=key: self._choose(k))
            note = QLabel(hint)
            note.setProperty("role", "hint")
            layout.addWidget(button)
            layout.addWidget(note)
        cancel = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel.rejected.connect(self.reject)
        layout.addWidget(cancel)
        self.setMinimumWidth(420)

    def _choose(self, key: str) -> None:
        self.choice = key
        self.accept()


class CreateClinicDialog(QDialog):
    """Where the database goes, the administrator, the time zone; then the recovery code."""

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New clinic database — Referral Intake")
        self.created: NewClinic | None = None
        self.path = QLineEdit(str(default_path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.admin = QLineEdit("admin")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.timezone = QComboBox()
        self.timezone.addItems(sorted(available_timezones()))
        self.timezone.setCurrentText("America/Chicago")
        self.timezone.setEditable(True)
        form = QFormLayout()
        form.addRow("Database &file", where)
        form.addRow("&Administrator", self.admin)
        form.addRow("&Password", self.password)
        form.addRow("Password a&gain", self.again)
        form.addRow("Clinic &time zone", self.timezone)
        self.message = QLabel()
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "New database", self.path.text(), "Referral Intake database (*.db)"
        )
        if chosen:
            self.path.setText(chosen)

    def _create(self) -> None:
        if self.password.text() != self.again.text():
            self.message.setText("Password again: the two passwords differ.")
            return
        path = Path(self.path.text()).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.created = create_clinic(
                path, self.admin.text(), self.password.text(), timezone=self.timezone.currentText()
            )
        except (ServiceError, StoreError, OSError) as exc:
            self.message.setText(str(exc))
            return
        finally:
            self.password.clear()
            self.again.clear()
        self.show_recovery_code(self.created.recovery_code)
        self.accept()

    def show_recovery_code(self, code: str) -> None:
        """Modal; tests replace it to read the code instead."""
        RecoveryCodeDialog(code, self).exec()


class RecoveryCodeDialog(QDialog):
    """Shows the recovery code once; Continue waits until the user says it is stored."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recovery code — Referral Intake")
        self.code = code
        text = QLabel(
            "This code opens the database if every password is lost. It is shown only now. "
            "Print it or save it, and keep it locked away from the computer."
        )
        text.setWordWrap(True)
        shown = QLabel(code)
        shown.setObjectName("recoveryCode")
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        shown.setStyleSheet("font-family: monospace; font-size: 15pt; padding: 8px;")
        save = QPushButton("&Save as text file…")
        save.clicked.connect(self._save)
        print_button = QPushButton("&Print…")
        print_button.clicked.connect(self._print)
        self.stored = QCheckBox("I have printed or saved the recovery code")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.continue_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.continue_button.setText("Continue")
        self.continue_button.setEnabled(False)
        self.stored.toggled.connect(self.continue_button.setEnabled)
        buttons.accepted.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addWidget(print_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(shown, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(row)
        layout.addWidget(self.stored)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def reject(self) -> None:
        if self.stored.isChecked():
            super().reject()

    def _save(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save recovery code", "referral-intake-recovery-code.txt", "Text (*.txt)"
        )
        if chosen:
            # The code opens the database: readable by its owner only, like the key file.
            write_private(Path(chosen), f"Referral Intake recovery code\n{self.code}\n".encode())

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            document = QTextDocument()
            document.setPlainText(f"Referral Intake recovery code\n\n{self.code}\n")
            document.print_(printer)


def choose_existing(parent: QWidget | None) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "Open a clinic database", str(Path.home()), "Referral Intake database (*.db)"
    )
    return Path(chosen) if chosen else None


def busy(parent: QWidget | None, text: str) -> QLabel:
    """A plain 'working' note while a long step runs on the GUI thread."""
    note = QLabel(text, parent, Qt.WindowType.Dialog)
    note.setWindowTitle("Referral Intake")
    note.setContentsMargins(24, 18, 24, 18)
    note.show()
    QApplication.processEvents()
    return note
