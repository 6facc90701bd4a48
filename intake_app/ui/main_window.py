"""The main window: its pages (the worklist beside the open referral first, then each role's
own), menus, toolbar, status bar, lock."""

from enum import Enum
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QWidget,
)

from intake_app import __version__
from intake_app.services.auth import SignedIn, sign_in
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.store import StoreError, WrongPassword
from intake_app.ui.common.bus import Bus
from intake_app.ui.common.prompts import Prompter
from intake_app.ui.common.style import color_scheme_menu, icon
from intake_app.ui.session.lock import (
    DEFAULT_IDLE_MINUTES,
    LOCK_KEYS,
    AppShortcut,
    IdleWatcher,
    LockController,
)

# The narrowest the panes may be dragged, in average characters of the font.
MIN_REFERRAL_CHARS = 48
MIN_WORKLIST_CHARS = 48


# The page a user of each role lands on, first match wins; the worklist otherwise.
LANDING_PAGES = (("triage", "triage"), ("manager", "reports"), ("admin", "admin"))


class ActionId(Enum):
    NEW_REFERRAL = "new_referral"
    REFRESH = "refresh"
    FIND = "find"
    LOCK = "lock"
    LETTER_BATCH = "letter_batch"
    QUIT = "quit"
    ABOUT = "about"
    RESTORE_LAYOUT = "restore_layout"


