"""The figures of the weekly review (SPEC §5), computed once into a ReportDocument.

The dashboard, the `report` commands and every export render the document this returns,
so screen and files carry the same numbers. De-identified: no name, MRN or date of birth.
"""

from datetime import date

from intake_app.domain.report_tables import ReportDocument, Table
from intake_app.services.auth import SignedIn
from intake_app.services.permissions import Permission
from intake_app.services.reporting.access import access_rows, access_table
from intake_app.services.reporting.behind import ReferralsBehind, referrals_behind
from intake_app.services.reporting.common import (
    GROUPINGS,
    HELD,
    KINDS,
    Held,
    check_grouping,
    check_held,
    check_kind,
    document,
    period_of,
)
from intake_app.services.reporting.funnel import funnel_table
from intake_app.services.reporting.lag import lag_table
from intake_app.services.reporting.measures import access_summaries, measured
from intake_app.services.reporting.partners import partner_table
from intake_app.services.reporting.rows import Source, fields_of
from intake_app.services.reporting.standards import standards_table
from intake_app.services.reporting.volume import volume_table

TITLES = {
    "access_times": "Access times",
    "funnel": "Conversion funnel",
    "partners": "Partner scorecard",
    "lag": "Referral lag",
    "standards": "Standards",
    "volume": "Volume and completeness",
    "weekly_review": "Weekly review",
}
# The tables of each report, in the order the weekly review shows them.
TABLES = {
    "access_times": ("access_times",),
    "standards": ("standards",),
    "volume": ("volume",),
    "funnel": ("funnel",),
    "partners": ("partners",),
    "lag": ("lag",),
}
TABLES["weekly_review"] = tuple(t for k, (t,) in TABLES.items())

__all__ = ["GROUPINGS", "HELD", "KINDS", "ReferralsBehind", "build_report", "referrals_behind"]


def build_report(
    signed_in: SignedIn,
    kind: str,
    start: date,
    end: date,
    *,
    by: str | None = None,
    held: str = "elapsed",
) -> ReportDocument:
    """The figures of one report for referrals received `start`..`end` (inclusive, clinic
    time), broken down `by` one of GROUPINGS (None: the whole clinic), on the `held` clock."""
    check_kind(kind)
    check_grouping(by)
    clock = check_held(held)
    clinic, actor = signed_in.clinic, signed_in.actor
    action = f"report_{kind}"
    clinic.require(actor, Permission.RUN_REPORTS, action)
    period = period_of(signed_in, start, end)
    clinic.refresh_access_settings()  # targets another workstation changed judge this report
    # Read in one transaction (one snapshot), without the write lock; the report is audited
    # once it is computed.
    with clinic.session() as session, session.begin():
        source = Source.open(session, clinic, period, fields_of(TABLES[kind]))
        tables = _tables(source, TABLES[kind], by, clock)
    with clinic.unit(actor, action, "report", period.label):
        pass
    return document(signed_in, TITLES[kind], period, tables, by=by, held=clock)


def _tables(source: Source, keys: tuple[str, ...], by: str | None, held: Held) -> tuple[Table, ...]:
    # The access measures are read once for the access-time and standards tables.
    facts = measured(source) if {"access_times", "standards", "partners"} & set(keys) else []
    tables: list[Table] = []
    for key in keys:
        if key == "access_times":
            summaries = access_summaries(source, facts, by, held)
            tables.append(access_table(access_rows(by, summaries), held))
        elif key == "standards":
            tables.append(standards_table(source, by, facts, held))
        elif key == "volume":
            tables.append(volume_table(source, by or "week"))
        elif key == "funnel":
            tables.append(funnel_table(source, by))
        elif key == "partners":
            # The scorecard shows two of the measures: only those are summarised.
            shown = ("acknowledge", "records_complete")
            by_partner = access_summaries(source, facts, "partner", held, shown)
            tables.append(partner_table(source, by_partner, item_labels(source)))
        elif key == "lag":
            tables.append(lag_table(source, by))
    return tuple(tables)


def item_labels(source: Source) -> dict[str, str]:
    """Checklist items' names by key, as the service lines' current checklists call them."""
    return {
        item.key: item.label
        for line in source.clinic.service_lines.values()
        for item in line.checklist
    }
