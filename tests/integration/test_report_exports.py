"""Exporting reports through the service: permissions, audit, owner-only files, file names,
cancelling. A real encrypted database; the documents are hand-made (tests/report_samples)."""

import stat

import pytest
from sqlalchemy import select

from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.reporting.exports import (
    EXPORTED,
    EXPORTED_IDENTIFIED,
    export,
    export_paths,
)
from intake_app.store.models import AuditEntry
from tests.report_samples import PATIENT_MRN, PATIENT_NAME, behind, weekly


@pytest.fixture
def folder(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "exports"
    path.mkdir()
    return path


def audit_rows(signed_in) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def test_csv_to_a_folder_is_one_owner_only_file_per_table(sign_in_as, folder, usual_umask) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    document = weekly()
    written = export(mona, document, "csv", folder)
    assert [p.name for p in written] == [
        f"weekly-review-{table}-2026-11-02-to-2026-11-08.csv"
        for table in ("access-times", "partners", "standards", "volume")
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert written[0].read_text().startswith("group_by,group,measure,count,")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_xlsx_and_pdf_are_one_file_named_for_report_and_period(
    sign_in_as, folder, usual_umask, fmt
) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    (path,) = export(mona, weekly(), fmt, folder)
    assert path == folder / f"weekly-review-2026-11-02-to-2026-11-08.{fmt}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes()[:4] == (b"PK\x03\x04" if fmt == "xlsx" else b"%PDF")


def test_a_chosen_table_or_a_file_name(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    (one,) = export(mona, weekly(), "csv", folder, table="partners")
    assert one.name == "weekly-review-partners-2026-11-02-to-2026-11-08.csv"
    assert one.read_text().startswith("partner,sent,")
    (named,) = export(mona, weekly(), "xlsx", folder / "for-leads.xlsx")
    assert named == folder / "for-leads.xlsx"
    several = export(mona, weekly(), "csv", folder / "week.csv")
    assert [p.name for p in several][:2] == ["week-access-times.csv", "week-partners.csv"]


def test_export_is_audited_without_patient_values(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    export(mona, weekly(), "pdf", folder)
    last = audit_rows(mona)[-1]
    assert (last.action, last.entity, last.user_name) == (EXPORTED, "report", "mona")
    assert last.entity_id == "pdf weekly-review-2026-11-02-to-2026-11-08"


def test_identified_export_is_audited_per_referral_and_says_identified(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    before = len(audit_rows(mona))
    (path,) = export(mona, behind(3), "xlsx", folder)
    assert path.name.startswith("referrals-behind-a-group-identified-")
    new = audit_rows(mona)[before:]
    assert [(e.action, e.entity, e.entity_id) for e in new[1:]] == [
        (EXPORTED_IDENTIFIED, "referral", "1"),
        (EXPORTED_IDENTIFIED, "referral", "2"),
        (EXPORTED_IDENTIFIED, "referral", "3"),
    ]
    assert new[0].action == EXPORTED_IDENTIFIED
    for entry in new:
        assert PATIENT_NAME not in entry.entity_id and PATIENT_MRN not in entry.entity_id


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("user", ["cora", "tess", "admin"])
def test_identified_export_is_refused_without_the_permission(sign_in_as, folder, fmt, user) -> None:  # type: ignore[no-untyped-def]
    someone = sign_in_as(user)
    with pytest.raises(PermissionDenied):
        export(someone, behind(3), fmt, folder)
    assert list(folder.iterdir()) == []
    assert audit_rows(someone)[-1].outcome == "denied"


def test_any_export_needs_the_report_permission(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    with pytest.raises(PermissionDenied, match="may not export report"):
        export(cora, weekly(), "csv", folder)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_cancelling_leaves_nothing_on_disk_and_nothing_audited(sign_in_as, folder, fmt) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    before = len(audit_rows(mona))
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return len(calls) < 2

    assert export(mona, behind(3000), fmt, folder, progress=progress) == []
    assert len(calls) == 2
    assert list(folder.iterdir()) == []
    assert len(audit_rows(mona)) == before


def test_bad_requests_name_their_field(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    with pytest.raises(ServiceError, match=r"^format: 'docx' is not one of csv, xlsx, pdf$"):
        export(mona, weekly(), "docx", folder)
    with pytest.raises(ServiceError, match=r"^table: 'nope' is not one of access_times, "):
        export(mona, weekly(), "csv", folder, table="nope")
    with pytest.raises(ServiceError, match=r"^out: folder .* does not exist$"):
        export(mona, weekly(), "pdf", folder / "missing" / "r.pdf")
    assert list(folder.iterdir()) == []


def test_export_paths_are_what_export_writes(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    mona = sign_in_as("mona")
    planned = export_paths(weekly(), "csv", folder)
    assert export(mona, weekly(), "csv", folder) == planned


def test_times_are_written_in_clinic_time(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from intake_app.domain.report_tables import Column, Table

    table = Table(
        "referrals",
        "Referrals",
        (Column("referral", "Referral"), Column("received_at", "Received", "datetime")),
        (("R-000001", datetime(2026, 11, 2, 15, 0, tzinfo=UTC)),),
    )
    document = replace(behind(), tables=(table,))
    mona = sign_in_as("mona")
    (csv_path,) = export(mona, document, "csv", folder)
    assert "R-000001,2026-11-02T09:00:00-06:00" in csv_path.read_text()
    (xlsx_path,) = export(mona, document, "xlsx", folder)
    sheet = load_workbook(xlsx_path).active
    assert sheet["B7"].value == datetime(2026, 11, 2, 9, 0)
    assert "Generated 2026-11-09 08:30 CST" in sheet["A2"].value
