"""Exporting what the dashboard shows, through the exports service, with progress and Cancel."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

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
    from intake_app.services.reporting.exports import ExportCancelled, export

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
        written = export(signed_in, document, fmt, out, table=table, progress=step)
    except ExportCancelled:
        return []
    except (ServiceError, OSError) as exc:
        prompter.error(parent, "Export report", str(exc))
        return []
    finally:
        progress.reset()
        progress.deleteLater()
    return list(written)
