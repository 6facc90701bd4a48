"""Checking the audit trail from a front end."""

from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission


def verify_audit(signed_in: SignedIn) -> audit.ChainCheck:
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.VERIFY_AUDIT, "verify_audit")
    with clinic.session() as session:
        return audit.verify(session, clinic.audit_key)
