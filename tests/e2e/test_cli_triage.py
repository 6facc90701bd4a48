"""`intake-app triage queue` and the triage decisions, through the entry point."""

import csv
import io
import stat

from intake_app.domain.enums import Trigger
from intake_app.services.referrals import Referrals
from tests.conftest import COORDINATOR_PASSWORD, TRIAGE_PASSWORD
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral

TESS = TRIAGE_PASSWORD + "\n"
CORA = COORDINATOR_PASSWORD + "\n"
COLUMNS = (
    "id,received_at,service_line,partner,proposed_priority,proposal_reasons,missing_items,"
    "triage_due_at,due_status,on_hold,assigned_to"
)


def test_queue_csv_is_de_identified_owner_only_and_in_order(  # type: ignore[no-untyped-def]
    clinic_files, capsys, sign_in_as, tmp_path, usual_umask
) -> None:
    cora = sign_in_as("cora")
    soon = log_referral(cora)
    urgent = log_referral(
        cora,
        family_name="Okonkwo",
        given_name="Adaeze",
        trigger=Trigger.NEW_BIOPSY,
        partner="=HYPERLINK(1)",
        mrn="MRN-777",
    )
    out = tmp_path / "queue.csv"
    result = run_as(capsys, clinic_files.db, "tess", TESS, "triage", "queue", "--format", "csv",
                    "--out", out)  # fmt: skip
    assert (result.code, result.out.strip()) == (0, f"2 referrals written to {out}")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    for patient_value in (b"Okonkwo", b"Adaeze", b"Fern", b"Siobh", b"1957", b"MRN-"):
        assert patient_value not in data
    text = data.decode("utf-8")
    assert text.splitlines()[0] == COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == [urgent, soon]
    first = rows[0]
    assert first["received_at"] == "2026-11-16T09:30:00-06:00"
    assert first["triage_due_at"] == "2026-11-19T00:00:00-06:00"
    assert first["proposed_priority"] == "urgent"
    assert first["proposal_reasons"] == (
        "referrer marked it routine; trigger new_biopsy is urgent by rule"
    )
    assert first["missing_items"].startswith("Referral order / request; Patient demographics; ")
    assert first["due_status"] in ("overdue", "due_today", "upcoming")
    assert first["partner"] == "'=HYPERLINK(1)"  # defused
    assert (first["on_hold"], first["assigned_to"]) == ("", "")


def test_queue_text_names_the_patient_for_staff(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    result = run_as(capsys, clinic_files.db, "tess", TESS, "triage", "queue", "--unassigned")
    assert result.code == 0
    header, row, total = result.out.splitlines()
    assert header.split("\t")[:4] == ["id", "patient", "service_line", "proposed"]
    assert row.split("\t")[:4] == [str(rid), "Fernández, Siobhán", "medical_oncology", "soon"]
    assert total.startswith("1 awaiting triage at ")


def test_triage_from_the_command_line(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)  # proposed soon
    db = clinic_files.db
    refused = run_as(capsys, db, "tess", TESS, "referral", "triage", rid, "--priority", "urgent")
    assert refused.code == 1
    assert refused.err.splitlines() == [
        "error: reason: the proposed priority is soon; say in a few words why it is urgent"
    ]
    assert Referrals(cora).get(rid).summary.state == "new"
    done = run_as(capsys, db, "tess", TESS, "referral", "triage", rid, "--priority", "urgent",
                  "--reason", "mass on imaging", "--at", "2026-11-17T10:00")  # fmt: skip
    assert (done.code, done.out.strip()) == (0, f"Referral {rid}: triaged (priority urgent)")
    detail = Referrals(cora).get(rid)
    assert detail.triaged_at.isoformat() == "2026-11-17T16:00:00+00:00"
    event = next(e for e in detail.timeline if e.to_state == "triaged")
    assert event.reason == "mass on imaging"


def test_redirect_and_decline_from_the_command_line(clinic_files, capsys, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    inside, outside, declined = (log_referral(cora, family_name=n) for n in "ABC")
    db = clinic_files.db
    moved = run_as(capsys, db, "tess", TESS, "referral", "redirect", inside, "--to", "hematology",
                   "--reason", "blood picture")  # fmt: skip
    assert moved.out.strip() == f"Referral {inside}: new (now on hematology, awaiting triage)"
    away = run_as(capsys, db, "tess", TESS, "referral", "redirect", outside, "--to", "outside",
                  "--reason", "regional sarcoma centre")  # fmt: skip
    assert away.out.strip() == f"Referral {outside}: redirected (redirected outside the clinic)"
    no = run_as(capsys, db, "tess", TESS, "referral", "decline", declined, "--reason", "benign")
    assert no.out.strip() == f"Referral {declined}: declined"
    bad = run_as(capsys, db, "tess", TESS, "referral", "redirect", inside, "--to", "nowhere",
                 "--reason", "x")  # fmt: skip
    assert bad.code == 1 and len(bad.err.splitlines()) == 1
    assert bad.err.startswith("error: service_line: 'nowhere' is not an active service line")


def test_a_role_without_triage_rights_cannot_decide_on_the_command_line(  # type: ignore[no-untyped-def]
    clinic_files, capsys, sign_in_as
) -> None:
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    db = clinic_files.db
    for args in (
        ("triage", rid, "--priority", "soon"),
        ("redirect", rid, "--to", "hematology", "--reason", "blood"),
        ("decline", rid, "--reason", "no"),
    ):
        result = run_as(capsys, db, "cora", CORA, "referral", *args)
        assert result.code == 1
        assert len(result.err.splitlines()) == 1
        assert result.err.startswith("error: cora (coordinator) may not ")
    detail = Referrals(cora).get(rid)
    assert (detail.summary.state, detail.summary.service_line) == ("new", "medical_oncology")
