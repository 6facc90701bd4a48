"""`intake-app import referrals` with files from the real world, and hostile ones (issue 8)."""

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from intake_app.services.auth import sign_in
from intake_app.services.importer import REQUIRED_COLUMNS
from intake_app.services.referrals import ReferralQuery, Referrals
from tests.conftest import COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import Run, run_as
from tests.e2e.test_cli_report import report as report_rows

COLUMNS = (*REQUIRED_COLUMNS, "mrn")
VALID = {
    "received_at": "2026-11-03T10:15",
    "channel": "fax",
    "partner": "Cedar Hill Hematology Clinic",
    "family_name": "Novák",
    "given_name": "Zoë",
    "date_of_birth": "1980-02-29",
    "sex": "female",
    "service_line": "hematology",
    "trigger": "abnormal_labs",
    "mrn": "",
}


def patient(n: int, **changes: str) -> dict[str, str]:
    """A valid row for patient n (a distinct name and receipt time)."""
    return {
        **VALID,
        "family_name": f"Novák{chr(ord('a') + n - 1)}",
        "received_at": f"2026-11-03T{8 + n:02d}:15",
        **changes,
    }


def csv_text(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, data: bytes, name: str = "import.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def do_import(capsys, files: ClinicFiles, path: Path, *options: str) -> Run:  # type: ignore[no-untyped-def]
    return run_as(
        capsys, files.db, "cora", f"{COORDINATOR_PASSWORD}\n", "import", "referrals", path, *options
    )


def stored(files: ClinicFiles):  # type: ignore[no-untyped-def]
    session = sign_in(files.db, "cora", COORDINATOR_PASSWORD)
    try:
        referrals = Referrals(session)
        rows = referrals.page(ReferralQuery(limit=500)).rows
        return [referrals.get(r.id) for r in sorted(rows, key=lambda r: r.id)]
    finally:
        session.close()


def refused_with(result: Run) -> list[str]:
    """The problem lines of a refusal; every refusal is one line per problem, nothing else."""
    assert result.code == 1, result.out
    assert "unexpected" not in result.err and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert lines[-1].endswith("nothing was changed")
    return lines[:-1]


# -- 5. encodings, delimiters, XLSX -------------------------------------------------------


def test_a_cp1252_file_is_refused_saying_how_to_save_it_as_utf8(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    data = csv_text([patient(1), patient(2, family_name="Muñoz")]).encode("cp1252")
    problems = refused_with(do_import(capsys, clinic_files, write(tmp_path, data)))
    assert len(problems) == 1
    assert problems[0].startswith("file: is not UTF-8 text (from line 2")  # the á of Novák
    assert "CSV UTF-8" in problems[0]
    assert stored(clinic_files) == []


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8-sig", ","),  # Excel's "CSV UTF-8"
        ("utf-16", "\t"),  # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated
        ("utf-8", ";"),  # European Excel: semicolons
        ("utf-8-sig", "\t"),
    ],
)
def test_excel_encodings_and_delimiters_import(  # type: ignore[no-untyped-def]
    clinic_files, capsys, tmp_path, encoding, delimiter
):
    data = csv_text([patient(1), patient(2, family_name="Muñoz; Ærø")], delimiter).encode(encoding)
    result = do_import(capsys, clinic_files, write(tmp_path, data))
    assert result.code == 0, result.err
    assert [d.summary.family_name for d in stored(clinic_files)] == ["Nováka", "Muñoz; Ærø"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Excel 97-2003 workbook (.xls)"),
        (b"%PDF-1.7\n", "PDF document"),
        ("received_at,channel\n".encode("utf-16-le"), "not text"),
        (b"PK\x03\x04garbage", "Excel workbook that can be read"),
    ],
)
def test_files_that_are_not_csv_get_one_line_saying_what_they_are(  # type: ignore[no-untyped-def]
    clinic_files, capsys, tmp_path, data, words
):
    problems = refused_with(do_import(capsys, clinic_files, write(tmp_path, data)))
    assert len(problems) == 1 and words in problems[0], problems
    assert problems[0].startswith("file: ")


