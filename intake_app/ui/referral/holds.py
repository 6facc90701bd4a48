"""The referral view's holds: the "On hold since …" banner, "Put on hold…" and "Resume…".

A mixin of ReferralView, like corrections.py: it uses the view's service, dialogs hook
(exec_dialog) and change runner (_run).
"""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLabel

from intake_app.domain.holds import HoldReason, on_hold_text
from intake_app.services.clinic import Clinic
from intake_app.services.referrals import Referrals
from intake_app.services.views import ReferralDetail
from intake_app.ui.common.step_dialogs import HOLD_REASON_EFFECT, HoldChoice, HoldDialog

LONG_DATE_TIME = "%A %d %B %Y, %H:%M"


class HoldsMixin:
    """Holds on the shown referral; ReferralView provides what is declared here."""

    referrals: Referrals
    clinic: Clinic
    tz: ZoneInfo
    detail: ReferralDetail | None
    exec_dialog: Callable[..., bool]
    ask_when: Callable[[str, str, str], tuple[bool, datetime | None]]
    _run: Callable[[str, Callable[[int, int], None]], bool]

    def _build_hold_banner(self) -> QLabel:
        self.hold_banner = QLabel()
        self.hold_banner.setObjectName("holdBanner")
        self.hold_banner.setProperty("role", "badge")
        self.hold_banner.setProperty("tone", "on_hold")
        self.hold_banner.hide()
        return self.hold_banner

    def _fill_hold(self, detail: ReferralDetail | None) -> None:
        s = detail.summary if detail else None
        if s is None or not s.hold_reason or s.held_since is None:
            self.hold_banner.hide()
            return
        since = s.held_since.astimezone(self.tz)
        self.hold_banner.setText(on_hold_text(s.hold_reason, f"{since:{LONG_DATE_TIME}}"))
        self.hold_banner.setToolTip(HOLD_REASON_EFFECT[HoldReason(s.hold_reason)])
        self.hold_banner.show()

    def ask_hold(self) -> HoldChoice | None:
        dialog = HoldDialog(self, self.tz, self.clinic.now())  # type: ignore[arg-type]
        return dialog.value() if self.exec_dialog(dialog) else None

    def _hold(self) -> None:
        choice = self.ask_hold()
        if choice is not None:
            self._run(
                "Put on hold",
                lambda rid, v: self.referrals.hold(
                    rid, choice.reason, at=choice.at, expected_version=v
                ),
            )

    def _resume(self) -> None:
        accepted, at = self.ask_when(
            "Resume",
            "Resume",
            "Take the referral off hold. A patient's wait moves its due time by the time held.",
        )
        if accepted:
            self._run(
                "Resume", lambda rid, v: self.referrals.resume(rid, at=at, expected_version=v)
            )
