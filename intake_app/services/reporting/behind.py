"""The referrals behind one group of a report: their ids for the worklist's filter, and, for
those allowed to see patients, a table that names them (the identified export)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from intake_app.domain.figures import ALL
from intake_app.domain.report_tables import Column, ReportDocument, Table
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.reporting.common import (
    check_grouping,
    check_kind,
    document,
    period_of,
)
from intake_app.services.reporting.rows import Source
from intake_app.store.models import Referral

IDENTIFIED_COLUMNS = (
    Column("referral", "Referral"),
    Column("received_at", "Received", "datetime"),
    Column("family_name", "Family name"),
    Column("given_name", "Given name"),
    Column("date_of_birth", "Date of birth", "date"),
    Column("mrn", "MRN"),
    Column("service_line", "Service line"),
    Column("partner", "Partner"),
    Column("channel", "Channel"),
    Column("priority", "Priority"),
    Column("state", "State"),
)


@dataclass(frozen=True)
class ReferralsBehind:
    ids: tuple[int, ...]  # in order of receipt
    document: ReportDocument | None = None  # identified: one table naming the patients

    @property
    def table(self) -> Table | None:
        return self.document.tables[0] if self.document else None


def referrals_behind(
    signed_in: SignedIn,
    kind: str,
    start: date,
    end: date,
    by: str | None,
    group_value: str,
    identified: bool = False,
) -> ReferralsBehind:
    """The referrals of the period in group `group_value` of `by` ("all": every one).

    Ids alone are de-identified and need the reports permission; `identified` adds the
    patients' names, needs the identified-export permission (refused and audited without
    it) and is audited once per referral shown.
    """
    check_kind(kind)
    clinic, actor = signed_in.clinic, signed_in.actor
    action = "report_identified" if identified else f"report_{kind}_referrals"
    clinic.require(actor, Permission.RUN_REPORTS, action)
    if identified:
        clinic.require(actor, Permission.EXPORT_IDENTIFIED, action)
    check_grouping(by)
    if by is None and group_value != ALL:
        raise ServiceError(f"group: {group_value!r} needs a grouping (by)")
    period = period_of(signed_in, start, end)
    with clinic.session() as session, session.begin():
        source = Source.open(session, clinic, period)
        name_of = source.grouper(by)
        rows = source.rows(Referral.id)
        ids = tuple(
            int(row[-1])
            for row in sorted(rows, key=lambda r: (r[0], r[-1]))
            if group_value == ALL or name_of(row) == group_value
        )
        named = _named(source, ids) if identified else None
    if not identified:
        return ReferralsBehind(ids)
    with clinic.write(action) as session:
        audit.append_many(
            session,
            clinic.audit_key,
            [(action, "referral", str(i)) for i in ids] or [(action, "report", period.label)],
            at=clinic.now(),
            user_name=actor.name,
            workstation=clinic.workstation,
        )
    table = Table(
        key="referrals",
        title=f"Referrals behind {by or 'all'}: {group_value}",
        columns=IDENTIFIED_COLUMNS,
        rows=named or (),
        note="Identified: names patients. Keep it inside the clinic.",
    )
    held = "elapsed"
    doc = document(signed_in, "Referrals", period, (table,), by=by, held=held, identified=True)
    return ReferralsBehind(ids, doc)


def _named(source: Source, ids: tuple[int, ...]) -> tuple[tuple[object, ...], ...]:
    found: dict[int, tuple[object, ...]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        stmt = select(
            Referral.id,
            Referral.received_at,
            Referral.family_name,
            Referral.given_name,
            Referral.date_of_birth,
            Referral.mrn,
            Referral.service_line_key,
            Referral.partner_id,
            Referral.channel,
            Referral.priority,
            Referral.state,
        ).where(Referral.id.in_(chunk))
        for row in source.session.execute(stmt):
            found[row.id] = (
                f"R-{row.id:06d}",
                row.received_at,
                row.family_name,
                row.given_name,
                row.date_of_birth,
                row.mrn or "",
                row.service_line_key,
                source.partners.get(row.partner_id, ""),
                row.channel,
                row.priority or "",
                row.state,
            )
    return tuple(found[i] for i in ids if i in found)
