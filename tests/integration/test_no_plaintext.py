"""No patient value in plaintext in any file of the database folder, during or after use."""

import logging
from datetime import date, timedelta
from pathlib import Path

from intake_app.domain.enums import CloseReason, Priority
from intake_app.services.importer import import_referrals
from intake_app.services.referrals import Referrals
from intake_app.services.reports import access_times
from tests.factories import log_referral

NAMES = ("Quixotic-Zylberstein", "Wolfeschlegel", "Nguyễn-Thị-Bích")
MRNS = ("MRN-PLAINTEXT-77", "MRN-PLAINTEXT-88")
BIRTH = "1933-07-19"


def encodings(value: str) -> list[bytes]:
    return [value.encode("utf-8"), value.encode("utf-16-le"), value.encode("utf-16-be")]


def assert_folder_clean(folder: Path) -> None:
    needles = [n for v in (*NAMES, *MRNS, BIRTH, "1933-07-19") for n in encodings(v)]
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, "expected database files"
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} in plaintext in {path.name}"


def test_busy_session_leaves_no_plaintext(
    sign_in_as, clinic_files, clock, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    folder = clinic_files.db.parent
    cora, tess, mona = sign_in_as("cora"), sign_in_as("tess"), sign_in_as("mona")
    ids = []
    for i, name in enumerate(NAMES):
        clock.advance(minutes=10)
        ids.append(
            log_referral(
                cora,
                {"referral_order": None, "demographics": None},
                family_name=name,
                mrn=MRNS[i % 2],
                date_of_birth=date(1933, 7, 19),
            )
        )
    referrals = Referrals(cora)
    clock.advance(hours=1)
    Referrals(tess).triage(ids[0], Priority.URGENT, reason="clinical judgement")
    referrals.receive_item(ids[0], "insurance")
    referrals.acknowledge(ids[1])
    clock.advance(hours=1)
    referrals.schedule(ids[0], clock() + timedelta(days=4))
    Referrals(tess).close(ids[2], CloseReason.REDIRECTED, "to the hematology clinic")
    csv = (
        "received_at,channel,partner,family_name,given_name,date_of_birth,sex,service_line,"
        "trigger,mrn\n"
        f"2026-11-10T10:00-06:00,fax,Harbor,{NAMES[0]}-Import,Ann,{BIRTH},female,hematology,"
        f"other,{MRNS[0]}-I\n"
    )
    import_referrals(cora, csv)
    access_times(mona, clock().date() - timedelta(days=30), clock().date(), "partner")
    referrals.page()
    # Check while the connections are still open: WAL and shared-memory files exist now.
    assert any(p.name.endswith("-wal") for p in folder.iterdir())
    assert_folder_clean(folder)
    assert_folder_clean(tmp_path)  # no temporary files elsewhere in the test's folder
    for value in (*NAMES, *MRNS, BIRTH):
        assert value not in caplog.text
    for session in (cora, tess, mona):
        session.close()
    assert_folder_clean(folder)


def test_the_checker_would_see_plaintext(tmp_path: Path) -> None:
    """Guard against a checker that cannot fail."""
    import pytest

    (tmp_path / "leak.txt").write_text(f"patient {NAMES[1]}", encoding="utf-16-le")
    with pytest.raises(AssertionError, match="in plaintext"):
        assert_folder_clean(tmp_path)
