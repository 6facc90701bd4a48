"""Letters through the services and the command line: content, recording, batches."""

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from intake_app.domain.enums import Priority
from intake_app.domain.letters import LetterKind
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.letters import Letters, reference
from intake_app.services.referrals import Referrals
from tests.conftest import COORDINATOR_PASSWORD
from tests.e2e.cli_helpers import run_as
from tests.factories import log_referral

TODAY = datetime.fromisoformat("2026-11-18T06:00:00-06:00")  # the clock's day, in Chicago


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_acknowledgement_names_partner_date_line_and_missing_items(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(
        cora,
        {"referral_order": None},
        family_name="Nguyễn",
        given_name="Thị Bích",
        partner="Valley Gastroenterology",
    )
    pdf = Letters(cora).render([rid], LetterKind.ACKNOWLEDGEMENT)
    text = text_of(pdf)
    assert "Valley Gastroenterology" in text
    assert "Thị Bích Nguyễn" in text
    assert "Medical oncology" in text
    assert "16" in text and "2026" in text  # received Monday 16 November 2026
    for label in ("Patient demographics", "Insurance details", "Pathology report"):
        assert label in text
    assert "lung nodule" not in text  # no diagnosis by default
    assert reference(rid) in text


def test_recording_sets_acknowledged_once_and_keeps_every_letter(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    letters = Letters(cora)
    letters.record([rid], LetterKind.ACKNOWLEDGEMENT, "printed")
    first = Referrals(cora).get(rid).acknowledged_at
    assert first == clock()
    clock.advance(hours=2)
    letters.record([rid], LetterKind.ACKNOWLEDGEMENT, "printed")
    detail = Referrals(cora).get(rid)
    assert detail.acknowledged_at == first
    letter_events = [e for e in detail.timeline if e.kind == "letter"]
    assert [e.detail for e in letter_events] == ["acknowledgement printed"] * 2
    assert detail.summary.next_due == "records_complete"


def test_status_letter_needs_a_decision(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    with pytest.raises(ServiceError, match="status letter"):
        Letters(cora).render([rid], LetterKind.STATUS)
    clock.advance(hours=1)
    Referrals(tess).triage(rid, Priority.URGENT, reason="clinical judgement")
    text = text_of(Letters(cora).render([rid], LetterKind.STATUS))
    assert "Valley Gastroenterology" in text
    assert "urgent" not in text.lower()  # priority not disclosed by default


def test_only_coordinators_and_triage_staff_print_letters(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(sign_in_as("cora"))
    for name in ("mona", "admin"):  # managers and administrators send no letters
        with pytest.raises(PermissionDenied):
            Letters(sign_in_as(name)).render([rid], LetterKind.ACKNOWLEDGEMENT)
        with pytest.raises(PermissionDenied):
            Letters(sign_in_as(name)).record([rid], LetterKind.ACKNOWLEDGEMENT, "printed")
    # Triage asks the referrer for missing records when it puts a referral on hold.
    tess = Letters(sign_in_as("tess"))
    assert tess.render([rid], LetterKind.MISSING_RECORDS)
    tess.record([rid], LetterKind.MISSING_RECORDS, "printed")


def test_batch_of_the_day_in_partner_then_patient_order(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    made = {}
    for partner, family, hours in (
        ("Zeta Clinic", "Adams", 0),
        ("Alpha Practice", "Young", 1),
        ("Alpha Practice", "Brown", 2),
    ):
        made[family] = log_referral(
            cora, partner=partner, family_name=family, received_at=TODAY + timedelta(hours=hours)
        )
    log_referral(cora, family_name="Yesterday", received_at=TODAY - timedelta(days=1))
    done = log_referral(cora, family_name="Done", received_at=TODAY + timedelta(minutes=5))
    Referrals(cora).acknowledge(done)
    letters = Letters(cora)
    ids = letters.unacknowledged_received_on(date(2026, 11, 18))
    assert ids == [made["Brown"], made["Young"], made["Adams"]]
    pdf = letters.render(ids, LetterKind.ACKNOWLEDGEMENT)
    text = text_of(pdf)
    positions = [text.index(reference(i)) for i in ids]
    assert positions == sorted(positions)
    letters.record(ids, LetterKind.ACKNOWLEDGEMENT, "printed")
    assert letters.unacknowledged_received_on(date(2026, 11, 18)) == []


def test_missing_records_batch_counts_business_days(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    monday = log_referral(cora, family_name="Monday")  # received Mon 16 Nov
    friday = log_referral(
        cora, family_name="Friday", received_at=datetime.fromisoformat("2026-11-13T10:00:00-06:00")
    )
    letters = Letters(cora)
    # Wednesday 18th: Monday's is 2 business days old, Friday's 3.
    assert letters.missing_records_older_than(3) == [friday]
    assert sorted(letters.missing_records_older_than(2)) == sorted([monday, friday])


def test_cli_prints_records_and_a_second_batch_finds_nothing(
    clinic_files, capsys, sign_in_as, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)  # the real clock, as the CLI
    today = datetime.now().astimezone()
    first = log_referral(cora, family_name="Siobhán", received_at=today - timedelta(minutes=30))
    out = tmp_path / "ack.pdf"
    day = today.astimezone(cora.clinic.calendar.tz).date().isoformat()
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "letter",
        "batch",
        "--kind",
        "acknowledgement",
        "--date",
        day,
        "--out",
        out,
    )
    assert result.code == 0, result.err
    assert result.out.strip() == f"Wrote 1 letters to {out}"
    assert "Siobhán" in text_of(out.read_bytes())
    again = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "letter",
        "batch",
        "--kind",
        "acknowledgement",
        "--date",
        day,
        "--out",
        tmp_path / "again.pdf",
    )
    assert again.out.strip() == "Nothing to print: no referral needs this letter"
    assert not (tmp_path / "again.pdf").exists()
    one = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "letter",
        "missing-records",
        str(first),
        "--out",
        tmp_path / "missing.pdf",
    )
    assert one.code == 0, one.err
    assert "Insurance details" in text_of((tmp_path / "missing.pdf").read_bytes())
    cora.close()
    cora = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        kinds = [e.detail for e in Referrals(cora).get(first).timeline if e.kind == "letter"]
    finally:
        cora.close()
    assert kinds == ["acknowledgement saved", "missing-records saved"]


def test_consult_completed_letter_is_for_seen_referrals_and_is_recorded(
    sign_in_as, clock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    coordinator = sign_in_as("cora")
    cora, tess = Referrals(coordinator), Referrals(sign_in_as("tess"))
    letters = Letters(coordinator)
    rid = log_referral(coordinator)
    clock.advance(hours=1)
    tess.triage(rid, Priority.SOON)
    clock.advance(hours=1)
    cora.schedule(rid, clock() + timedelta(minutes=20))
    with pytest.raises(ServiceError, match=r"^state: a consult-completed letter is for a referral"):
        letters.render([rid], LetterKind.CONSULT_COMPLETED)
    clock.advance(hours=1)
    cora.mark_seen(rid)
    pdf = letters.render([rid], LetterKind.CONSULT_COMPLETED)
    assert pdf is not None
    text = text_of(pdf)
    assert "for a first consultation on November 18, 2026" in text
    letters.save([rid], LetterKind.CONSULT_COMPLETED, pdf, tmp_path / "consult.pdf")
    events = [e.detail for e in cora.get(rid).timeline if e.kind == "letter"]
    assert events == ["consult_completed saved"]


def test_cli_consult_completed_letter(clinic_files, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    now = datetime.now().astimezone()
    with sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD) as cora:
        rid = log_referral(cora, received_at=now - timedelta(hours=3))
    out = tmp_path / "consult.pdf"

    def letter() -> object:
        return run_as(
            capsys,
            clinic_files.db,
            "cora",
            f"{COORDINATOR_PASSWORD}\n",
            "letter",
            "consult-completed",
            rid,
            "--out",
            out,
        )

    refused = letter()
    assert refused.code == 1
    assert refused.err.startswith("error: state: a consult-completed letter is for a referral")
    assert not out.exists()
    from tests.conftest import TRIAGE_PASSWORD

    with sign_in(clinic_files.db, "tess", TRIAGE_PASSWORD) as tess:
        Referrals(tess).triage(rid, Priority.SOON, at=now - timedelta(hours=2))
    with sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD) as cora:
        Referrals(cora).schedule(rid, now - timedelta(minutes=70), at=now - timedelta(minutes=90))
        Referrals(cora).mark_seen(rid, at=now - timedelta(minutes=60))
    done = letter()
    assert done.code == 0, done.err
    assert "first consultation" in text_of(out.read_bytes())
