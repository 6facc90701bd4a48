"""The audit trail: one entry per change in the same transaction, append-only, chained."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from intake_app.domain.enums import Priority
from intake_app.services.audit_check import verify_audit
from intake_app.services.errors import PermissionDenied
from intake_app.services.referrals import Referrals
from intake_app.store.models import AuditEntry
from tests.conftest import ADMIN_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as
from tests.factories import intake, log_referral


def entries(signed_in) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        return list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def test_each_change_writes_one_entry_without_patient_values(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    before = len(entries(cora))
    rid = log_referral(cora, family_name="Siobhán-Audit")
    clock.advance(hours=1)
    Referrals(tess).triage(rid, Priority.URGENT, reason="clinical judgement")
    Referrals(cora).get(rid)
    new = entries(cora)[before:]
    assert [(e.user_name, e.action, e.entity, e.entity_id, e.outcome) for e in new] == [
        ("cora", "log_referral", "referral", str(rid), "ok"),
        ("tess", "to_triaged", "referral", str(rid), "ok"),
        ("cora", "view_referral", "referral", str(rid), "ok"),
    ]
    assert all(e.workstation for e in new)
    flat = " ".join(str(vars(e)) for e in new)
    for value in ("Siobhán", "Audit", "MRN-424242", "1957"):
        assert value not in flat


def test_a_refused_permission_is_audited_and_nothing_else_changes(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    with pytest.raises(PermissionDenied, match="mona \\(manager\\) may not log referral"):
        Referrals(mona).log(intake())
    last = entries(mona)[-1]
    assert (last.user_name, last.action, last.outcome) == ("mona", "log_referral", "denied")
    assert Referrals(mona).page().total == 0


def test_a_failed_change_leaves_no_entry(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.errors import ValidationFailed

    cora = sign_in_as("cora")
    before = len(entries(cora))
    with pytest.raises(ValidationFailed):
        Referrals(cora).log(intake(family_name=""))
    assert len(entries(cora)) == before


def test_audit_rows_refuse_update_and_delete(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with admin.clinic.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("UPDATE audit_log SET user_name = 'mallory' WHERE seq = 1"))
    with admin.clinic.engine.begin() as conn, pytest.raises(DatabaseError, match="append-only"):
        conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))


def test_edited_entry_is_detected(sign_in_as, clinic_files: ClinicFiles, capsys) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    log_referral(cora)
    assert verify_audit(sign_in_as("admin")).intact
    total = len(entries(cora))
    # Someone with the key drops the guard and rewrites history.
    with cora.clinic.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET user_name = 'mallory' WHERE seq = 3"))
    result = run_as(capsys, clinic_files.db, "admin", f"{ADMIN_PASSWORD}\n", "audit", "verify")
    assert result.code == 1
    assert result.err.strip() == (
        "error: audit trail broken at entry 3: its content does not match its hash"
    )
    assert total > 3


def test_deleted_entry_is_detected(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    log_referral(cora)
    with cora.clinic.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    check = verify_audit(sign_in_as("admin"))
    assert (check.first_broken, check.problem) == (3, "entry 2 is missing")


def test_intact_chain_verifies_from_the_command_line(clinic_files, capsys) -> None:  # type: ignore[no-untyped-def]
    result = run_as(capsys, clinic_files.db, "admin", f"{ADMIN_PASSWORD}\n", "audit", "verify")
    assert result.code == 0, result.err
    assert result.out.startswith("Audit trail intact:")


def test_sequence_has_no_gaps_under_many_actions(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    for n in range(5):
        clock.advance(minutes=5)
        log_referral(cora, family_name=f"Patient{n}")
    seqs = [e.seq for e in entries(cora)]
    assert seqs == list(range(1, len(seqs) + 1))
    with cora.clinic.session() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar() == len(seqs)
