"""Report documents as CSV, XLSX and PDF: the same numbers in each, read back (openpyxl, pypdf),
formulas defused, de-identified or identified on every sheet and page, cancellable."""

import csv
import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from intake_app.domain.report_tables import Column, Table
from intake_app.rendering.letters import load_letterhead
from intake_app.rendering.report_cells import Cancelled, csv_text, display_text
from intake_app.rendering.report_csv import table_csv
from intake_app.rendering.report_pdf import report_pdf
from intake_app.rendering.report_xlsx import report_xlsx
from tests.report_samples import (
    ACCESS,
    FORMULA_PARTNER,
    PARTNERS,
    PATIENT_MRN,
    PATIENT_NAME,
    behind,
    weekly,
)


def pdf_pages(payload: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(payload)).pages]


def csv_rows(payload: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8"))))


def sheet_rows(payload: bytes, title: str) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(payload))[title].iter_rows(values_only=True))


# -- the access-times CSV: a contract scripts rely on ------------------------------------------


def test_access_times_csv_keeps_its_bytes() -> None:
    rows = (
        ("all", "all", "acknowledge", 4, 35.0, 70.2, 1.0),
        ("all", "all", "triage", 3, 68.0, 71.2, 0.6667),
        ("all", "all", "first_consult", 0, None, None, None),
        ("partner", "=evil", "triage", 1, -1.5, 2.25, 0.0),
    )
    assert table_csv(replace(ACCESS, rows=rows)) == (
        b"group_by,group,measure,count,median_hours,p90_hours,within_target_share\n"
        b"all,all,acknowledge,4,35.00,70.20,1.0000\n"
        b"all,all,triage,3,68.00,71.20,0.6667\n"
        b"all,all,first_consult,0,,,\n"
        b"partner,'=evil,triage,1,-1.50,2.25,0.0000\n"
    )


# -- the same numbers in every format -----------------------------------------------------------


def test_csv_xlsx_and_pdf_carry_the_same_numbers() -> None:
    document = weekly()
    pdf_text = "\n".join(pdf_pages(report_pdf(document, load_letterhead())))
    workbook = report_xlsx(document)
    for table in document.tables:
        from_csv = csv_rows(table_csv(table))
        from_xlsx = sheet_rows(workbook, table.title)
        header_at = from_xlsx.index(tuple(c.label for c in table.columns))
        data = from_xlsx[header_at + 1 :]
        assert len(from_csv) == len(data) == len(table.rows)
        for row, csv_row, xlsx_row in zip(table.rows, from_csv, data, strict=True):
            for value, column, xlsx_value in zip(row, table.columns, xlsx_row, strict=True):
                if column.kind not in ("count", "share", "hours", "days"):
                    continue
                written = csv_row[column.key]
                if value is None:
                    assert (written, xlsx_value) == ("", None)
                    continue
                assert float(written) == pytest.approx(value, abs=5e-5)
                assert xlsx_value == pytest.approx(float(written), abs=5e-5)
                assert display_text(value, column.kind) in pdf_text, (column.key, value)


def test_display_and_csv_formats_by_kind() -> None:
    assert [
        display_text(v, k) for v, k in [(0.9333, "share"), (12.25, "hours"), (1204, "count")]
    ] == [
        "93.3%",
        "12.2",
        "1,204",
    ]
    assert display_text(None, "hours") == "–"
    assert (csv_text(0.93333, "share"), csv_text(2.0, "days"), csv_text(True, "met")) == (
        "0.9333",
        "2.00",
        "met",
    )


# -- formula injection --------------------------------------------------------------------------


