"""Referral use cases, one module per use case, behind one entry point: `Referrals`.

- queries.py: the worklist page, search, one referral in full, allowed actions
- intake.py: logging a referral, and duplicates
- workflow.py: documents, acknowledgement, triage, scheduling, seen, closing, reopening
- holds.py: putting on hold and resuming (clock stops); closing and seeing end a hold
- corrections.py: editing intake fields, un-ticking an item, correcting the receipt time
- base.py: what they share (loading, events, checks)
"""

from intake_app.services.referrals.corrections import DuplicateAfterEdit, ReferralCorrections
from intake_app.services.referrals.holds import ReferralHolds
from intake_app.services.referrals.intake import DuplicateChoice, DuplicateSuspected, ReferralIntake
from intake_app.services.referrals.queries import SORT_COLUMNS, ReferralQuery, ReferralReading
from intake_app.services.referrals.workflow import ReferralWorkflow

__all__ = [
    "SORT_COLUMNS",
    "DuplicateAfterEdit",
    "DuplicateChoice",
    "DuplicateSuspected",
    "ReferralQuery",
    "Referrals",
]


# Corrections build on intake (partners, duplicates), so they come before it.
class Referrals(
    ReferralReading, ReferralCorrections, ReferralIntake, ReferralWorkflow, ReferralHolds
):
    """The referral use cases for one signed-in user."""
