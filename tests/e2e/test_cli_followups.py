"""`intake-app followups due|done|ladder` through the entry point, on a real database."""

import csv
import io
import stat

from sqlalchemy import select

from intake_app.services.auth import sign_in
from intake_app.store.models import Event
from tests.conftest import (
    ADMIN_PASSWORD,
    COORDINATOR_PASSWORD,
    TRIAGE_PASSWORD,
    ClinicFiles,
)
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral

# The referrals are received Monday 16 Nov 2026 (factories); the first request was due by the
# end of Tuesday 17, so Wednesday 18's list holds them, overdue.
DAY = "2026-11-18"


def logged(files: ClinicFiles, clock, **overrides: object) -> int:  # type: ignore[no-untyped-def]
    cora = sign_in(files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    try:
        return log_referral(cora, **overrides)
    finally:
        cora.close()


def cora(capsys, files: ClinicFiles, *args: object):  # type: ignore[no-untyped-def]
    return run_as(capsys, files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "followups", *args)


def test_csv_has_the_contract_columns_and_no_patient_identity(
    capsys, clinic_files, clock, tmp_path, usual_umask
) -> None:  # type: ignore[no-untyped-def]
    first = logged(clinic_files, clock, partner='=HYPERLINK("http://x")', mrn="MRN-777001")
    second = logged(clinic_files, clock, family_name="Okafor", given_name="Chidi")
    target = tmp_path / "followups.csv"
    result = cora(capsys, clinic_files, "due", "--date", DAY, "--format", "csv", "--out", target)
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote 2 follow-ups to {target}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = target.read_bytes()
    for identity in ("Fernández", "Siobhán", "Okafor", "Chidi", "1957", "MRN-777001"):
        assert identity.encode() not in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["id", "step", "due_at", "partner", "missing_items"]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert set(by_id) == {first, second}
    assert by_id[first][1] == "1"
    assert by_id[first][2] == "2026-11-18T00:00:00-06:00"  # end of Tuesday, with its offset
    assert by_id[first][3] == '\'=HYPERLINK("http://x")'  # defused
    assert by_id[first][4].startswith("Referral order / request; Patient demographics; ")


def test_csv_to_standard_output_and_the_text_list(capsys, clinic_files, clock) -> None:  # type: ignore[no-untyped-def]
    rid = logged(clinic_files, clock)
    result = cora(capsys, clinic_files, "due", "--date", DAY, "--format", "csv")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "id,step,due_at,partner,missing_items"
    assert lines[1].startswith(f"{rid},1,2026-11-18T00:00:00-06:00,Valley Gastroenterology,")
    text = cora(capsys, clinic_files, "due", "--date", DAY)
    assert text.code == 0
    assert text.out.splitlines()[1].split("\t")[:3] == [str(rid), "1", "request_partner"]
    assert "Fernández" not in text.out
    empty = cora(capsys, clinic_files, "due", "--date", "2026-11-16")
    assert empty.out.strip() == "No follow-ups due"


def test_done_records_the_outcome_and_moves_the_ladder_on(capsys, clinic_files, clock) -> None:  # type: ignore[no-untyped-def]
    rid = logged(clinic_files, clock)
    result = cora(
        capsys,
        clinic_files,
        "done",
        rid,
        "--outcome",
        "faxed",
        "--note",
        "fax to the clinic",
        "--at",
        "2026-11-17T10:00",
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"Referral {rid}: follow-up step 1 done (faxed)"
    signed_in = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD, clock=clock)
    with signed_in, signed_in.clinic.session() as s:
        event = s.execute(select(Event).where(Event.kind == "followup_done")).scalar_one()
    assert event.detail == "step 1: faxed" and event.reason == "fax to the clinic"
    # Step 2: two business days after Tuesday, by the end of Thursday 19 Nov.
    assert cora(capsys, clinic_files, "due", "--date", DAY).out.strip() == "No follow-ups due"
    thursday = cora(capsys, clinic_files, "due", "--date", "2026-11-19", "--format", "csv")
    assert thursday.out.splitlines()[1].startswith(f"{rid},2,2026-11-20T00:00:00-06:00,")


def test_refusals_are_one_line_and_change_nothing(capsys, clinic_files, clock) -> None:  # type: ignore[no-untyped-def]
    rid = logged(clinic_files, clock)
    triage = run_as(
        capsys,
        clinic_files.db,
        "tess",
        f"{TRIAGE_PASSWORD}\n",
        "followups",
        "done",
        rid,
        "--outcome",
        "called",
    )
    assert triage.code == 1
    assert triage.err.strip() == "error: tess (triage) may not followup done"
    early = cora(
        capsys, clinic_files, "done", rid, "--outcome", "called", "--at", "2026-11-01T10:00"
    )
    assert early.code == 1
    assert early.err.strip() == "error: done_at: is before the referral was received"
    bad = cora(capsys, clinic_files, "done", rid, "--outcome", "shouted")
    assert bad.code == 2 and "--outcome: invalid choice" in bad.err
    assert cora(capsys, clinic_files, "due", "--date", DAY).out.count("request_partner") == 1


def test_ladder_show_and_set_by_an_administrator_only(capsys, clinic_files, clock) -> None:  # type: ignore[no-untyped-def]
    logged(clinic_files, clock)
    shown = cora(capsys, clinic_files, "ladder", "show")
    assert shown.code == 0
    assert shown.out.splitlines()[-1] == (
        "as set: request_partner:1 request_partner:2 escalate_lead:2"
    )
    refused = cora(capsys, clinic_files, "ladder", "set", "request_partner:3")
    assert refused.code == 1 and "may not set followup ladder" in refused.err
    typo = cora(capsys, clinic_files, "ladder", "set", "request_partner:x")
    assert typo.code == 1
    assert typo.err.strip() == (
        "error: ladder: step 1 must be ACTION:BUSINESS_DAYS, e.g. request_partner:1"
    )
    admin = run_as(
        capsys,
        clinic_files.db,
        "admin",
        f"{ADMIN_PASSWORD}\n",
        "followups",
        "ladder",
        "set",
        "request_partner:3",
        "escalate_lead:1",
    )
    assert admin.code == 0, admin.err
    assert admin.out.splitlines()[-1] == (
        "Ladder set; 1 open referral(s) have a new follow-up due time"
    )
    # Received Monday: now due 3 business days on, by the end of Thursday.
    assert cora(capsys, clinic_files, "due", "--date", DAY).out.strip() == "No follow-ups due"
    assert "request_partner" in cora(capsys, clinic_files, "due", "--date", "2026-11-19").out