def test_a_formula_looking_partner_name_is_defused_in_csv_and_xlsx() -> None:
    rows = csv_rows(table_csv(PARTNERS))
    assert rows[0]["partner"] == "'" + FORMULA_PARTNER
    assert rows[1]["partner"] == "'-2+3 Clinic"
    workbook = load_workbook(io.BytesIO(report_xlsx(weekly((PARTNERS,)))))
    sheet = workbook["Partner scorecard"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names == ["'" + FORMULA_PARTNER]


def test_control_characters_do_not_break_a_workbook() -> None:
    table = Table("t", "T", (Column("partner", "Partner"),), (("Bell\x07 Clinic",),))
    rows = sheet_rows(report_xlsx(weekly((table,))), "T")
    assert rows[-1] == ("Bell Clinic",)


# -- XLSX layout --------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_table_with_title_rows_and_a_frozen_header() -> None:
    workbook = load_workbook(io.BytesIO(report_xlsx(weekly())))
    assert workbook.sheetnames == ["Access times", "Partner scorecard", "Standards", "Volume"]
    sheet = workbook["Access times"]
    top = [row[0] for row in sheet.iter_rows(max_row=4, values_only=True)]
    assert top[0] == "Weekly review — Access times"
    assert "Riverside Cancer Center" in top[1]
    assert "2026-11-02 to 2026-11-08" in top[1]
    assert "Generated 2026-11-09 14:30" in top[1]
    assert top[2].startswith("De-identified")
    assert sheet.freeze_panes == "A7"
    assert [c.value for c in sheet[6]] == [c.label for c in ACCESS.columns]
    first = sheet[7]
    assert [c.number_format for c in first[3:]] == ["#,##0", "0.0", "0.0", "0.0%"]
    assert sheet.column_dimensions["B"].width >= 8


def test_identified_workbook_says_so_on_every_sheet() -> None:
    document = behind()
    workbook = load_workbook(io.BytesIO(report_xlsx(document)))
    for sheet in workbook:
        assert sheet["A3"].value.startswith("IDENTIFIED")
        assert "IDENTIFIED" in sheet.oddHeader.center.text


def test_sheet_names_are_unique_and_valid() -> None:
    long = "Referrals behind St. Mary's Regional Hospital: internal medicine [outreach]"
    tables = tuple(Table(f"t{i}", long, (Column("a", "A"),), ()) for i in range(2))
    names = load_workbook(io.BytesIO(report_xlsx(weekly(tables)))).sheetnames
    assert len(set(names)) == 2
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


# -- PDF ----------------------------------------------------------------------------------------


def test_pdf_has_letterhead_period_generated_and_page_numbers() -> None:
    document = weekly((*weekly().tables, behind(200).tables[0]))
    document = type(document)(**{**document.__dict__, "identified": False})
    pages = pdf_pages(report_pdf(document, load_letterhead()))
    assert len(pages) > 2
    assert load_letterhead().clinic_name in pages[0]
    assert "2026-11-02 to 2026-11-08" in pages[0]
    assert "Generated 2026-11-09 14:30" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "De-identified" in text


def test_a_long_table_repeats_its_header_on_every_page() -> None:
    pages = pdf_pages(report_pdf(behind(300), load_letterhead()))
    assert len(pages) >= 3
    for text in pages:
        assert "Patient" in text and "Born" in text


def test_identified_pdf_says_so_on_every_page() -> None:
    pages = pdf_pages(report_pdf(behind(300), load_letterhead()))
    for text in pages:
        assert "IDENTIFIED" in text
        assert "De-identified" not in text


def test_charts_write_their_values_and_say_what_each_shape_is() -> None:
    text = pdf_pages(report_pdf(weekly((ACCESS,)), load_letterhead()))[0]
    assert "Median" in text and "90th percentile" in text
    assert "70.2" in text  # the all-groups p90 of acknowledge, at its bar
    assert "100.0% within target" in text


def test_standards_say_met_and_not_met_in_words() -> None:
    text = "\n".join(pdf_pages(report_pdf(weekly(), load_letterhead())))
    assert "threshold 93.0%: met" in text
    assert "threshold 90.0%: not met" in text


# -- de-identified outputs ----------------------------------------------------------------------


def test_de_identified_outputs_hold_no_patient_identifiers() -> None:
    document = weekly()
    payloads = [
        *(table_csv(t) for t in document.tables),
        report_xlsx(document),
    ]
    texts = [p.decode("utf-8") for p in payloads[:-1]]
    texts += [
        str(v)
        for row in load_workbook(io.BytesIO(payloads[-1])).active.iter_rows(values_only=True)
        for v in row
    ]
    texts += pdf_pages(report_pdf(document, load_letterhead()))
    for text in texts:
        for identifier in (PATIENT_NAME, PATIENT_MRN, "1950-01-02"):
            assert identifier not in text


# -- progress and cancelling --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_progress_counts_up_to_its_total(fmt: str) -> None:
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    render(fmt, behind(2500), progress)
    assert seen, "progress was never reported"
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == seen[-1][1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_progress_returning_false_cancels(fmt: str) -> None:
    calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return len(calls) < 2

    with pytest.raises(Cancelled):
        render(fmt, behind(2500), progress)
    assert len(calls) == 2


def render(fmt: str, document, progress) -> bytes:  # type: ignore[no-untyped-def]
    if fmt == "csv":
        return table_csv(document.tables[0], progress)
    if fmt == "xlsx":
        return report_xlsx(document, progress)
    return report_pdf(document, load_letterhead(), progress)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_rendering_leaves_nothing_in_the_temp_folder(fmt: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # openpyxl's own writer would park each sheet's XML, names and all, in a temp file.
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    render(fmt, behind(50), None)
    assert list(tmp_path.iterdir()) == []


def test_every_row_of_a_long_table_is_printed_once() -> None:
    text = "\n".join(pdf_pages(report_pdf(behind(700), load_letterhead())))
    printed = [int(n) for n in re.findall(rf"{PATIENT_NAME} (\d+)", text)]
    assert sorted(printed) == list(range(700))


def test_which_charts_a_table_gets() -> None:
    from intake_app.rendering.report_charts import charts_for

    lag = Table(
        "lag",
        "Lag",
        (
            Column("group_by", "Grouped by"),
            Column("group", "Group"),
            Column("median_days", "Median", "days"),
            Column("p90_days", "p90", "days"),
        ),
        (("all", "all", None, None), ("channel", "fax", None, None)),
    )
    assert charts_for(lag, 500) == []  # no sent dates: nothing to draw
    measured = replace(lag, rows=(("all", "all", 1.0, 3.0), ("channel", "fax", 2.0, 4.0)))
    assert len(charts_for(measured, 500)) == 1
    assert len(charts_for(ACCESS, 500)) == 2  # one per measure
    volume = Table(
        "volume",
        "Volume",
        (
            Column("group_by", "Grouped by"),
            Column("group", "Group"),
            Column("received", "Received", "count"),
            Column("share", "Share complete", "share"),
        ),
        (("week", "all", 9, 0.5), ("week", "2026-11-02", 4, 0.25), ("week", "2026-11-09", 5, 0.6)),
    )
    trend = charts_for(volume, 500)
    assert len(trend) == 2 and trend[0].height == 150  # bars over time, then the share line
    by_line = replace(volume, rows=tuple(("service_line", *r[1:]) for r in volume.rows))
    assert [c.height for c in charts_for(by_line, 500)] != [c.height for c in trend]
