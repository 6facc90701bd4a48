"""Corrections from the command line: referral edit, unreceive, correct-receipt, and links."""

from intake_app.services.referrals import DuplicateChoice, Referrals
from tests.conftest import COORDINATOR_PASSWORD, MANAGER_PASSWORD
from tests.e2e.cli_helpers import run_as, run_process
from tests.factories import intake, log_referral

CORA = f"{COORDINATOR_PASSWORD}\n"


def show(capsys, db, rid: int) -> str:  # type: ignore[no-untyped-def]
    result = run_as(capsys, db, "cora", CORA, "referral", "show", rid)
    assert result.code == 0, result.err
    return result.out


def test_edit_sets_fields_and_the_timeline_names_them(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        CORA,
        "referral",
        "edit",
        rid,
        "--set",
        "mrn=h-5501",
        "--set",
        "contact-phone=555 0100",
        "--set",
        "service_line=hematology",
        "--reason",
        "patient registered",
    )
    assert (result.code, result.err) == (0, "")
    assert result.out.strip() == f"Referral {rid} edited: phone, MRN, service line"
    out = show(capsys, clinic_files.db, rid)
    assert "MRN:                 H-5501" in out
    assert "Service line:        hematology" in out
    assert "[x]" not in out.split("Checklist:")[1].split("Timeline:")[0]
    assert "Edited: phone, MRN, service line (reason: patient registered) [cora]" in out


def test_edit_refuses_bad_values_and_the_receipt_time_with_one_line_each(
    clinic_files, capsys, sign_in_as
) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))

    def edit(*args: object):  # type: ignore[no-untyped-def]
        return run_as(capsys, clinic_files.db, "cora", CORA, "referral", "edit", rid, *args)

    result = edit("--set", "date_of_birth=1957-02-30", "--set", "sex=female")
    assert result.code == 1
    assert result.err.splitlines() == [
        "date_of_birth: is not a date (YYYY-MM-DD)",
        "error: refused, 1 problem(s); nothing was changed",
    ]
    result = edit("--set", "received_at=2026-11-13T09:00")
    assert result.code == 1 and result.err.startswith("received_at: cannot be edited; correct it")
    result = edit("--set", "family_name=")
    assert result.err.splitlines()[0] == "family_name: is required"
    result = edit("--set", "colour=blue")
    assert result.err.splitlines()[0].startswith("colour: is not a field; editable: channel,")
    result = edit("--set", "mrn")
    assert (result.code, result.err.strip()) == (
        2,
        "intake-app: --set takes FIELD=VALUE, not 'mrn'",
    )
    result = edit("--set", "mrn=X9", "--expected-version", "99")
    assert result.code == 1 and "was changed by someone else" in result.err
    assert "MRN:                 MRN-424242" in show(capsys, clinic_files.db, rid)
    result = run_as(
        capsys,
        clinic_files.db,
        "mona",
        f"{MANAGER_PASSWORD}\n",
        "referral",
        "edit",
        rid,
        "--set",
        "mrn=X9",
    )
    assert result.code == 1 and result.err.startswith("error: mona (manager) may not edit")


def test_edit_that_matches_another_patient_asks_for_a_choice(
    clinic_files, capsys, sign_in_as
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    first = log_referral(cora)
    other = log_referral(cora, mrn="", family_name="Fernandes")
    args = ("referral", "edit", other, "--set", "family_name=Fernández")
    result = run_as(capsys, clinic_files.db, "cora", CORA, *args)
    assert result.code == 1
    assert result.err.strip() == (
        f"error: after this edit the patient matches open referral {first}; choose link or "
        "keep both (nothing was saved); use --duplicate link or --duplicate keep_both"
    )
    result = run_as(capsys, clinic_files.db, "cora", CORA, *args, "--duplicate", "link")
    assert result.code == 0, result.err
    assert f"Linked to:           {first} Fernández, Siobhán (new, received" in show(
        capsys, clinic_files.db, other
    )
    assert f"Linked from:         {other} Fernández, Siobhán (new" in show(
        capsys, clinic_files.db, first
    )


def test_unreceive_then_correct_receipt_as_separate_processes(clinic_files, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora, {"referral_order": None, "labs": None})
    base = ("--db", clinic_files.db, "--user", "cora", "--password-stdin")

    result = run_process("referral", "unreceive", rid, "labs", *base, stdin=CORA)
    assert result.code == 2 and "--reason" in result.err
    result = run_process(
        "referral", "unreceive", rid, "labs", "--reason", "ticked in error", *base, stdin=CORA
    )
    assert (result.code, result.out.strip()) == (0, f"Referral {rid}: labs marked not received")
    result = run_process(
        "referral", "unreceive", rid, "labs", "--reason", "again", *base, stdin=CORA
    )
    assert result.err.strip() == "error: item: 'labs' is not marked received on this referral"

    result = run_process(
        "referral",
        "correct-receipt",
        rid,
        "--at",
        "2026-11-13T16:45",
        "--reason",
        "fax arrived Friday",
        *base,
        stdin=CORA,
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"Referral {rid}: received at corrected to 2026-11-13 16:45 CST"
    result = run_process(
        "referral", "correct-receipt", rid, "--at", "yesterday", "--reason", "x", *base, stdin=CORA
    )
    # Named, not echoed (issue 8: messages reach logs).
    assert result.err.strip() == (
        "error: at: is not an ISO 8601 time (YYYY-MM-DDTHH:MM, optionally with an offset)"
    )

    out = run_process("referral", "show", rid, *base, stdin=CORA).out
    assert "Received:            2026-11-13 16:45 CST" in out
    assert "[ ] labs (optional)" in out
    assert "[x] referral_order (required) 2026-11-13 16:45 CST by cora" in out
    assert "Marked not received: labs (reason: ticked in error) [cora]" in out
    assert (
        "Receipt time corrected: 2026-11-16 09:30 CST → 2026-11-13 16:45 CST "
        "(reason: fax arrived Friday) [cora]"
    ) in out
    timeline = out.split("Timeline:")[1]
    # The first receipt of labs is still there, before its withdrawal.
    assert timeline.index("item_received labs") < timeline.index("Marked not received: labs")


def test_show_lists_the_referrals_that_link_here(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    first = log_referral(cora)
    second = Referrals(cora).log(intake(), {}, duplicate=DuplicateChoice.LINK)
    out = show(capsys, clinic_files.db, first)
    assert f"Linked from:         {second} Fernández, Siobhán (new, received 2026-11-16" in out
    assert "Linked to" not in out


def test_two_processes_editing_the_same_version_one_wins(clinic_files, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    cora = sign_in_as("cora")
    rid = log_referral(cora)
    version = Referrals(cora).get(rid).row_version
    base = ["--db", str(clinic_files.db), "--user", "cora", "--password-stdin"]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "intake_app",
                "referral",
                "edit",
                str(rid),
                "--set",
                f"mrn=H-{n}",
                "--expected-version",
                str(version),
                *base,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    results = [(*p.communicate(CORA, timeout=120), p.returncode) for p in procs]
    codes = sorted(code for _out, _err, code in results)
    assert codes == [0, 1], results
    loser = next(err for _out, err, code in results if code == 1)
    assert "was changed by someone else" in loser
    winner = next(n for n, (_out, _err, code) in enumerate(results, start=1) if code == 0)
    detail = Referrals(cora).get(rid)
    assert detail.summary.mrn == f"H-{winner}"
    assert [e.kind for e in detail.timeline].count("edited") == 1
