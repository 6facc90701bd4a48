"""Announcements between windows: after a successful change, views refresh from the signal."""

from PySide6.QtCore import QObject, Signal


class Bus(QObject):
    """One per signed-in session; widgets connect to it instead of to each other."""

    # A referral was created or changed (its id), or many were (-1).
    referrals_changed = Signal(int)
    # The user asked to open a referral (its id).
    open_referral = Signal(int)