def workbook(rows: list[list[object]], title: str = "Sheet1") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return book


def save(book: openpyxl.Workbook, tmp_path: Path, name: str = "referrals.xlsx") -> Path:
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx_cells_are_read_as_excel_stores_them(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [list(COLUMNS)]
    base = [VALID[c] for c in COLUMNS]
    first = list(base)
    first[COLUMNS.index("received_at")] = datetime(2026, 11, 3, 10, 15)  # a date-time cell
    first[COLUMNS.index("date_of_birth")] = datetime(1980, 2, 29)  # a date cell
    first[COLUMNS.index("mrn")] = 123456  # typed as a number
    second = list(base)
    second[COLUMNS.index("family_name")] = "Muñoz"
    second[COLUMNS.index("mrn")] = 654321.0  # a number Excel keeps as a float
    rows += [first, second]
    book = workbook(rows)
    book.active["A2"].number_format = "yyyy-mm-dd hh:mm"
    book.active["F2"].number_format = "yyyy-mm-dd"
    result = do_import(capsys, clinic_files, save(book, tmp_path))
    assert result.code == 0, result.err
    first_stored, second_stored = stored(clinic_files)
    assert first_stored.summary.mrn == "123456"
    assert second_stored.summary.mrn == "654321"
    assert first_stored.summary.date_of_birth.isoformat() == "1980-02-29"
    # 10:15 clinic time (CST) on 3 November.
    assert first_stored.summary.received_at.isoformat() == "2026-11-03T16:15:00+00:00"


def test_xlsx_problems_name_the_row_the_spreadsheet_shows(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    book = workbook(
        [
            [],  # blank rows above the header are left out, and still count
            list(COLUMNS),
            [patient(1)[c] for c in COLUMNS],
            [],  # a blank row is skipped but still counts
            [patient(2, channel="pigeon")[c] for c in COLUMNS],
        ]
    )
    # A date without a time is not a receipt time.
    book.active["A3"] = datetime(2026, 11, 3)
    book.active["A3"].number_format = "yyyy-mm-dd"
    problems = refused_with(do_import(capsys, clinic_files, save(book, tmp_path)))
    assert problems == [
        "row 3, received_at: is a date without a time (YYYY-MM-DDTHH:MM)",
        "row 5, channel: 'pigeon' is not one of fax, phone, email, web_form, portal, walk_in",
    ]
    assert stored(clinic_files) == []


def test_xlsx_sheet_is_chosen_by_name(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    book = workbook([["notes"], ["nothing to import here"]], title="Read me")
    sheet = book.create_sheet("Referrals")
    sheet.append(list(COLUMNS))
    sheet.append([patient(1)[c] for c in COLUMNS])
    path = save(book, tmp_path)
    refused_with(do_import(capsys, clinic_files, path))  # the first sheet has no header
    problems = refused_with(do_import(capsys, clinic_files, path, "--sheet", "Referals"))
    assert problems == ["sheet: the workbook has no sheet 'Referals' (it has Read me, Referrals)"]
    result = do_import(capsys, clinic_files, path, "--sheet", "Referrals")
    assert result.code == 0, result.err
    assert len(stored(clinic_files)) == 1


def test_a_workbook_with_xml_entity_expansion_is_refused(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    """'Billion laughs': a few hundred bytes that expand to gigabytes if an XML parser lets them."""
    import zipfile

    good = io.BytesIO()
    workbook([list(COLUMNS), [VALID[c] for c in COLUMNS]]).save(good)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i + 1} "{("&lol" + str(i) + ";") * 10 if i else "&lol;" * 10}">'
            for i in range(9)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, bomb if item.filename.endswith("sheet1.xml") else data)
    path = write(tmp_path, out.getvalue(), "bomb.xlsx")
    problems = refused_with(do_import(capsys, clinic_files, path))
    assert len(problems) == 1 and problems[0].startswith("file: is not an Excel workbook")


def test_a_file_too_big_to_read_is_refused_before_reading_it(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(257 * 2**20)  # sparse: nothing is written
    result = do_import(capsys, clinic_files, path)
    assert result.code == 1
    assert result.err.strip() == "error: file: is larger than 256 MiB; split it into parts"


def test_a_cell_over_the_csv_field_limit_is_named(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    data = csv_text([patient(1), patient(2, given_name="Zoë" * 50_000)]).encode()
    problems = refused_with(do_import(capsys, clinic_files, write(tmp_path, data)))
    assert problems == ["row 3, given_name: is longer than 131072 characters"]


def test_a_file_without_a_header_is_refused_without_echoing_its_first_row(  # type: ignore[no-untyped-def]
    clinic_files, capsys, tmp_path
):
    text = csv_text([patient(1, family_name="Quokkasmith")]).split("\r\n", 1)[1]
    problems = refused_with(do_import(capsys, clinic_files, write(tmp_path, text.encode())))
    assert len(problems) == 1 and problems[0].startswith("header: the first row names none of")
    assert "Quokkasmith" not in "".join(problems)


# -- 6. hostile text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Smith\x00", "U+0000"),
        ("\x1b]0;owned\x07\x1b[2JSmith", "U+001B"),
        ("Smith\u202eevil", "U+202E"),
        ("Sm\u200bith", "U+200B"),
    ],
)
def test_hostile_text_in_a_cell_is_refused(clinic_files, capsys, tmp_path, value, code):  # type: ignore[no-untyped-def]
    data = csv_text([patient(1), patient(2, family_name=value)]).encode()
    problems = refused_with(do_import(capsys, clinic_files, write(tmp_path, data)))
    assert problems == [f"row 3, family_name: contains a control or invisible character ({code})"]
    assert stored(clinic_files) == []


def test_stored_control_characters_are_printed_escaped(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    data = csv_text([patient(1)]).encode()
    assert do_import(capsys, clinic_files, write(tmp_path, data)).code == 0
    # Text stored before the rule existed (or by an older version) is still printed safely.
    from intake_app.store.models import Partner, Referral

    session = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        with session.clinic.session() as db, db.begin():
            referral = db.get(Referral, 1)
            assert referral is not None
            referral.family_name = "\x1b]0;owned\x07\x1b[2JNovák\ttab"
            referral.clinical_question = "Staging?\u202e"
            db.get(Partner, referral.partner_id).organisation = "Cedar\x1b[31m Hill"  # type: ignore[union-attr]
    finally:
        session.close()
    stdin = f"{COORDINATOR_PASSWORD}\n"
    listed = run_as(capsys, clinic_files.db, "cora", stdin, "referral", "list")
    shown = run_as(capsys, clinic_files.db, "cora", stdin, "referral", "show", "1")
    for result in (listed, shown):
        assert result.code == 0, result.err
        assert "\x1b" not in result.out and "\x07" not in result.out
        assert "\\x1b]0;owned\\x07\\x1b[2JNovák" in result.out
        assert "Cedar\\x1b[31m Hill" in result.out
    assert "\\u202e" in shown.out
    # The tab in the name does not make a column of its own.
    (row,) = [line for line in listed.out.splitlines() if line.startswith("1\t")]
    assert len(row.split("\t")) == len(listed.out.splitlines()[0].split("\t"))


def test_errors_print_escaped(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    text = csv_text([patient(1)]).replace("mrn", "mrn\x1b[2J", 1)
    result = do_import(capsys, clinic_files, write(tmp_path, text.encode()))
    assert "\x1b" not in result.err
    assert "header, mrn\\x1b[2J: unknown column" in result.err


# -- 7. times that do not exist ---------------------------------------------------------------


def test_times_that_do_not_exist_or_are_not_meant_are_refused(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    rows = [
        patient(1, received_at="2026-03-08T02:30"),  # spring forward: 02:00 -> 03:00
        patient(2, received_at="2026-11-01T01:30"),  # fall back: 01:30 happens twice
        patient(3, date_of_birth="2026-11-04"),  # born after the referral arrived
        patient(4, received_at="2026-11-03"),
        patient(5, received_at="0001-01-01T00:00"),
        patient(6, received_at="2026-11-03T10:00+23:59"),
    ]
    problems = refused_with(
        do_import(capsys, clinic_files, write(tmp_path, csv_text(rows).encode()))
    )
    assert problems == [
        "row 2, received_at: does not exist in America/Chicago: "
        "the clocks went forward at that time",
        "row 3, received_at: is ambiguous in America/Chicago: the clocks went back at that time; "
        "add the offset, -05:00 or -06:00",
        "row 4, date_of_birth: is after the referral was received",
        "row 5, received_at: is a date without a time (YYYY-MM-DDTHH:MM)",
        "row 6, received_at: is outside the years 1900-2099",
        "row 7, received_at: has an offset no clock uses (from -12:00 to +14:00, whole minutes)",
    ]
    assert stored(clinic_files) == []


def test_an_ambiguous_time_with_its_offset_imports(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    rows = [
        patient(1, received_at="2026-11-01T01:30-05:00"),
        patient(2, received_at="2026-11-01T01:30-06:00"),
    ]
    result = do_import(capsys, clinic_files, write(tmp_path, csv_text(rows).encode()))
    assert result.code == 0, result.err
    times = [d.summary.received_at.isoformat() for d in stored(clinic_files)]
    assert times == ["2026-11-01T06:30:00+00:00", "2026-11-01T07:30:00+00:00"]


# -- 8. no patient values in messages ---------------------------------------------------------


def test_import_messages_name_row_column_and_problem_but_no_patient_value(  # type: ignore[no-untyped-def]
    clinic_files, capsys, tmp_path
):
    rows = [
        patient(1, received_at="Quokkasmith"),
        patient(2, date_of_birth="Quokka-02-29"),
        patient(3, sex="Quokkasmith", trigger="Quokkasmith"),
        patient(4, family_name="Quokkasmith" * 10),
        patient(5, channel="Quokkafax"),  # no patient data: shown, to help find it
    ]
    problems = refused_with(
        do_import(capsys, clinic_files, write(tmp_path, csv_text(rows).encode()))
    )
    assert problems == [
        "row 2, received_at: is not an ISO 8601 time (YYYY-MM-DDTHH:MM, optionally with an offset)",
        "row 3, date_of_birth: is not a date (YYYY-MM-DD)",
        "row 4, sex: is not one of female, male, other, unknown",
        "row 4, trigger: is not one of abnormal_imaging, abnormal_labs, new_biopsy, "
        "staging_workup, treatment_complication, recurrence_concern, second_opinion, other",
        "row 5, family_name: is longer than 80 characters",
        "row 6, channel: 'Quokkafax' is not one of fax, phone, email, web_form, portal, walk_in",
    ]


@pytest.mark.parametrize(
    "url",
    ["postgresql://alice:s3cret@db.example/intake", "postgresql+psycopg://alice:s3cret@db:5432/x"],
)
def test_a_database_url_in_an_error_never_shows_its_password(  # type: ignore[no-untyped-def]
    clinic_files, capsys, url: str
) -> None:
    from tests.e2e.cli_helpers import run_cli

    as_db = run_cli(
        capsys, "referral", "list", "--db", url, "--user", "cora", "--password-stdin", stdin="x\n"
    )
    assert as_db.code != 0 and "s3cret" not in as_db.err + as_db.out
    # Any other error line that quotes a URL (here a mistaken file argument) masks it too.
    as_file = do_import(capsys, clinic_files, Path(url))
    assert as_file.code == 1
    assert "s3cret" not in as_file.err and "alice:***@" in as_file.err


# -- 9. spreadsheet formula injection ----------------------------------------------------------


def test_partner_names_that_look_like_formulas_are_defused_in_the_report(  # type: ignore[no-untyped-def]
    clinic_files, capsys, tmp_path
):
    hostile = ['=HYPERLINK("http://example.invalid","Open")', "@SUM(A1:A9)", "+1-2", "-3+cmd"]
    rows = [patient(n, partner=name) for n, name in enumerate(hostile, start=1)]
    assert do_import(capsys, clinic_files, write(tmp_path, csv_text(rows).encode())).code == 0
    report = report_rows(capsys, clinic_files, tmp_path / "report.csv", "--by", "partner")
    partners = {r["group"] for r in report} - {"all"}
    assert partners == {"'" + name for name in hostile}
    assert all(r["count"].isdigit() for r in report)  # numbers stay numbers


# -- 10. re-importing the same file -----------------------------------------------------------


def test_reimporting_a_file_is_refused_naming_each_row(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    first = write(tmp_path, csv_text([patient(1), patient(2, mrn="mrn-7")]).encode())
    assert do_import(capsys, clinic_files, first).code == 0
    # Same patients and times, a new one, and MRN matching whatever the name.
    again = [
        patient(1),
        patient(2, family_name="Renamed", mrn=" MRN-7 "),
        patient(3),
    ]
    path = write(tmp_path, csv_text(again).encode(), "again.csv")
    problems = refused_with(do_import(capsys, clinic_files, path))
    assert problems == [
        "row 2: already imported as referral 1",
        "row 3: already imported as referral 2",
        "file: to import the other rows, run again with --skip-duplicates",
    ]
    assert len(stored(clinic_files)) == 2
    result = do_import(capsys, clinic_files, path, "--skip-duplicates")
    assert result.code == 0, result.err
    assert result.out.strip() == "Imported 1 referrals (3-3); 0 new partners; 2 duplicates skipped"
    assert [d.summary.family_name for d in stored(clinic_files)] == ["Nováka", "Novákb", "Novákc"]
    # Nothing left to import is not an error.
    result = do_import(capsys, clinic_files, path, "--skip-duplicates")
    assert result.out.strip() == "Imported 0 referrals; 0 new partners; 3 duplicates skipped"


def test_rows_repeated_within_a_file_are_reported(clinic_files, capsys, tmp_path):  # type: ignore[no-untyped-def]
    rows = [patient(1), patient(2), patient(1), patient(2, given_name="Other", mrn="")]
    path = write(tmp_path, csv_text(rows).encode())
    problems = refused_with(do_import(capsys, clinic_files, path))
    assert problems[:1] == ["row 4: same patient and receipt time as row 2"]
    # A different given name at the same time, without an MRN, is another patient.
    assert len(problems) == 2
    result = do_import(capsys, clinic_files, path, "--skip-duplicates")
    assert result.code == 0, result.err
    assert "3 referrals" in result.out and "1 duplicates skipped" in result.out


def test_two_processes_importing_one_file_write_it_once(clinic_files, tmp_path):  # type: ignore[no-untyped-def]
    """Each screens for duplicates, then checks again under the write lock before writing."""
    import os
    import subprocess
    import sys

    rows = [patient(1, family_name=f"Patient{n:04d}") for n in range(200)]
    path = write(tmp_path, csv_text(rows).encode())
    command = [sys.executable, "-m", "intake_app", "import", "referrals", str(path)]
    command += ["--db", str(clinic_files.db), "--user", "cora", "--password-stdin"]
    processes = [
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        for _ in range(2)
    ]
    results = [p.communicate(f"{COORDINATOR_PASSWORD}\n", timeout=120) for p in processes]
    codes = sorted(p.returncode for p in processes)
    assert codes == [0, 1], results
    refused = next(err for (_out, err), p in zip(results, processes, strict=True) if p.returncode)
    assert "row 2: already imported as referral" in refused
    assert len(stored(clinic_files)) == 200
