"""Referral use cases, one module per use case, behind one entry point: `Referrals`.

- queries.py: the worklist page, search, one referral in full, allowed actions
- intake.py: logging a referral, and duplicates
- workflow.py: documents, acknowledgement, triage, scheduling, seen, closing, reopening
- base.py: what they share (loading, events, checks)
"""

from intake_app.services.referrals.intake import DuplicateChoice, DuplicateSuspected, ReferralIntake
from intake_app.services.referrals.queries import SORT_COLUMNS, ReferralQuery, ReferralReading
from intake_app.services.referrals.workflow import ReferralWorkflow

__all__ = [
    "SORT_COLUMNS",
    "DuplicateChoice",
    "DuplicateSuspected",
    "ReferralQuery",
    "Referrals",
]


class Referrals(ReferralReading, ReferralIntake, ReferralWorkflow):
    """The referral use cases for one signed-in user."""
