"""Cells of the CSV and XLSX files we write: formulas defused, numbers left alone (OWASP)."""

import pytest

from intake_app.rendering.spreadsheet import spreadsheet_cell, spreadsheet_row


@pytest.mark.parametrize(
    "text",
    ["=1+1", '=HYPERLINK("http://x","y")', "@SUM(A1:A9)", "+1-2", "-3+cmd|' /C calc'!A0", "\t=1"],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert spreadsheet_cell(text) == "'" + text


def test_a_carriage_return_at_the_start_is_defused() -> None:
    assert spreadsheet_cell("\r=1") == "'\r=1"


@pytest.mark.parametrize("value", [3, -2.5, "-1.50", "+7", "42", "Valley Gastroenterology", ""])
def test_numbers_and_ordinary_text_are_left_alone(value: object) -> None:
    assert spreadsheet_cell(value) == value


def test_a_row_keeps_its_types() -> None:
    assert spreadsheet_row(["=x", 4, None]) == ["'=x", 4, None]