class MainWindow(QMainWindow):
    def __init__(
        self,
        signed_in: SignedIn,
        db_path: Path,
        prompter: Prompter | None = None,
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
    ) -> None:
        super().__init__()
        from intake_app.ui.referral.view import ReferralView
        from intake_app.ui.worklist.view import WorklistView

        self.signed_in = signed_in
        self.db_path = db_path
        self.prompter = prompter or Prompter()
        self.bus = Bus(self)
        self.setWindowTitle(f"Referral Intake — {db_path.name}")
        self.setWindowIcon(icon("app"))

        self.worklist = WorklistView(signed_in, self.bus)
        self.referral_view = ReferralView(signed_in, self.bus, self.prompter)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.worklist)
        # The referral scrolls when the window is short (200 % on a 1080p screen) rather than
        # squeezing its checklist and timeline to nothing.
        self.referral_scroll = QScrollArea()
        self.referral_scroll.setObjectName("referralScroll")
        self.referral_scroll.setWidgetResizable(True)
        self.referral_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.referral_scroll.setWidget(self.referral_view)
        self.splitter.addWidget(self.referral_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # Neither pane can be dragged shut; View > Restore layout brings back the first layout.
        self.splitter.setChildrenCollapsible(False)
        chars = self.fontMetrics().averageCharWidth()
        self.referral_view.setMinimumWidth(chars * MIN_REFERRAL_CHARS)
        self.referral_scroll.setMinimumWidth(chars * MIN_REFERRAL_CHARS)
        self.worklist.setMinimumWidth(chars * MIN_WORKLIST_CHARS)
        # Pages: the worklist first, then the pages of the user's roles (triage queue,
        # follow-ups, reports, administration). Ctrl+1.. switches; the tabs hide when only
        # the worklist is there.
        # The tabs sit in the toolbar's row, not above the page: a row of tabs would cost the
        # referral beside the worklist its last lines at 1280 x 760 (100 % on a 1080p screen).
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.page_tabs = QTabBar()
        self.page_tabs.setObjectName("pageTabs")
        self.page_tabs.setDocumentMode(True)
        self.page_tabs.setDrawBase(False)
        self.page_tabs.setExpanding(False)
        self.page_tabs.currentChanged.connect(self.pages.setCurrentIndex)
        self._page_keys: list[str] = []
        self.add_page("worklist", "&Worklist", self.splitter)
        self._make_pages()
        self._show_landing_page()
        self.setCentralWidget(self.pages)

        self.actions_by_id = self._make_actions()
        self._make_menus_and_toolbar()
        self._make_status_bar()
        self.lock_controller = LockController(self, signed_in.actor.name, self._unlock)
        self.idle = IdleWatcher(int(idle_minutes * 60_000), self)
        # Ctrl+L from every window, modal dialogs included (the action's shortcut is its own
        # window's only; it stays on the action so that menus show it).
        self.lock_shortcut = AppShortcut(LOCK_KEYS, self)
        self._connect_signals()
        self._restore_state()

    # -- construction ---------------------------------------------------------
    def _make_pages(self) -> None:
        """The pages of the signed-in user's roles, each added where it is built."""
        self._make_triage_page()
        self._make_followups_page()
        self._make_reports_page()

    def _make_triage_page(self) -> None:
        """Triage staff's queue. Alt+Q: Alt+T is the Letters menu."""
        if not self.signed_in.actor.may(Permission.TRIAGE):
            return
        from intake_app.ui.triage.view import TriageQueueView

        self.triage_queue = TriageQueueView(self.signed_in, self.bus, self.prompter)
        self.triage_queue.open_requested.connect(self._open_from_queue)
        self.add_page("triage", "Triage &queue", self.triage_queue)

    def _open_from_queue(self, referral_id: int) -> None:
        """Enter in the queue: the referral in full, beside the worklist (Ctrl+2 goes back)."""
        self.show_page("worklist")
        self.referral_view.show_referral(referral_id)
        self.referral_view.setFocus()

    def _make_reports_page(self) -> None:
        """Managers' dashboard: the weekly review's figures and charts."""
        if not self.signed_in.actor.may(Permission.RUN_REPORTS):
            return
        from intake_app.ui.reports.dashboard import DashboardPage

        self.dashboard = DashboardPage(self.signed_in, self.bus, self.prompter)
        self.dashboard.referrals_chosen.connect(self.show_report_group)
        self.add_page("reports", "&Reports", self.dashboard)

    def _make_followups_page(self) -> None:
        """Coordinators chase missing records: the follow-ups due today."""
        from intake_app.ui.followups.page import FollowupsPage

        if not self.signed_in.actor.may(Permission.EDIT_REFERRAL):
            return
        self.followups = FollowupsPage(self.signed_in, self.bus, self.prompter)
        # The referral opens beside the worklist, so that page comes to the front.
        self.followups.referral_opened.connect(lambda _: self.show_page("worklist"))
        self.add_page("followups", "&Follow-ups", self.followups)

    def _show_landing_page(self) -> None:
        """Each role lands on its own work: triage staff on the queue, managers on reports."""
        roles = {r.value for r in self.signed_in.actor.roles}
        for role, key in LANDING_PAGES:
            if role in roles and key in self._page_keys:
                self.show_page(key)
                return

    def add_page(self, key: str, title: str, widget: QWidget) -> None:
        self.pages.addWidget(widget)
        self.page_tabs.addTab(title)
        self._page_keys.append(key)

    def show_page(self, key: str) -> None:
        self.page_tabs.setCurrentIndex(self._page_keys.index(key))

    def current_page(self) -> str:
        return self._page_keys[self.pages.currentIndex()]

    def _make_actions(self) -> dict[ActionId, QAction]:
        specs = [
            (ActionId.NEW_REFERRAL, "&New referral…", QKeySequence.StandardKey.New, "new"),
            (ActionId.REFRESH, "&Refresh", QKeySequence.StandardKey.Refresh, "refresh"),
            (ActionId.FIND, "&Find…", QKeySequence.StandardKey.Find, "search"),
            (ActionId.LOCK, "&Lock", LOCK_KEYS, "lock"),
            (ActionId.QUIT, "&Quit", QKeySequence.StandardKey.Quit, None),
            (ActionId.LETTER_BATCH, "&Batch letters…", None, None),
            (ActionId.ABOUT, "&About Referral Intake", None, None),
            (ActionId.RESTORE_LAYOUT, "Restore &layout", None, None),
        ]
        actions: dict[ActionId, QAction] = {}
        for action_id, text, shortcut, icon_name in specs:
            action = QAction(text, self)
            action.setObjectName(action_id.value)
            if shortcut is not None:
                action.setShortcut(shortcut)
            if icon_name:
                action.setIcon(icon(icon_name))
            actions[action_id] = action
        may_log = "create_referral" in {p.value for p in self.signed_in.actor.permissions}
        actions[ActionId.NEW_REFERRAL].setEnabled(may_log)
        if not may_log:
            actions[ActionId.NEW_REFERRAL].setToolTip("Only a coordinator may log referrals")
        may_write = "send_letters" in {p.value for p in self.signed_in.actor.permissions}
        actions[ActionId.LETTER_BATCH].setEnabled(may_write)
        if not may_write:
            tip = "Only coordinators and triage staff may prepare letters"
            actions[ActionId.LETTER_BATCH].setToolTip(tip)
        return actions

    def _make_menus_and_toolbar(self) -> None:
        a = self.actions_by_id
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(a[ActionId.NEW_REFERRAL])
        file_menu.addSeparator()
        file_menu.addAction(a[ActionId.LOCK])
        file_menu.addAction(a[ActionId.QUIT])
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(a[ActionId.FIND])
        view_menu.addAction(a[ActionId.REFRESH])
        view_menu.addSeparator()
        view_menu.addAction(a[ActionId.RESTORE_LAYOUT])
        view_menu.addMenu(color_scheme_menu(self))
        if len(self._page_keys) > 1:
            view_menu.addSeparator()
            for number, key in enumerate(self._page_keys, start=1):
                page = QAction(self.page_tabs.tabText(number - 1).replace("&", ""), self)
                page.setObjectName(f"page_{key}")
                if number <= 9:
                    page.setShortcut(QKeySequence(f"Ctrl+{number}"))
                page.triggered.connect(lambda _=False, k=key: self.show_page(k))
                view_menu.addAction(page)
        # Alt+T: Alt+L is the worklist's service-line filter.
        letters_menu = self.menuBar().addMenu("Le&tters")
        letters_menu.setToolTipsVisible(True)
        letters_menu.addAction(a[ActionId.LETTER_BATCH])
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a[ActionId.ABOUT])
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action_id in (ActionId.NEW_REFERRAL, ActionId.REFRESH, ActionId.LOCK):
            toolbar.addAction(a[action_id])
        if len(self._page_keys) > 1:  # only the worklist: no tabs to choose from
            toolbar.addSeparator()
            toolbar.addWidget(self.page_tabs)

    def _make_status_bar(self) -> None:
        actor = self.signed_in.actor
        roles = ", ".join(sorted(r.value for r in actor.roles))
        self.user_label = QLabel(f"Signed in as {actor.name} ({roles})")
        self.db_label = QLabel(str(self.db_path))
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.db_label)

    def _connect_signals(self) -> None:
        a = self.actions_by_id
        a[ActionId.NEW_REFERRAL].triggered.connect(self.new_referral)
        a[ActionId.REFRESH].triggered.connect(lambda: self.bus.referrals_changed.emit(-1))
        a[ActionId.FIND].triggered.connect(self.worklist.focus_search)
        a[ActionId.LOCK].triggered.connect(self.lock)
        a[ActionId.QUIT].triggered.connect(self.close)
        a[ActionId.ABOUT].triggered.connect(self._about)
        a[ActionId.LETTER_BATCH].triggered.connect(self.batch_letters)
        a[ActionId.RESTORE_LAYOUT].triggered.connect(self.restore_layout)
        self.lock_shortcut.triggered.connect(self.lock)
        self.bus.open_referral.connect(self.referral_view.show_referral)
        self.idle.idle.connect(self.lock)
        self.lock_controller.unlocked.connect(self.idle.restart)

    # -- actions --------------------------------------------------------------
    def new_referral(self) -> int | None:
        from intake_app.ui.intake.form import IntakeDialog

        new_id = IntakeDialog.log_referral(self, self.signed_in, self.bus, self.prompter)
        if new_id is not None:
            self.referral_view.show_referral(new_id)
        return new_id

    def show_report_group(self, ids: tuple[int, ...], description: str) -> None:
        """A report's group clicked: its referrals, exactly, in the worklist."""
        self.worklist.show_referral_set(ids, description)
        self.show_page("worklist")

    def batch_letters(self) -> None:
        from intake_app.ui.letters.batch import LetterBatchDialog

        try:
            dialog = LetterBatchDialog(self.signed_in, self.bus, self.prompter, self)
        except ServiceError as exc:
            self.prompter.error(self, "Batch letters", str(exc))
            return
        dialog.exec()

    def lock(self) -> None:
        """Cover every window and forget the key; input under the covers is kept."""
        if self.lock_controller.is_locked:
            return
        self.idle.stop()
        self.lock_controller.lock()
        self.signed_in.close()  # a sign-out: anchors the audit trail, forgets the key

    def _unlock(self, password: str) -> str | None:
        try:
            fresh = sign_in(self.db_path, self.signed_in.actor.name, password)
        except WrongPassword as exc:
            wait = f" Try again in {exc.retry_after} s." if exc.retry_after else ""
            return f"Wrong password.{wait}"
        except (StoreError, ServiceError) as exc:
            return str(exc)
        # Widgets hold this SignedIn: give it the re-opened clinic.
        self.signed_in.clinic = fresh.clinic
        return None

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Referral Intake",
            f"<b>Referral Intake</b> {__version__}<br>Referral logging, document tracking, "
            "triage and access-time reporting for oncology clinics.",
        )

    # -- window state ---------------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainWindow/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self._fit_to_screen()
        state = settings.value("mainWindow/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = settings.value("mainWindow/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            self.restore_layout()

    def _fit_to_screen(self) -> None:
        """Within the screen's available area: 1280 x 800 at 200 % is larger than 1080p."""
        available = self.screen().availableGeometry()
        frame = self.frameGeometry().size() - self.size()  # title bar and borders, if known
        width = min(self.width(), available.width() - frame.width())
        height = min(self.height(), available.height() - frame.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        place = self.frameGeometry()
        place.moveLeft(max(available.left(), min(place.left(), available.right() - width)))
        place.moveTop(max(available.top(), min(place.top(), available.bottom() - height)))
        if place.topLeft() != self.frameGeometry().topLeft():
            self.move(place.topLeft())

    def restore_layout(self) -> None:
        """The first layout: the worklist is where the day is spent, so the larger share."""
        width = max(self.splitter.width(), self.width(), 1000)
        self.splitter.setSizes([width * 58 // 100, width * 42 // 100])

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/state", self.saveState())
        settings.setValue("mainWindow/splitter", self.splitter.saveState())
        if not self.lock_controller.is_locked:
            self.signed_in.close()
        super().closeEvent(event)
