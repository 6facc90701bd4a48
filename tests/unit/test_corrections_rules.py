"""The rules of corrections: what may be edited, text changes, and how corrections read."""

from datetime import UTC, date, datetime

import pytest

from intake_app.domain import DomainError
from intake_app.domain.corrections import (
    EDITABLE,
    apply_text,
    changed_fields,
    correction_text,
    describe_changes,
    parse_receipt_correction,
    receipt_correction_detail,
)
from intake_app.domain.enums import Sex, Urgency
from tests.factories import intake


def test_every_intake_field_but_the_receipt_time_is_editable() -> None:
    from dataclasses import fields

    from intake_app.domain.intake import IntakeData

    assert set(EDITABLE) == {f.name for f in fields(IntakeData)} - {"received_at", "extra"}


def test_text_changes_parse_to_the_fields_types_and_empty_clears() -> None:
    data = intake()
    changed = apply_text(
        data,
        {
            "sex": " Male ",
            "date_of_birth": "1957-03-15",
            "referrer_urgency": "",
            "preferred_timeframe_days": "14",
            "partner_sent_on": "2026-11-15",
            "mrn": "  h-1 ",
        },
    )
    assert changed.sex is Sex.MALE and changed.date_of_birth == date(1957, 3, 15)
    assert changed.referrer_urgency is None and changed.preferred_timeframe_days == 14
    assert changed.partner_sent_on == date(2026, 11, 15)
    assert changed_fields(data, changed) == [
        "partner_sent_on",
        "date_of_birth",
        "sex",
        "mrn",
        "referrer_urgency",
        "preferred_timeframe_days",
    ]
    assert apply_text(data, {"referrer_urgency": "URGENT"}).referrer_urgency is Urgency.URGENT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"received_at": "2026-11-13"}, "received_at: cannot be edited; correct it with"),
        ({"extra": "x"}, "extra: cannot be edited"),
        ({"colour": "blue"}, "colour: is not a field; editable: channel, partner_sent_on,"),
        ({"sex": "f"}, "sex: is not one of female, male, other, unknown"),
        ({"preferred_timeframe_days": "two weeks"}, "preferred_timeframe_days: is not a number"),
        ({"date_of_birth": "14/03/1957"}, "date_of_birth: is not a date (YYYY-MM-DD)"),
        ({"date_of_birth": ""}, "date_of_birth: is not a date (YYYY-MM-DD)"),
    ],
)
def test_text_changes_that_cannot_apply_name_the_field(changes, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        apply_text(intake(), changes)
    assert str(refused.value).startswith(message)
    # Never the value typed: it may be a patient's.
    assert not any(len(value) > 3 and value in str(refused.value) for value in changes.values())


def test_spaces_and_the_partners_case_are_not_changes() -> None:
    data = intake()
    same = apply_text(data, {"family_name": " Fernández ", "partner": "valley GASTROENTEROLOGY"})
    assert changed_fields(data, same) == []


def test_many_changes_are_cut_to_the_event_detail_with_a_count() -> None:
    text = describe_changes(list(EDITABLE))
    assert len(text) <= 120 and text.endswith(" more")
    assert text.startswith("channel, partner sent on, partner,")
    assert describe_changes(["mrn", "contact_phone"]) == "MRN, phone"


def test_a_receipt_correction_keeps_both_times_and_reads_in_local_time() -> None:
    old = datetime(2026, 11, 16, 15, 30, tzinfo=UTC)
    new = datetime(2026, 11, 13, 22, 15, tzinfo=UTC)
    detail = receipt_correction_detail(old, new)
    assert parse_receipt_correction(detail) == (old, new)
    assert parse_receipt_correction("something else") is None
    text = correction_text("receipt_corrected", detail, lambda t: f"{t:%d %b %H:%M}", str)
    assert text == "Receipt time corrected: 16 Nov 15:30 → 13 Nov 22:15"
    assert correction_text("transition", "", str, str) is None
    labels = {"labs": "Key labs", "imaging": "Key imaging"}.get
    assert (
        correction_text("records_incomplete", "labs, imaging", str, lambda k: labels(k) or k)
        == "Records no longer complete: Key labs, Key imaging missing"
    )
