"""The intake record (SPEC §3.1): every rule it breaks names its field; parsing from text."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_app.domain import DomainError
from intake_app.domain.enums import (
    Channel,
    Consent,
    ContactMethod,
    Sex,
    Trigger,
    Urgency,
    parse_enum,
)
from intake_app.domain.intake import LIMITS, IntakeData, parse_date, parse_time

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # Wednesday 09:00 in Chicago
LINES = frozenset(
    {
        "medical_oncology",
        "hematology",
        "radiation_oncology",
        "surgical_oncology",
        "survivorship",
        "second_opinion",
    }
)


def record(**changes: object) -> IntakeData:
    valid = IntakeData(
        received_at=NOW - timedelta(minutes=30),
        channel=Channel.FAX,
        partner="Lakeside Family Medicine",
        family_name="Okafor",
        given_name="Adaeze",
        date_of_birth=date(1961, 4, 3),
        sex=Sex.FEMALE,
        service_line="medical_oncology",
        trigger=Trigger.ABNORMAL_IMAGING,
        referrer_urgency=Urgency.SOON,
        referring_clinician="Dr. J. Alvarez",
        contact_person="M. Chen",
        contact_phone="+1 312 555 0100",
        contact_fax="+1 312 555 0101",
        mrn="A1234567",
        patient_phone="+1 312 555 0199",
        preferred_contact=ContactMethod.PHONE,
        preferred_language="English",
        diagnosis="Suspicious right breast mass",
        icd10="C50.911",
        clinical_question="Please assess for neoadjuvant therapy.",
        preferred_timeframe_days=10,
        consent_to_share=Consent.ON_FILE,
        partner_sent_on=date(2026, 11, 17),
    )
    return dataclasses.replace(valid, **changes)  # type: ignore[arg-type]


def problem_fields(data: IntakeData) -> list[str | None]:
    return [p.field for p in data.problems(LINES, NOW)]


def only_problem(data: IntakeData, field: str) -> DomainError:
    problems = data.problems(LINES, NOW)
    assert [p.field for p in problems] == [field], [str(p) for p in problems]
    assert str(problems[0]).startswith(f"{field}: ")
    return problems[0]


def test_a_valid_record_has_no_problems() -> None:
    assert record().problems(LINES, NOW) == []


def test_a_minimal_record_has_no_problems() -> None:
    minimal = IntakeData(
        received_at=NOW,
        channel=Channel.WALK_IN,
        partner="County ED",
        family_name="Li",
        given_name="Wei",
        date_of_birth=date(1990, 1, 1),
        sex=Sex.UNKNOWN,
        service_line="hematology",
        trigger=Trigger.OTHER,
        referrer_urgency=None,
    )
    assert minimal.problems(LINES, NOW) == []


# --- required and over-length text ----------------------------------------------------------


@pytest.mark.parametrize("field", ["partner", "family_name", "given_name"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_required_text_is_named_when_missing(field: str, blank: str) -> None:
    error = only_problem(record(**{field: blank}), field)
    assert "required" in error.message


def test_every_free_text_field_has_a_length_limit() -> None:
    text_fields = {
        f.name
        for f in dataclasses.fields(IntakeData)
        if f.type in (str, "str") and f.name != "service_line"
    }
    assert text_fields == set(LIMITS)


@pytest.mark.parametrize("field", sorted(set(LIMITS) - {"icd10"}))
def test_text_at_the_limit_is_accepted_and_longer_refused(field: str) -> None:
    limit = LIMITS[field]
    assert record(**{field: "x" * limit}).problems(LINES, NOW) == []
    error = only_problem(record(**{field: "x" * (limit + 1)}), field)
    assert str(limit) in error.message


def test_icd10_length_limit() -> None:
    assert LIMITS["icd10"] == 8
    assert record(icd10="C50.9111").problems(LINES, NOW) == []
    assert "icd10" in problem_fields(record(icd10="C50.91111"))


def test_several_problems_are_reported_together() -> None:
    data = record(
        partner="",
        family_name="x" * 81,
        service_line="dermatology",
        date_of_birth=date(2027, 1, 1),
        icd10="breast",
    )
    assert sorted(f for f in problem_fields(data) if f) == [
        "date_of_birth",
        "family_name",
        "icd10",
        "partner",
        "service_line",
    ]


# --- service line, times and dates ----------------------------------------------------------


def test_unknown_service_line_is_named_with_the_allowed_ones() -> None:
    error = only_problem(record(service_line="dermatology"), "service_line")
    assert "dermatology" in error.message
    assert "hematology" in error.message
    assert "second_opinion" in error.message


@pytest.mark.parametrize("line", sorted(LINES))
def test_every_known_service_line_is_accepted(line: str) -> None:
    assert record(service_line=line).problems(LINES, NOW) == []


def test_received_in_the_future_is_refused() -> None:
    error = only_problem(record(received_at=NOW + timedelta(hours=2)), "received_at")
    assert "future" in error.message
    only_problem(record(received_at=NOW + timedelta(minutes=5, seconds=1)), "received_at")


def test_received_within_the_clock_tolerance_is_accepted() -> None:
    assert record(received_at=NOW + timedelta(minutes=4)).problems(LINES, NOW) == []
    three_days_ago = record(received_at=NOW - timedelta(days=3), partner_sent_on=None)
    assert three_days_ago.problems(LINES, NOW) == []


def test_naive_received_time_is_refused() -> None:
    naive = datetime(2026, 11, 18, 8, 0)
    error = only_problem(record(received_at=naive, partner_sent_on=None), "received_at")
    assert "time zone" in error.message


def test_date_of_birth_in_the_future_is_refused() -> None:
    error = only_problem(record(date_of_birth=date(2026, 11, 19)), "date_of_birth")
    assert "future" in error.message
    assert record(date_of_birth=date(2026, 11, 18)).problems(LINES, NOW) == []  # born today


def test_date_of_birth_before_1900_is_refused() -> None:
    only_problem(record(date_of_birth=date(1899, 12, 31)), "date_of_birth")
    assert record(date_of_birth=date(1900, 1, 1)).problems(LINES, NOW) == []


def test_partner_sent_after_receipt_is_refused() -> None:
    received = datetime(2026, 11, 17, 10, 0, tzinfo=CHICAGO)
    error = only_problem(
        record(received_at=received, partner_sent_on=date(2026, 11, 18)), "partner_sent_on"
    )
    assert "after" in error.message
    for sent in (date(2026, 11, 17), date(2026, 11, 10)):  # same day, or earlier
        assert record(received_at=received, partner_sent_on=sent).problems(LINES, NOW) == []


@pytest.mark.parametrize(
    ("days", "ok"), [(0, False), (-3, False), (1, True), (365, True), (366, False)]
)
def test_preferred_timeframe_range(days: int, ok: bool) -> None:
    data = record(preferred_timeframe_days=days)
    if ok:
        assert data.problems(LINES, NOW) == []
    else:
        only_problem(data, "preferred_timeframe_days")


# --- ICD-10 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "C50.911",  # malignant neoplasm of right female breast, unspecified site
        "C34.90",
        "C61",
        "D70.9",
        "Z85.3",
        "c18.7",  # lower case is accepted
        "C509",  # written without the dot
    ],
)
def test_icd10_codes_are_accepted(code: str) -> None:
    assert record(icd10=code).problems(LINES, NOW) == []


@pytest.mark.parametrize(
    "code",
    [
        "C7A.00",  # malignant carcinoid tumour of unspecified site
        "C7B.00",  # secondary carcinoid tumours, unspecified site
        "C4A.9",  # Merkel cell carcinoma, unspecified
        "D3A.00",  # benign carcinoid tumour of unspecified site
    ],
)
def test_icd10_cm_codes_with_a_letter_in_third_place_are_accepted(code: str) -> None:
    # ICD-10-CM categories are letter, digit, then a digit or letter: C7A, C7B, C4A, D3A are
    # oncology categories a US clinic meets.
    assert record(icd10=code).problems(LINES, NOW) == []


@pytest.mark.parametrize("code", ["50.9", "CC0.1", "C5", "C50-9", "breast", "C50.9 1"])
def test_malformed_icd10_is_named(code: str) -> None:
    error = only_problem(record(icd10=code), "icd10")
    # A diagnosis code is patient data: named, never echoed.
    assert code not in error.message


@pytest.mark.parametrize("code", ["Ç50.9", "C５0.9"])
def test_icd10_letters_and_digits_are_ascii(code: str) -> None:
    # str.isalpha / str.isdigit accept any Unicode letter or digit; a code is A-Z and 0-9.
    only_problem(record(icd10=code), "icd10")


# --- parsing from text ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-11-18T09:00", "2026-11-18 09:00", " 2026-11-18T09:00:00 "])
def test_time_without_offset_is_clinic_time(text: str) -> None:
    parsed = parse_time(text, CHICAGO, "received_at")
    assert parsed == datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=-6)


def test_summer_time_without_offset_is_clinic_daylight_time() -> None:
    parsed = parse_time("2026-07-01T09:00", CHICAGO, "received_at")
    assert parsed == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-18T09:00:00+01:00", datetime(2026, 11, 18, 8, 0, tzinfo=UTC)),
        ("2026-11-18T15:00:00Z", datetime(2026, 11, 18, 15, 0, tzinfo=UTC)),
        ("2026-11-18T10:00:00-05:00", datetime(2026, 11, 18, 15, 0, tzinfo=UTC)),
    ],
)
def test_time_with_offset_keeps_its_offset(text: str, expected: datetime) -> None:
    assert parse_time(text, CHICAGO, "seen_at") == expected


@pytest.mark.parametrize("text", ["18/11/2026 09:00", "yesterday", "", "2026-11-31T09:00"])
def test_unparseable_time_names_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_time(text, CHICAGO, "triaged_at")
    assert caught.value.field == "triaged_at"
    assert str(caught.value).startswith("triaged_at: ")
    assert "ISO 8601" in caught.value.message
    if text:
        assert text not in caught.value.message


def test_parse_date() -> None:
    assert parse_date("1961-04-03", "date_of_birth") == date(1961, 4, 3)
    assert parse_date(" 2026-11-17 ", "partner_sent_on") == date(2026, 11, 17)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "03/04/1961", "3 April 1961", ""])
def test_unparseable_date_names_the_field(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_date(text, "date_of_birth")
    assert caught.value.field == "date_of_birth"
    assert str(caught.value).startswith("date_of_birth: ")
    assert "YYYY-MM-DD" in caught.value.message


# --- closed vocabularies (enums) ------------------------------------------------------------


def test_parse_enum_accepts_keys_in_any_case_and_spacing() -> None:
    assert parse_enum(Channel, " Fax ", "channel") is Channel.FAX
    assert parse_enum(Trigger, "NEW_BIOPSY", "trigger") is Trigger.NEW_BIOPSY
    assert parse_enum(Urgency, "urgent", "referrer_urgency") is Urgency.URGENT


def test_parse_enum_refusal_names_the_field_and_the_allowed_keys() -> None:
    with pytest.raises(DomainError) as caught:
        parse_enum(Sex, "f", "sex")
    assert caught.value.field == "sex"
    for allowed in ("female", "male", "other", "unknown"):
        assert allowed in caught.value.message


def test_channel_keys_cover_the_spec_channels() -> None:
    # SPEC §3.1: fax, phone, e-mail, web form, partner portal, walk-in.
    assert {c.value for c in Channel} == {"fax", "phone", "email", "web_form", "portal", "walk_in"}


# --- hostile text (SPEC §3.1: control and invisible formatting characters) ------------------

HOSTILE = {
    "NUL": "\x00",
    "escape sequence": "\x1b]0;owned\x07\x1b[2J",
    "C1 control": "\x9b",
    "tab": "\t",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte-order mark": "\ufeff",
    "line separator": "\u2028",
}


@pytest.mark.parametrize("name", sorted(LIMITS))
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_control_and_invisible_characters_are_refused_in_every_text_field(
    name: str, kind: str
) -> None:
    value = "A" + HOSTILE[kind] + "B"
    problems = record(**{name: value}).problems(LINES, NOW)
    assert {p.field for p in problems} == {name}  # an ICD-10 code is malformed as well
    (error,) = [p for p in problems if "control or invisible character" in p.message]
    assert f"U+{ord(HOSTILE[kind][0]):04X}" in error.message


def test_a_line_break_is_allowed_in_the_clinical_question_only() -> None:
    assert record(clinical_question="Staging?\nPlease call.").problems(LINES, NOW) == []
    only_problem(record(diagnosis="Mass\nright breast"), "diagnosis")
    only_problem(record(clinical_question="Staging?\r\nPlease call."), "clinical_question")


@pytest.mark.parametrize(
    "name", ["Nguyễn", "Søren Kierkegård", "محمد", "李小龍", "O'Brien-Smith", "Anne\u00a0Marie"]
)
def test_names_in_any_script_pass(name: str) -> None:
    assert record(family_name=name).problems(LINES, NOW) == []


def test_escape_controls_shows_what_would_act_on_a_terminal() -> None:
    from intake_app.domain.text import escape_controls

    assert escape_controls("Nguyễn") == "Nguyễn"
    assert escape_controls("\x1b[2Jx\u202e") == "\\x1b[2Jx\\u202e"
    assert escape_controls("a\tb", keep="\t") == "a\tb"


# --- times that do not exist, or are not what was meant ---------------------------------


def test_a_clinic_time_in_the_spring_forward_gap_is_refused() -> None:
    # 2026-03-08: Chicago's clocks jump from 02:00 to 03:00.
    with pytest.raises(DomainError) as caught:
        parse_time("2026-03-08T02:30", CHICAGO, "received_at")
    assert caught.value.field == "received_at"
    assert "does not exist" in caught.value.message
    assert parse_time("2026-03-08T03:30", CHICAGO, "received_at").utcoffset() == timedelta(hours=-5)


def test_an_ambiguous_clinic_time_needs_an_offset() -> None:
    # 2026-11-01: Chicago's clocks go back from 02:00 to 01:00; 01:30 happens twice.
    with pytest.raises(DomainError) as caught:
        parse_time("2026-11-01T01:30", CHICAGO, "seen_at")
    assert caught.value.field == "seen_at"
    assert "ambiguous" in caught.value.message
    assert "-05:00 or -06:00" in caught.value.message
    first = parse_time("2026-11-01T01:30-05:00", CHICAGO, "seen_at")
    second = parse_time("2026-11-01T01:30-06:00", CHICAGO, "seen_at")
    assert second - first == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-11-03", "date without a time"),
        ("0001-01-01T00:00", "years"),
        ("0001-01-01T00:00+05:00", "years"),
        ("9999-12-31T23:59-05:00", "years"),
        ("2026-11-03T10:00+23:59", "offset"),
        ("2026-11-03T10:00-13:00", "offset"),
        ("2026-W45-2T10:00", "ISO 8601"),
        ("20261103T1000", "ISO 8601"),
    ],
)
def test_implausible_times_are_refused_naming_the_field(text: str, words: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_time(text, CHICAGO, "acknowledged_at")
    assert caught.value.field == "acknowledged_at"
    assert words in caught.value.message


@pytest.mark.parametrize("text", ["2026-11-03T10:00+14:00", "2026-11-03T10:00-12:00"])
def test_the_extreme_offsets_in_use_are_accepted(text: str) -> None:
    assert parse_time(text, CHICAGO, "seen_at").tzinfo is not None


def test_year_one_is_not_a_date_of_birth() -> None:
    with pytest.raises(DomainError) as caught:
        parse_date("0001-01-01", "date_of_birth")
    assert "before 1900" in caught.value.message


def test_date_of_birth_after_receipt_is_refused() -> None:
    received = datetime(2026, 11, 2, 9, 0, tzinfo=CHICAGO)
    late = record(received_at=received, date_of_birth=date(2026, 11, 3), partner_sent_on=None)
    assert "after the referral was received" in only_problem(late, "date_of_birth").message
    same_day = record(received_at=received, date_of_birth=date(2026, 11, 2), partner_sent_on=None)
    assert same_day.problems(LINES, NOW) == []


def test_the_form_path_refuses_a_received_time_that_does_not_exist() -> None:
    # The form attaches the clinic zone to the wall-clock time it shows.
    gap = record(received_at=datetime(2026, 3, 8, 2, 30, tzinfo=CHICAGO), partner_sent_on=None)
    assert "does not exist" in only_problem(gap, "received_at").message
    year_one = record(received_at=datetime(1, 1, 1, tzinfo=UTC), partner_sent_on=None)
    assert "years" in only_problem(year_one, "received_at").message
