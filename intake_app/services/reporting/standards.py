"""The clinic's standards: stored as one setting, shown and changed by administrators, and
the share of each group that met each one, beside its threshold."""

from dataclasses import asdict

from sqlalchemy.orm import Session

from intake_app.domain import DomainError
from intake_app.domain.figures import ALL, meets, met_text, ordered_groups, share
from intake_app.domain.report_tables import Column, Table
from intake_app.domain.standards import (
    DEFAULT_STANDARDS,
    Standard,
    make_standard,
    standards_from_json,
    standards_to_json,
    with_standard,
    without_standard,
)
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.permissions import Permission
from intake_app.services.reporting.common import GROUP_COLUMNS, Held
from intake_app.services.reporting.measures import Deadlines, Measured, share_within
from intake_app.services.reporting.rows import Source
from intake_app.store.models import Setting

SETTING = "report_standards"  # JSON list; absent until first changed: the defaults apply


def stored_standards(session: Session) -> tuple[Standard, ...]:
    row = session.get(Setting, SETTING)
    if row is None:
        return DEFAULT_STANDARDS
    try:
        return standards_from_json(row.value)
    except DomainError as exc:
        raise ServiceError(str(exc)) from None


def show_standards(signed_in: SignedIn) -> tuple[Standard, ...]:
    """The standards in force; for administrators and for those who run the reports."""
    clinic, actor = signed_in.clinic, signed_in.actor
    if not (actor.may(Permission.RUN_REPORTS) or actor.may(Permission.MANAGE_SETTINGS)):
        clinic.require(actor, Permission.MANAGE_SETTINGS, "show_standards")
    with clinic.session() as session:
        return stored_standards(session)


def set_standard(
    signed_in: SignedIn, name: str, measure: str, unit: str, days: int, threshold: float
) -> Standard:
    """Add a standard, or change the one of that name. Administrators only; audited."""
    try:
        standard = make_standard(name, measure, unit, days, threshold)
    except DomainError as exc:
        raise ServiceError(str(exc)) from None
    _change(signed_in, "standard_set", standard.name, lambda s: with_standard(s, standard))
    return standard


def remove_standard(signed_in: SignedIn, name: str) -> None:
    _change(signed_in, "standard_remove", name.strip(), lambda s: without_standard(s, name))


def _change(signed_in: SignedIn, action: str, name: str, change) -> None:  # type: ignore[no-untyped-def]
    """Under the write lock (taken before the standards are read, so two administrators'
    changes cannot overwrite each other); audited with the standards before and after."""
    clinic, actor = signed_in.clinic, signed_in.actor
    with clinic.change_setting(actor, action, "standard", name[:40]) as setting:
        before = stored_standards(setting.session)
        try:
            after = change(before)
        except DomainError as exc:
            raise ServiceError(str(exc)) from None
        setting.before = [asdict(s) for s in before]
        setting.after = [asdict(s) for s in after]
        row = setting.session.get(Setting, SETTING)
        if row is None:
            setting.session.add(Setting(key=SETTING, value=standards_to_json(after)))
        else:
            row.value = standards_to_json(after)


STANDARD_COLUMNS = (
    Column("standard", "Standard"),
    Column("measure", "Measure"),
    Column("unit", "Unit"),
    Column("days", "Days", "count"),
    Column("threshold", "Threshold", "share"),
    *GROUP_COLUMNS,
    Column("count", "Reached the step", "count"),
    Column("met", "Within the days", "count"),
    Column("met_share", "Share within", "share"),
    Column("result", "Result", "met"),
)


def standards_table(source: Source, by: str | None, facts: list[Measured], held: Held) -> Table:
    """Per standard and group: of the referrals that reached the step, the share within its
    days, beside its threshold, and "met" or "not met" written out."""
    deadlines = Deadlines(source.clinic.calendar, source.clinic.targets)
    rows = []
    for standard in stored_standards(source.session):
        counts = share_within(
            deadlines, facts, standard.measure, standard.unit, standard.days, held
        )
        for group in ordered_groups(counts):
            count, met = counts[group]
            rows.append(
                (
                    standard.name,
                    standard.measure,
                    standard.unit,
                    standard.days,
                    standard.threshold,
                    by or ALL,
                    group,
                    count,
                    met,
                    share(met, count),
                    met_text(meets(met, count, standard.threshold)),
                )
            )
    clock = "adjusted (patient-unavailable holds subtracted)" if held == "adjusted" else "elapsed"
    return Table(
        key="standards",
        title="Standards",
        columns=STANDARD_COLUMNS,
        rows=tuple(rows),
        note=f"Of the referrals that reached the step, on the {clock} clock; met when the "
        "share within reaches the threshold.",
    )
