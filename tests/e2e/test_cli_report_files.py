"""`intake-app report …` as files: every report in every format through the entry point, the
same numbers in CSV, XLSX and PDF, de-identified, defused, identified only with permission."""

import csv
import io
import stat
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from intake_app.rendering.report_cells import display_text
from tests.conftest import COORDINATOR_PASSWORD, MANAGER_PASSWORD, TRIAGE_PASSWORD
from tests.e2e.cli_helpers import run_as, run_process
from tests.e2e.test_cli_report import HEADER

PERIOD = ("--from", "2026-11-01", "--to", "2026-11-10")
# In report_small.csv: names, MRNs and dates of birth that no de-identified file may hold.
IDENTIFIERS = ("Alvarez", "Brown", "Chen", "Dubois", "Élodie", "MRN-1", "MRN-3", "1950-01-02")
FORMULA = '=HYPERLINK("http://evil.example","Open")'


def report(capsys, files, *args: object, user: str = "mona", password: str = MANAGER_PASSWORD):  # type: ignore[no-untyped-def]
    return run_as(capsys, files.db, user, f"{password}\n", "report", *args)


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("kind", ["access-times", "funnel", "partners", "lag", "standards"])
def test_every_report_in_every_format(imported, capsys, tmp_path, usual_umask, kind, fmt) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "out"
    folder.mkdir()
    result = report(capsys, imported, kind, *PERIOD, "--format", fmt, "--out", folder)
    assert result.code == 0, result.err
    written = sorted(folder.iterdir())
    assert [line for line in result.out.splitlines()] == [f"Wrote {p}" for p in written]
    assert written
    for path in written:
        assert path.suffix == f".{fmt}"
        assert path.name.endswith("2026-11-01-to-2026-11-10" + path.suffix)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        if fmt == "pdf":
            text = pdf_text(path)
        elif fmt == "xlsx":
            workbook = load_workbook(path)
            text = "\n".join(
                str(v)
                for sheet in workbook
                for row in sheet.iter_rows(values_only=True)
                for v in row
            )
            assert all(sheet["A3"].value.startswith("De-identified") for sheet in workbook)
        else:
            text = path.read_text()
        for identifier in IDENTIFIERS:
            assert identifier not in text, (path.name, identifier)


def test_access_times_csv_columns_stay_with_week_and_adjusted(imported, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.csv"
    result = report(
        capsys,
        imported,
        "access-times",
        *PERIOD,
        "--by",
        "week",
        "--held",
        "adjusted",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == HEADER
    assert {r["group_by"] for r in rows} == {"week"}
    assert rows[0]["group"] == "all"


def test_csv_xlsx_and_pdf_of_a_report_carry_the_same_numbers(imported, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    paths = {}
    for fmt in ("csv", "xlsx", "pdf"):
        paths[fmt] = tmp_path / f"weekly.{fmt}"
        args = ("--format", fmt, "--out", paths[fmt], "--table", "partners")
        result = report(capsys, imported, "weekly-review", *PERIOD, "--by", "partner", *args)
        assert result.code == 0, result.err
    from_csv = list(csv.DictReader(paths["csv"].read_text().splitlines()))
    sheet = load_workbook(paths["xlsx"]).active
    values = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row[0] == "Partner")
    from_xlsx = values[header + 1 :]
    text = pdf_text(paths["pdf"])
    assert len(from_csv) == len(from_xlsx) >= 2
    numbers = 0
    for csv_row, xlsx_row in zip(from_csv, from_xlsx, strict=True):
        for (key, written), cell in zip(csv_row.items(), xlsx_row, strict=True):
            if key in ("partner", "most_missing"):
                assert (cell or "") == written
                continue
            if written == "":
                assert cell is None
                continue
            assert cell == pytest.approx(float(written), abs=5e-5)
            kind = "share" if key.endswith("share") else "hours" if "hours" in key else "count"
            assert display_text(float(written), kind) in text, (key, written)
            numbers += 1
    assert numbers >= 10


def test_a_formula_partner_name_is_neutralised(imported, capsys, tmp_path, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import log_referral

    log_referral(
        sign_in_as("cora"),
        partner=FORMULA,
        received_at=datetime.fromisoformat("2026-11-05T10:00:00-06:00"),
    )
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"partners.{fmt}"
        result = report(capsys, imported, "partners", *PERIOD, "--format", fmt, "--out", out)
        assert result.code == 0, result.err
        if fmt == "csv":
            names = [r["partner"] for r in csv.DictReader(out.read_text().splitlines())]
        else:
            sheet = load_workbook(out).active
            assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
            names = [row[0] for row in sheet.iter_rows(min_row=7, values_only=True)]
        assert "'" + FORMULA in names
        assert FORMULA not in names


@pytest.mark.parametrize(
    ("user", "password"), [("cora", COORDINATOR_PASSWORD), ("tess", TRIAGE_PASSWORD)]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_identified_export_is_refused_without_the_permission(
    imported, capsys, tmp_path, user, password, fmt
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "names.csv"
    result = report(
        capsys,
        imported,
        "partners",
        *PERIOD,
        "--by",
        "partner",
        "--identified",
        "--group",
        "Valley Gastroenterology",
        "--format",
        fmt,
        "--out",
        out,
        user=user,
        password=password,
    )
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
    assert result.err.startswith(f"error: {user} ")
    assert "may not" in result.err
    assert not list(tmp_path.glob("names*"))


def test_identified_export_names_the_group_and_says_so(imported, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "names.pdf"
    result = report(
        capsys,
        imported,
        "partners",
        *PERIOD,
        "--by",
        "partner",
        "--identified",
        "--group",
        "Valley Gastroenterology",
        "--format",
        "pdf",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert all("IDENTIFIED" in page for page in pages)
    assert "Alvarez" in "\n".join(pages) and "Brown" not in "\n".join(pages)


def test_identified_needs_a_group(imported, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = report(capsys, imported, "funnel", *PERIOD, "--identified", "--out", tmp_path)
    assert result.code == 2
    assert "--identified needs --group" in result.err
    result = report(capsys, imported, "funnel", *PERIOD, "--group", "x", "--out", tmp_path)
    assert result.code == 2


def test_a_scheduled_run_as_a_real_process(imported, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_process(
        "report",
        "weekly-review",
        *PERIOD,
        "--format",
        "xlsx",
        "--out",
        tmp_path,
        "--db",
        imported.db,
        "--user",
        "mona",
        "--password-stdin",
        stdin=f"{MANAGER_PASSWORD}\n",
    )
    assert result.code == 0, result.err
    (path,) = [p for p in tmp_path.iterdir() if p.suffix == ".xlsx"]
    assert path.name == "weekly-review-2026-11-01-to-2026-11-10.xlsx"
    assert len(load_workbook(io.BytesIO(path.read_bytes())).sheetnames) >= 6
