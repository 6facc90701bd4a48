"""Starting the desktop application: which database, first run, sign-in, main window."""

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from intake_app.services.audit_check import damage_message
from intake_app.services.auth import SignedIn, sign_in
from intake_app.services.demo import create_demo, demo_users
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.style import apply_style, icon

ORGANISATION = "ReferralIntake"
APPLICATION = "Referral Intake"


def make_app() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(icon("app"))
    apply_style(app)
    return app


def remember_database(path: Path) -> None:
    QSettings().setValue("database/last", str(path))


def last_database() -> Path | None:
    value = QSettings().value("database/last")
    return Path(str(value)) if value else None


def ensure_demo(path: Path, parent: object = None) -> Path:
    if not path.exists():
        from intake_app.ui.session.first_run import busy

        note = busy(None, "Creating the demo database with synthetic referrals…")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_demo(path)
        finally:
            note.close()
    return path


def choose_database(explicit: Path | None, default: Path, demo_path: Path) -> Path | None:
    """The database to open: the one asked for, else the last used, else ask (first run)."""
    if explicit is not None:
        return explicit
    for candidate in (last_database(), default):
        if candidate is not None and candidate.exists():
            return candidate
    from intake_app.ui.session.first_run import CreateClinicDialog, FirstRunDialog, choose_existing

    first = FirstRunDialog()
    if first.exec() != QDialog.DialogCode.Accepted:
        return None
    if first.choice == "open":
        return choose_existing(None)
    if first.choice == "create":
        create = CreateClinicDialog(default)
        if create.exec() != QDialog.DialogCode.Accepted or create.created is None:
            return None
        create.created.session.close()
        return Path(create.path.text()).expanduser()
    return ensure_demo(demo_path)


def run_gui(explicit_db: Path | None, default: Path, demo_path: Path, demo: bool) -> int:
    app = make_app()
    from intake_app.ui.main_window import MainWindow
    from intake_app.ui.session.signin import SignInDialog

    install_error_hook(Prompter(), None)  # from the sign-in on: signing in reads pages too
    db = ensure_demo(demo_path) if demo else choose_database(explicit_db, default, demo_path)
    if db is None:
        return 0
    dialog = SignInDialog(db)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_in is None:
        return 0
    remember_database(db)
    from intake_app.ui.letters.preview import report_settled_letters

    report_settled_letters(dialog.signed_in, Prompter())  # before the worklist reads
    report_unfinished_imports(dialog.signed_in, Prompter())
    window = MainWindow(dialog.signed_in, db)
    if dialog.signed_in.migration is not None:
        # The file changed and a copy was made: say so where it stays visible.
        text = dialog.signed_in.migration.notice(done=True)
        notice = QLabel(f"  {text}")
        notice.setToolTip(text)
        notice.setProperty("role", "hint")
        window.statusBar().addWidget(notice, 1)
    window.show()
    return app.exec()


def report_unfinished_imports(signed_in: SignedIn, prompter: Prompter) -> list[str]:
    """At start: remove the rows of imports a stopped program left half-written, and say so."""
    from intake_app.services.importing.staged import settle_unfinished

    lines = [a.describe() for a in settle_unfinished(signed_in.clinic, signed_in.actor)]
    if lines:
        prompter.info(None, "Import", "The program stopped while importing:\n\n" + "\n".join(lines))
    return lines


def install_error_hook(prompter: Prompter, parent: QWidget | None) -> None:
    """The GUI's last error path: an exception no widget handled reaches sys.excepthook
    (PySide calls it for slots). A damaged database is said in one line, as the CLI says it;
    anything else keeps Python's report."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        message = damage_message(exc)
        if message is not None:
            prompter.error(parent, APPLICATION, message)
            return
        previous(kind, exc, tb)

    sys.excepthook = hook


class _FirstPaint(QObject):
    """Notes the moment a widget is first painted."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def smoke_test(db: Path | None, demo_path: Path, started: float) -> int:
    """Offscreen: open the demo (or given) database as its coordinator, the worklist and one
    referral; print the time to first paint. Exit 1 if anything fails."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_app()
    from intake_app.ui.main_window import MainWindow

    path = db or ensure_demo(demo_path)
    users = demo_users(path)
    if "coordinator" not in users:
        print(f"smoke test: {path} is not a demo database (no demo users)", file=sys.stderr)
        return 1
    signed_in: SignedIn = sign_in(path, "coordinator", users["coordinator"])
    unlocked = time.perf_counter()
    window = MainWindow(signed_in, path)
    painted = _FirstPaint()
    table = window.worklist.table.viewport()
    table.installEventFilter(painted)
    window.show()
    deadline = time.perf_counter() + 30
    while painted.at is None and time.perf_counter() < deadline:
        app.processEvents()
    model = window.worklist.model
    if painted.at is None or model.rowCount() == 0:
        print("smoke test: the worklist did not paint any referral", file=sys.stderr)
        return 1
    first_id = model.summary(0).id
    window.referral_view.show_referral(first_id)
    app.processEvents()
    shown = window.referral_view.referral_id
    print(
        f"first paint: {(painted.at - started) * 1000:.0f} ms from launch, "
        f"{(painted.at - unlocked) * 1000:.0f} ms after unlocking"
    )
    print(f"worklist rows: {model.rowCount()}; opened referral {shown}")
    print(f"peak memory: {peak_memory_mb():.0f} MB")
    QTimer.singleShot(0, window.close)
    app.processEvents()
    window.close()
    return 0 if shown == first_id else 1


def peak_memory_mb() -> float:
    """Peak resident memory. On Linux from VmHWM: ru_maxrss would include the parent's size
    when this process was forked from a large one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024
