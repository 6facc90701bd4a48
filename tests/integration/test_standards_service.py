"""Standards as a setting: defaults until changed, administrators change them, audited."""

import json

import pytest
from sqlalchemy import select

from intake_app.domain.standards import DEFAULT_STANDARDS
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.reporting.standards import (
    remove_standard,
    set_standard,
    show_standards,
)
from intake_app.store.models import AuditEntry


def test_defaults_until_an_administrator_changes_them(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin, manager = sign_in_as("admin"), sign_in_as("mona")
    assert show_standards(manager) == DEFAULT_STANDARDS
    assert [s.describe() for s in DEFAULT_STANDARDS] == [
        "first consult within 14 calendar days, 93%",
        "triage within 2 business days, 90%",
    ]
    set_standard(admin, "Acknowledge next day", "acknowledge", "business", 1, 0.95)
    set_standard(admin, "triage within 2 business days", "triage", "business", 2, 0.85)
    shown = show_standards(manager)
    # The second call replaced the default of that name (names compare case-blind).
    assert [(s.name, s.threshold) for s in shown] == [
        ("First consult within 14 days", 0.93),
        ("triage within 2 business days", 0.85),
        ("Acknowledge next day", 0.95),
    ]
    remove_standard(admin, "First consult within 14 days")
    remove_standard(admin, "Acknowledge next day")
    remove_standard(admin, "triage within 2 business days")
    assert show_standards(manager) == ()  # none is a choice, not a reason for the defaults


def test_changes_are_audited(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    set_standard(admin, "Consult in 28 days", "first_consult", "calendar", 28, 0.9)
    remove_standard(admin, "Consult in 28 days")
    with admin.clinic.session() as session:
        entries = session.execute(
            select(
                AuditEntry.action, AuditEntry.entity_id, AuditEntry.outcome, AuditEntry.detail
            ).where(AuditEntry.entity == "standard")
        ).all()
    assert [tuple(e[:3]) for e in entries] == [
        ("standard_set", "Consult in 28 days", "ok"),
        ("standard_remove", "Consult in 28 days", "ok"),
    ]
    # Each entry keeps the standards before and after the change.
    added = json.loads(entries[0].detail)
    assert [s["name"] for s in added["before"]] == [s.name for s in DEFAULT_STANDARDS]
    assert added["after"][-1] == {
        "name": "Consult in 28 days",
        "measure": "first_consult",
        "unit": "calendar",
        "days": 28,
        "threshold": 0.9,
    }
    removed = json.loads(entries[1].detail)
    assert (removed["before"], removed["after"]) == (added["after"], added["before"])


@pytest.mark.parametrize("user", ["cora", "tess", "mona"])
def test_only_administrators_change_them(sign_in_as, user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="may not standard set"):
        set_standard(sign_in_as(user), "X", "triage", "business", 2, 0.9)
    assert show_standards(sign_in_as("admin")) == DEFAULT_STANDARDS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "triage", "business", 2, 0.9), "name: must be 1 to 60"),
        (("T", "wait", "business", 2, 0.9), "measure: 'wait' is not one of"),
        (("T", "triage", "weekdays", 2, 0.9), "unit: 'weekdays' is not one of"),
        (("T", "triage", "business", -1, 0.9), "days: must be a whole number"),
        (("T", "triage", "business", 2, 93), "threshold: must be a share above 0"),
        (("T", "triage", "business", 2, 0), "threshold: must be a share above 0"),
    ],
)
def test_bad_standards_are_refused_by_field(sign_in_as, args, message) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with pytest.raises(ServiceError) as refused:
        set_standard(admin, *args)
    assert str(refused.value).startswith(message)
    assert show_standards(admin) == DEFAULT_STANDARDS


def test_removing_an_unknown_standard_says_so(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError, match="name: there is no standard named 'Nope'"):
        remove_standard(sign_in_as("admin"), "Nope")
