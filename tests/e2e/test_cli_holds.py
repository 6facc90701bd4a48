"""`referral hold` / `referral resume` through the entry point; lists and show name the hold."""

from sqlalchemy import func, select

from intake_app.services.referrals import Referrals
from intake_app.store.models import Event
from tests.conftest import COORDINATOR_PASSWORD, MANAGER_PASSWORD, TRIAGE_PASSWORD
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral


def cli(capsys, db, user: str, password: str, *args: object):  # type: ignore[no-untyped-def]
    return run_as(capsys, db, user, f"{password}\n", "referral", *args)


def hold_events(signed_in, rid: int) -> int:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return session.execute(
            select(func.count(Event.id)).where(
                Event.referral_id == rid, Event.kind.in_(["hold_started", "hold_ended"])
            )
        ).scalar_one()


def test_hold_show_list_and_resume(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    db = clinic_files.db
    held = cli(
        capsys,
        db,
        "tess",
        TRIAGE_PASSWORD,
        "hold",
        rid,
        "--reason",
        "awaiting_referrer",
        "--at",
        "2026-11-17T10:30",
    )
    assert (held.code, held.out, held.err) == (
        0,
        f"Referral {rid}: new (on hold, awaiting referrer)\n",
        "",
    )
    shown = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "show", rid)
    assert "Hold:                On hold since 2026-11-17 10:30 CST (awaiting referrer)" in (
        shown.out
    )
    assert "Status:              new" in shown.out
    assert "2026-11-17 10:30 CST  Put on hold (awaiting referrer) [tess]" in shown.out
    listed = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "list")
    row = next(line for line in listed.out.splitlines() if line.startswith(f"{rid}\t"))
    assert row.endswith("\tOn hold since 2026-11-17 10:30 (awaiting referrer)")
    resumed = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "resume", rid)
    assert resumed.code == 0, resumed.err
    assert resumed.out.startswith(f"Referral {rid}: new (resumed; acknowledge due by ")
    assert Referrals(cora).get(rid).summary.hold_reason is None
    shown = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "show", rid)
    assert "Hold ended (awaiting referrer) [cora]" in shown.out


def test_refused_steps_exit_1_with_one_line_and_change_nothing(
    clinic_files, capsys, sign_in_as
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    db = clinic_files.db
    refused = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "resume", rid)
    assert (refused.code, refused.out, refused.err) == (
        1,
        "",
        "error: state: the referral is not on hold\n",
    )
    early = cli(
        capsys,
        db,
        "cora",
        COORDINATOR_PASSWORD,
        "hold",
        rid,
        "--reason",
        "patient_unavailable",
        "--at",
        "2026-11-01T09:00",
    )
    assert (early.code, early.err) == (1, "error: at: is before the referral was received\n")
    manager = cli(
        capsys, db, "mona", MANAGER_PASSWORD, "hold", rid, "--reason", "patient_unavailable"
    )
    assert manager.code == 1
    assert len(manager.err.strip().splitlines()) == 1 and "may not" in manager.err
    bad = cli(capsys, db, "cora", COORDINATOR_PASSWORD, "hold", rid, "--reason", "later")
    assert bad.code == 2
    assert hold_events(cora, rid) == 0
    assert Referrals(cora).get(rid).summary.hold_reason is None


def test_report_takes_the_held_clock(clinic_files, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.csv"
    args = ("report", "access-times", "--from", "2026-11-01", "--to", "2026-11-30")
    for held in ("elapsed", "adjusted"):
        done = run_as(
            capsys,
            clinic_files.db,
            "mona",
            f"{MANAGER_PASSWORD}\n",
            *args,
            "--held",
            held,
            "--out",
            out,
        )
        assert done.code == 0, done.err
        assert out.read_text().splitlines()[0] == (
            "group_by,group,measure,count,median_hours,p90_hours,within_target_share"
        )
    wrong = run_as(
        capsys,
        clinic_files.db,
        "mona",
        f"{MANAGER_PASSWORD}\n",
        *args,
        "--held",
        "paused",
        "--out",
        out,
    )
    assert wrong.code == 2
