"""The partner directory, for completion in the intake form."""

from dataclasses import dataclass, replace

from sqlalchemy import func, select

from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission
from intake_app.store.models import Partner, Referral


@dataclass(frozen=True)
class PartnerInfo:
    id: int
    organisation: str
    clinician: str
    contact_person: str
    phone: str
    fax: str


def list_partners(signed_in: SignedIn) -> list[PartnerInfo]:
    """Every partner; contact details the directory lacks come from its latest referral, so
    picking a partner fills clinician, phone and fax as they were last written down."""
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.READ_REFERRALS, "list_partners")
    with clinic.session() as session:
        partners = [
            PartnerInfo(p.id, p.organisation, p.clinician, p.contact_person, p.phone, p.fax)
            for p in session.execute(select(Partner).order_by(Partner.organisation)).scalars()
        ]
        lacking = [p.id for p in partners if not (p.clinician and p.phone and p.fax)]
        if not lacking:
            return partners
        # The latest referral of each partner lacking something (ix_referrals_partner).
        latest = (
            select(func.max(Referral.id))
            .where(Referral.partner_id.in_(lacking))
            .group_by(Referral.partner_id)
        )
        last = {
            row.partner_id: row
            for row in session.execute(
                select(
                    Referral.partner_id,
                    Referral.referring_clinician,
                    Referral.contact_phone,
                    Referral.contact_fax,
                ).where(Referral.id.in_(latest))
            )
        }
    return [
        replace(
            p,
            clinician=p.clinician or last[p.id].referring_clinician,
            phone=p.phone or last[p.id].contact_phone,
            fax=p.fax or last[p.id].contact_fax,
        )
        if p.id in last
        else p
        for p in partners
    ]
