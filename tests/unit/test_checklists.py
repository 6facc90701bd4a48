"""Service lines and checklists (SPEC §3.2): the shipped defaults and what a referral misses."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.checklists import (
    ChecklistItem,
    Completeness,
    ServiceLine,
    assess,
    load_service_lines,
)

SERVICE_LINES_JSON = Path(__file__).resolve().parents[2] / "resources" / "service_lines.json"

# SPEC §3.2, typed from the spec's table (R required, O optional), in the table's order.
SPEC_TABLE = """
| item key | medical_oncology | hematology | radiation_oncology | surgical_oncology | survivorship | second_opinion |
|---|---|---|---|---|---|---|
| referral_order | R | R | R | R | R | R |
| demographics | R | R | R | R | R | R |
| insurance | R | R | R | R | R | R |
| pathology_report | R | O | R | R | O | R |
| imaging | R | O | R | R | O | R |
| labs | O | R | O | O | O | O |
| diagnosis | R | R | R | R | R | R |
| clinical_question | R | R | R | R | O | R |
| prior_treatment | O | O | R | O | R | R |
| medication_list | O | O | O | O | O | O |
"""  # noqa: E501


def _spec_checklists() -> dict[str, list[tuple[str, bool]]]:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in SPEC_TABLE.strip().splitlines()
    ]
    header, body = rows[0], rows[2:]
    lines: dict[str, list[tuple[str, bool]]] = {key: [] for key in header[1:]}
    for row in body:
        for key, mark in zip(header[1:], row[1:], strict=True):
            assert mark in ("R", "O")
            lines[key].append((row[0], mark == "R"))
    return lines


SPEC = _spec_checklists()


@pytest.fixture(scope="module")
def shipped() -> dict[str, ServiceLine]:
    return load_service_lines(SERVICE_LINES_JSON)


def test_the_typed_table_is_complete() -> None:
    assert len(SPEC) == 6
    assert all(len(items) == 10 for items in SPEC.values())


def test_shipped_service_lines_are_those_of_the_spec(shipped: dict[str, ServiceLine]) -> None:
    assert set(shipped) == set(SPEC)
    for key, line in shipped.items():
        assert line.key == key
        assert line.name.lower() == key.replace("_", " ")


@pytest.mark.parametrize("line_key", list(SPEC))
def test_shipped_checklist_reproduces_the_spec_table(
    shipped: dict[str, ServiceLine], line_key: str
) -> None:
    line = shipped[line_key]
    assert [(i.key, i.required) for i in line.checklist] == SPEC[line_key]
    assert line.required_keys == {k for k, required in SPEC[line_key] if required}


def test_every_item_has_a_readable_label(shipped: dict[str, ServiceLine]) -> None:
    for line in shipped.values():
        for item in line.checklist:
            assert item.label.strip()
            assert item.label != item.key


def test_item_lookup(shipped: dict[str, ServiceLine]) -> None:
    hematology = shipped["hematology"]
    assert hematology.item("labs").required is True
    assert hematology.item("imaging").required is False
    with pytest.raises(DomainError) as caught:
        hematology.item("x_ray")
    assert caught.value.field == "item:x_ray"
    assert "Hematology" in caught.value.message


# --- assess ---------------------------------------------------------------------------------

T0 = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def _h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_nothing_received(shipped: dict[str, ServiceLine]) -> None:
    result = assess(shipped["hematology"].checklist, {})
    assert result.missing_required == (
        "referral_order",
        "demographics",
        "insurance",
        "labs",
        "diagnosis",
        "clinical_question",
    )
    assert result.missing_optional == (
        "pathology_report",
        "imaging",
        "prior_treatment",
        "medication_list",
    )
    assert result.records_complete_at is None
    assert not result.complete


def test_complete_at_the_latest_required_receipt(shipped: dict[str, ServiceLine]) -> None:
    received = {
        "referral_order": _h(0),
        "demographics": _h(0),
        "insurance": _h(5),
        "labs": _h(30),  # the last required item
        "diagnosis": _h(1),
        "clinical_question": _h(2),
        "imaging": _h(90),  # optional, later: does not move completeness
        "unknown_item": _h(200),  # not on the checklist: ignored
    }
    result = assess(shipped["hematology"].checklist, received)
    assert result == Completeness(
        (), ("pathology_report", "prior_treatment", "medication_list"), _h(30)
    )
    assert result.complete


def test_one_required_item_missing(shipped: dict[str, ServiceLine]) -> None:
    keys = [k for k, required in SPEC["radiation_oncology"] if required and k != "prior_treatment"]
    result = assess(shipped["radiation_oncology"].checklist, {k: _h(1) for k in keys})
    assert result.missing_required == ("prior_treatment",)
    assert result.records_complete_at is None
    assert not result.complete


def test_same_checklist_item_is_required_on_one_line_and_optional_on_another(
    shipped: dict[str, ServiceLine],
) -> None:
    received = {k: _h(1) for k, required in SPEC["medical_oncology"] if required}
    assert assess(shipped["medical_oncology"].checklist, received).complete
    hematology = assess(shipped["hematology"].checklist, received)
    assert hematology.missing_required == ("labs",)


def test_latest_receipt_is_by_instant_not_by_wall_clock() -> None:
    checklist = [ChecklistItem("a", "A", True), ChecklistItem("b", "B", True)]
    chicago_ten = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("America/Chicago"))  # 16:00 UTC
    result = assess(checklist, {"a": chicago_ten, "b": datetime(2026, 11, 18, 15, 0, tzinfo=UTC)})
    assert result.records_complete_at == chicago_ten


def test_checklist_without_required_items() -> None:
    checklist = [ChecklistItem("a", "A", False)]
    result = assess(checklist, {})
    assert result.complete
    assert result.missing_optional == ("a",)
    assert result.records_complete_at is None  # the caller uses the receipt time


# --- damaged definitions --------------------------------------------------------------------


def _shipped_data() -> dict:  # type: ignore[type-arg]
    return json.loads(SERVICE_LINES_JSON.read_text(encoding="utf-8"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "service_lines.json"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(path: Path) -> DomainError:
    with pytest.raises(DomainError) as caught:
        load_service_lines(path)
    assert str(path) in caught.value.message
    return caught.value


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    text = SERVICE_LINES_JSON.read_text(encoding="utf-8")
    _refused(_write(tmp_path, text[: len(text) // 2]))


def test_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "service lines: medical oncology, hematology\n"))


def test_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "service_lines.json"
    path.write_bytes(b'{"items": {"a": "\xff\xfe"}, "service_lines": []}')
    _refused(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path / "absent.json")


def _damaged_variants() -> dict[str, object]:
    no_items = _shipped_data()
    del no_items["items"]
    no_key = _shipped_data()
    del no_key["service_lines"][0]["key"]
    no_name = _shipped_data()
    del no_name["service_lines"][2]["name"]
    bad_checklist = _shipped_data()
    bad_checklist["service_lines"][1]["checklist"] = 5
    no_required = _shipped_data()
    del no_required["service_lines"][3]["checklist"][4]["required"]
    return {
        "no-items": no_items,
        "line-without-key": no_key,
        "line-without-name": no_name,
        "checklist-not-a-list": bad_checklist,
        "item-without-required": no_required,
        "top-level-list": [],
    }


@pytest.mark.parametrize("variant", list(_damaged_variants()))
def test_structurally_damaged_file_is_refused(tmp_path: Path, variant: str) -> None:
    _refused(_write(tmp_path, json.dumps(_damaged_variants()[variant])))


def test_required_flag_that_is_not_a_boolean_is_refused(tmp_path: Path) -> None:
    # "required": "false" is a damaged entry; it must not silently become a required item.
    data = _shipped_data()
    entry = data["service_lines"][0]["checklist"][5]
    assert entry == {"item": "labs", "required": False}
    entry["required"] = "false"
    _refused(_write(tmp_path, json.dumps(data)))


def test_shipped_file_round_trips_through_json(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps(_shipped_data()))
    assert load_service_lines(path) == load_service_lines(SERVICE_LINES_JSON)
