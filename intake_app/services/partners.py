"""The partner directory, for completion in the intake form."""

from dataclasses import dataclass

from sqlalchemy import select

from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission
from intake_app.store.models import Partner


@dataclass(frozen=True)
class PartnerInfo:
    id: int
    organisation: str
    clinician: str
    contact_person: str
    phone: str
    fax: str


def list_partners(signed_in: SignedIn) -> list[PartnerInfo]:
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.READ_REFERRALS, "list_partners")
    with clinic.session() as session:
        return [
            PartnerInfo(p.id, p.organisation, p.clinician, p.contact_person, p.phone, p.fax)
            for p in session.execute(select(Partner).order_by(Partner.organisation)).scalars()
        ]
