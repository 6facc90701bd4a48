"""Exporting what the dashboard shows, through the exports service, with progress and Cancel."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from intake_app.domain.report_tables import ReportDocument
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.ui.common.prompts import Prompter


def run_export(
    parent: QWidget,
    signed_in: SignedIn,
    document: ReportDocument,
    fmt: str,
    out: Path,
    table: str | None,
    prompter: Prompter,
) -> list[Path]:
    """Write the file(s); a progress dialog with Cancel while it runs. The written paths,
    or [] when cancelled or refused (the reason said in one line)."""
    from intake_app.services.reporting.exports import export

    progress = QProgressDialog(f"Writing {out.name}…", "Cancel", 0, 100, parent)
    progress.setWindowTitle("Export report")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)

    def step(done: int, total: int) -> bool:
        progress.setMaximum(max(total, 1))
        progress.setValue(min(done, max(total, 1)))
        QApplication.processEvents()
        return not progress.wasCanceled()

    try:
        # [] when cancelled: the service then leaves nothing on disk.
        written = export(signed_in, document, fmt, out, table=table, progress=step)
    except (ServiceError, OSError) as exc:
        prompter.error(parent, "Export report", str(exc))
        return []
    finally:
        progress.reset()
        progress.deleteLater()
    return list(written)


class IdentifiedExportDialog(QDialog):
    """The manager's explicit choice before a file that names patients is written."""

    def __init__(self, group: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export with names")
        text = QLabel(
            f"<b>An identified file</b>: the referrals behind {group}, with the patients' "
            "names, dates of birth and MRNs. It says “identified” on every page and sheet, "
            "and the export is recorded in the audit trail. Keep it inside the clinic."
        )
        text.setWordWrap(True)
        self.confirm = QCheckBox("I need the patients' &names in this file")
        self.format = QComboBox()
        for fmt, label in (("xlsx", "Excel workbook"), ("pdf", "PDF"), ("csv", "CSV")):
            self.format.addItem(label, fmt)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export with names…")
        self.ok.setEnabled(False)  # not until the box is ticked
        self.confirm.toggled.connect(self.ok.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Format", self.format)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.confirm)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    @classmethod
    def ask(cls, parent: QWidget | None, group: str) -> str | None:
        """The chosen format, or None when the manager did not confirm."""
        dialog = cls(group, parent)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            if not (accepted and dialog.confirm.isChecked()):
                return None
            return str(dialog.format.currentData())
        finally:
            dialog.deleteLater()
