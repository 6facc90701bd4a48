"""Fuzzing the importer (as KeePassXC fuzzes its importers): any bytes either import, or are
refused with one `row N, column: problem` line per problem and nothing written; never an
unexpected exception.
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from intake_app.domain.checklists import load_service_lines
from intake_app.paths import resource
from intake_app.services.auth import SignedIn, sign_in
from intake_app.services.errors import ValidationFailed
from intake_app.services.importer import import_referrals
from intake_app.services.importing.files import read_table
from intake_app.services.importing.rows import is_column, parse_table
from intake_app.services.referrals import ReferralQuery, Referrals
from tests.conftest import COORDINATOR_PASSWORD, ClinicFiles
from tests.e2e.cli_helpers import run_as
from tests.e2e.test_cli_import_files import COLUMNS, VALID

CHICAGO = ZoneInfo("America/Chicago")
# Every line of a refusal: where (a row and column, the header, the file, the sheet), then what.
PROBLEM = re.compile(r"(row \d+(, [^:]+)?|header(, [^:]+)?|file|sheet): \S.*")
TRICKY = [
    "",
    " ",
    '"',
    "\r\n",
    "2026-03-08T02:30",
    "2026-11-01T01:30",
    "2026-11-03",
    "0001-01-01T00:00+05:00",
    "9999-12-31T23:59:59-12:00",
    "2026-11-03T10:00+23:59",
    "1900-01-01",
    "=HYPERLINK(1)",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "\udcff",
    "item:imaging",
    "NaN",
    "1e400",
    "hematology",
    "urgent",
]


# Valid values beside VALID's, so that rows differ (and are not all duplicates).
ALSO_VALID = {
    "family_name": ["Nguyễn", "O'Brien", "Ødegaard", "李", "García-López"],
    "received_at": ["2026-11-02T08:00-06:00", "2026-11-04 13:45", "2026-10-30T23:59:59Z"],
    "date_of_birth": ["1931-12-31", "2001-06-15"],
    "mrn": ["A-1", "0042", ""],
}


def cell(column: str) -> st.SearchStrategy[str]:
    valid = st.sampled_from([VALID[column], *ALSO_VALID.get(column, [])])
    hostile = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
    # Mostly valid, so that a fair share of files reach the write path.
    return st.integers(0, 11).flatmap(lambda n: hostile if n == 0 else valid)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """Mostly well-formed CSV with hostile cells, encodings, delimiters; sometimes damaged."""
    header = list(draw(st.permutations(COLUMNS)))
    if draw(st.integers(0, 4)) == 0:
        header = header[: draw(st.integers(0, len(header)))]
    rows = draw(
        st.lists(st.fixed_dictionaries({c: cell(c) for c in header}), min_size=0, max_size=4)
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    errors = "replace" if encoding == "cp1252" else "surrogatepass"
    data = out.getvalue().encode(encoding, errors=errors)
    if draw(st.integers(0, 3)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_XLSX = xlsx_bytes([list(COLUMNS), [VALID[c] for c in COLUMNS]])


@st.composite
def damaged_xlsx(draw: st.DrawFn) -> bytes:
    data = bytearray(GOOD_XLSX)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


any_file = st.one_of(st.binary(max_size=200), csv_files(), damaged_xlsx())


@pytest.fixture
def cora(clinic_files: ClinicFiles) -> Iterator[SignedIn]:
    signed_in = sign_in(clinic_files.db, "cora", COORDINATOR_PASSWORD)
    try:
        yield signed_in
    finally:
        signed_in.close()


LINES = load_service_lines(resource("service_lines.json"))
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(data=any_file)
def test_parsing_any_bytes_gives_records_or_problems_naming_row_and_column(data: bytes) -> None:
    try:
        records = parse_table(read_table(data, is_column), LINES, CHICAGO, NOW)
    except ValidationFailed as refused:
        assert_refusal(refused.problems)
    else:
        assert records


def assert_refusal(problems: list[str]) -> None:
    assert problems
    for problem in problems:
        assert PROBLEM.fullmatch(problem) or problem.startswith("… and "), problem


@settings(
    max_examples=50,
    deadline=None,
    # One encrypted database for the whole test: signing in (Argon2id) once, not per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.one_of(csv_files(), csv_files(), damaged_xlsx()))
@example(data=GOOD_XLSX)  # at least one example reaches the write path, whatever is drawn
def test_an_import_writes_every_row_or_nothing(cora: SignedIn, data: bytes) -> None:
    before = Referrals(cora).page(ReferralQuery(limit=1)).total
    try:
        result = import_referrals(cora, data, skip_duplicates=True)
    except ValidationFailed as refused:
        assert_refusal(refused.problems)
        assert Referrals(cora).page(ReferralQuery(limit=1)).total == before
        event("refused")
    else:
        after = Referrals(cora).page(ReferralQuery(limit=1)).total
        assert after == before + result.referrals
        event("written" if result.referrals else "all duplicates")


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.one_of(csv_files(), st.binary(max_size=100), damaged_xlsx()))
@example(data=GOOD_XLSX)
def test_the_import_command_imports_or_refuses_and_writes_nothing(  # type: ignore[no-untyped-def]
    clinic_files, cora, capsys, tmp_path, data
):
    path: Path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    before = Referrals(cora).page(ReferralQuery(limit=1)).total
    result = run_as(
        capsys,
        clinic_files.db,
        "cora",
        f"{COORDINATOR_PASSWORD}\n",
        "import",
        "referrals",
        path,
        "--skip-duplicates",
    )
    after = Referrals(cora).page(ReferralQuery(limit=1)).total
    assert "unexpected" not in result.err and "Traceback" not in result.err, result.err
    if result.code == 0:
        assert after == before + int(result.out.split()[1])
    else:
        assert result.code == 1
        *problems, last = result.err.splitlines()
        assert last.endswith("nothing was changed")
        assert_refusal(problems)
        assert after == before
