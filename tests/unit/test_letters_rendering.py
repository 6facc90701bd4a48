"""Letters as PDF (SPEC §4): what each letter says, and what it must not; read back with pypdf."""

import io
import re
import shutil
import time
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from intake_app.domain.letters import LetterData, Letterhead, LetterKind
from intake_app.paths import resource
from intake_app.rendering.letters import (
    PLACEHOLDERS,
    TemplateError,
    check_template,
    load_letterhead,
    render_batch,
    render_letter,
)
from intake_app.rendering.templates import Bullets, Paragraph, Template

INCH = 72.0
PAGE_H = 11 * INCH
DIAGNOSIS = "Suspected pancreatic adenocarcinoma"
MISSING = ("Pathology report", "Key imaging (report, and images where needed)", "Insurance details")
STANDARD_14 = (
    "Helvetica",
    "Times",
    "Courier",
    "Symbol",
    "ZapfDingbats",
)


@pytest.fixture(scope="module")
def letterhead() -> Letterhead:
    return load_letterhead()


def make(kind: LetterKind = LetterKind.ACKNOWLEDGEMENT, **changes) -> LetterData:
    data = LetterData(
        kind=kind,
        reference="R-000123",
        letter_date=date(2025, 11, 24),
        partner="Valley Gastroenterology & Hepatology",
        clinician="Dr. Ana Okafor",
        recipient_lines=("450 Orchard Lane, Building B", "Springfield, IL 62704"),
        partner_fax="(555) 010-7788",
        patient_name="Maria Lopez",
        patient_birth_date=date(1957, 3, 14),
        diagnosis=DIAGNOSIS,
        received_on=date(2025, 11, 20),
        service_line="Radiation oncology",
        missing_items=MISSING,
        next_step="triage by our oncology team",
        next_step_by=date(2025, 11, 25),
        priority="urgent",
        appointment_at=datetime(2025, 12, 2, 9, 30),
        reason="Outside our catchment area",
        redirect_to="Lakeside Regional Oncology",
    )
    return replace(data, **changes)


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text, whitespace (line breaks, no-break spaces) run together."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_of(pdf))


# kind, status, whether the letter lists the missing items
KINDS = [
    (LetterKind.ACKNOWLEDGEMENT, "", True),
    (LetterKind.MISSING_RECORDS, "", True),
    (LetterKind.STATUS, "triaged", True),
    (LetterKind.STATUS, "scheduled", True),
    (LetterKind.STATUS, "declined", False),
    (LetterKind.STATUS, "redirected", False),
    (LetterKind.CONSULT_COMPLETED, "", False),
]
KIND_IDS = [f"{k.value}-{s}" if s else k.value for k, s, _ in KINDS]


@pytest.mark.parametrize(("kind", "status", "lists_missing"), KINDS, ids=KIND_IDS)
def test_each_letter_names_partner_date_service_line_and_missing_items(
    letterhead, kind, status, lists_missing
):
    text = text_of(render_letter(make(kind, status=status), letterhead))

    assert "Valley Gastroenterology & Hepatology" in text
    assert "Dr. Ana Okafor" in text
    assert "November 20, 2025" in text  # received
    assert "Radiation oncology" in text
    assert "Re: referral R-000123 — patient Maria Lopez, born March 14, 1957" in text
    assert "November 24, 2025" in text  # letter date
    assert letterhead.intake_phone in text
    for item in MISSING:
        assert (item in text) is lists_missing, item


@pytest.mark.parametrize(("kind", "status", "lists_missing"), KINDS, ids=KIND_IDS)
def test_no_diagnosis_no_priority_no_template_syntax_by_default(
    letterhead, kind, status, lists_missing
):
    assert not letterhead.include_diagnosis
    assert not letterhead.disclose_priority
    text = text_of(render_letter(make(kind, status=status), letterhead))

    assert "pancreatic" not in text.lower()
    assert "diagnosis" not in text.lower()
    assert "urgent" not in text.lower()
    assert "{{" not in text
    assert "}}" not in text


def test_status_letters_say_what_happened(letterhead):
    def status_text(status: str) -> str:
        return text_of(render_letter(make(LetterKind.STATUS, status=status), letterhead))

    assert "has been reviewed" in status_text("triaged")
    assert "Tuesday, December 2, 2025, at 9:30 AM" in status_text("scheduled")
    declined = status_text("declined")
    assert "unable to accept" in declined
    assert "Outside our catchment area" in declined
    redirected = status_text("redirected")
    assert "Lakeside Regional Oncology" in redirected
    assert "Outside our catchment area" in redirected


def test_consult_completed_letter_says_the_patient_was_seen(letterhead):
    text = text_of(
        render_letter(make(LetterKind.CONSULT_COMPLETED, seen_on=date(2025, 12, 2)), letterhead)
    )
    assert "We saw Maria Lopez for a first consultation on December 2, 2025." in text
    assert "nothing further you need to send" in text
    undated = text_of(render_letter(make(LetterKind.CONSULT_COMPLETED), letterhead))
    assert "We have now seen Maria Lopez for a first consultation." in undated


def test_consult_completed_is_a_fixed_kind_the_reports_count():
    assert LetterKind.CONSULT_COMPLETED.value == "consult_completed"


def test_diagnosis_printed_only_when_the_letterhead_allows(letterhead):
    allowed = replace(letterhead, include_diagnosis=True)
    text = text_of(render_letter(make(), allowed))
    assert DIAGNOSIS in text
    assert DIAGNOSIS not in text_of(render_letter(make(), letterhead))


def test_priority_disclosed_only_when_the_letterhead_allows(letterhead):
    triaged = make(LetterKind.STATUS, status="triaged")
    assert "urgent" not in text_of(render_letter(triaged, letterhead))
    disclosed = text_of(render_letter(triaged, replace(letterhead, disclose_priority=True)))
    assert "given urgent priority" in disclosed


def test_acknowledgement_without_missing_items_says_the_referral_is_complete(letterhead):
    text = text_of(render_letter(make(missing_items=()), letterhead))
    assert "still need" not in text
    assert "nothing further you need to send" in text


@pytest.mark.parametrize(
    "name",
    ["Nguyễn Thị Bích", "Siobhán Fernández", "Łukasz Żółkiewski", "Zoë Ødegård-Çelik"],
)
def test_names_with_diacritics_extract_intact(letterhead, name):
    data = make(patient_name=name, clinician=f"Dr. {name}")
    text = unicodedata.normalize("NFC", text_of(render_letter(data, letterhead)))

    assert f"patient {name}, born" in text
    assert f"Attn: Dr. {name}" in text
    assert text.count(name) >= 3  # Re line, Attn line, salutation/body


def test_text_is_set_in_embedded_dejavu_only(letterhead):
    reader = PdfReader(io.BytesIO(render_letter(make(patient_name="Nguyễn Thị Bích"), letterhead)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        names.add(str(font["/BaseFont"]))
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]  # embedded TrueType
    assert names, "no fonts at all"
    assert all("DejaVuSans" in name for name in names), names
    assert not any(std in name for name in names for std in STANDARD_14), names


def window_rect_positions(pdf: bytes, wanted: list[str]) -> dict[str, tuple[float, float]]:
    """Where each wanted string starts on page 1, as (x, inches from the top) in inches."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):
        for w in wanted:
            if w not in found and text.startswith(w):
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found[w] = (x / INCH, (PAGE_H - y) / INCH)

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def test_recipient_block_sits_in_the_number_10_window(letterhead):
    lines = ["Valley Gastro", "Attn: Dr. Ana Okafor", "450 Orchard Lane", "Springfield, IL 62704"]
    pdf = render_letter(make(), letterhead)
    where = window_rect_positions(pdf, [*lines, "November 24, 2025"])

    assert set(where) == {*lines, "November 24, 2025"}, where
    for line in lines:
        x, below_top = where[line]  # baseline
        assert 0.875 + 1 / 16 <= x <= 1.25, (line, x)
        # settled window: 2.04 in to 3.17 in from the top of the sheet
        assert 2.04 + 0.15 <= below_top <= 3.17 - 0.05, (line, below_top)
    # nothing else shows through when the sheet rides up (window then down to 3.625 in)
    assert where["November 24, 2025"][1] > 3.625 + 0.05


@pytest.mark.parametrize("extra_lines", [0, 3, 6])
def test_a_long_recipient_block_wraps_and_stays_in_the_window(letterhead, extra_lines):
    data = make(
        partner="Northwestern Regional Multispecialty Medical Group — Gastroenterology",
        recipient_lines=(
            *(f"Building {i}, Floor {i}" for i in range(extra_lines)),
            "2200 West Harrison Street, Suite 410",
            "Springfield, IL 62704-1234",
        ),
    )
    baselines: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            baselines.append((text, (PAGE_H - y) / INCH, size * tm[0]))

    PdfReader(io.BytesIO(render_letter(data, letterhead))).pages[0].extract_text(visitor_text=visit)
    block = [(t, top, size) for t, top, size in baselines if 1.6 < top < 3.64]
    text = re.sub(r"\s+", " ", " ".join(t for t, _, _ in block))
    assert "Northwestern Regional Multispecialty Medical Group" in text
    assert "Springfield, IL 62704-1234" in text
    for line, top, size in block:
        assert 2.04 + 0.15 <= top <= 3.17 - 0.05, (line, top)
        assert size >= 6, (line, size)


def test_unknown_placeholder_is_reported_with_its_name_and_nothing_is_rendered(
    letterhead, tmp_path
):
    folder = tmp_path / "letters"
    shutil.copytree(resource("letters"), folder)
    target = folder / "acknowledgement.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nYour patient's MRN is {{ patient_mrn }}.\n",
        encoding="utf-8",
    )

    with pytest.raises(TemplateError, match=r"acknowledgement\.txt.*patient_mrn") as caught:
        render_letter(make(), letterhead, template_dir=folder)
    assert caught.value.placeholder == "patient_mrn"
    assert caught.value.template == "acknowledgement.txt"

    # one bad letter stops the whole batch: no PDF with a half-made letter in it
    batch = [make(LetterKind.MISSING_RECORDS), make(), make(LetterKind.STATUS, status="triaged")]
    with pytest.raises(TemplateError, match="patient_mrn"):
        render_batch(batch, letterhead, template_dir=folder)
    # the other templates still render from the same folder
    assert render_letter(batch[0], letterhead, template_dir=folder).startswith(b"%PDF")


def test_edited_template_is_picked_up(letterhead, tmp_path):
    folder = tmp_path / "letters"
    shutil.copytree(resource("letters"), folder)
    before = text_of(render_letter(make(), letterhead, template_dir=folder))
    target = folder / "acknowledgement.txt"
    target.write_text("Dear {{ clinician }},\n\nWe have it. Thanks!\n\nRegards,\n", "utf-8")
    after = text_of(render_letter(make(), letterhead, template_dir=folder))
    assert "Thank you for referring" in before
    assert "We have it. Thanks!" in after
    assert "Thank you for referring" not in after


def test_unknown_status_is_an_error(letterhead):
    with pytest.raises(TemplateError, match="postponed"):
        render_letter(make(LetterKind.STATUS, status="postponed"), letterhead)


def test_shipped_templates_have_no_problems():
    names = sorted(p.name for p in resource("letters").glob("*.txt"))
    assert names == [
        "acknowledgement.txt",
        "consult_completed.txt",
        "missing-records.txt",
        "status-declined.txt",
        "status-redirected.txt",
        "status-scheduled.txt",
        "status-triaged.txt",
    ]
    for name in names:
        assert check_template((resource("letters") / name).read_text(encoding="utf-8")) == [], name


def test_check_template_reports_each_problem_with_its_line():
    text = "\n".join(
        [
            "# a note with {{ anything }} in it is not checked",
            "Dear {{ clinician }},",
            "Born {{ patient_dob }}.",
            "{{#if missing_items}}",
            "{{ patient name }}",
            "Fax {{ intake_fax }",
            "{{else}}",
            "{{else}}",
            "{{/unless}}",
            "{{#unless reason}}open",
        ]
    )
    problems = check_template(text)
    joined = "\n".join(problems)

    assert "line 3: unknown placeholder {{ patient_dob }}" in problems
    assert "line 5: cannot read the tag {{ patient name }}" in joined
    assert "line 6: unmatched" in joined
    assert "line 8: {{else}} outside" in joined
    assert "line 9: {{/unless}} closes {{#if}} of line 4" in joined
    assert "line 10: {{#unless reason}} has no {{/unless}}" in joined
    assert "anything" not in joined
    assert "clinician" not in joined
    assert check_template("Dear {{ clinic_code }}", extra=["clinic_code"]) == []


def test_engine_conditionals_and_lists():
    template = Template(
        "Dear {{ who }},\n"
        "\n"
        "{{#if items}}\n"
        "We need:\n"
        "{{ items }}\n"
        "In short: {{ items }}.\n"
        "{{else}}\n"
        "Nothing is missing.\n"
        "{{/if}}\n"
        "\n"
        "{{#unless when}}No date yet.{{else}}By {{ when }}.{{/unless}}\n"
        "- a fixed bullet\n",
        "t.txt",
    )
    full = template.render({"who": "Ana & Co", "items": ("A", " ", "B"), "when": ""})
    assert full == [
        Paragraph("Dear Ana & Co,"),
        Paragraph("We need:"),
        Bullets(("A", "B")),
        Paragraph("In short: A, B."),
        Paragraph("No date yet."),
        Bullets(("a fixed bullet",)),
    ]
    empty = template.render({"who": "Ana\nCo", "items": (), "when": "May 1"})
    assert empty == [
        Paragraph("Dear Ana Co,"),
        Paragraph("Nothing is missing."),
        Paragraph("By May 1."),
        Bullets(("a fixed bullet",)),
    ]
    with pytest.raises(TemplateError, match=r"t\.txt, line 1: unknown placeholder \{\{ who \}\}"):
        template.render({"items": (), "when": ""})


def test_values_do_not_become_markup_or_placeholders(letterhead):
    data = make(
        LetterKind.STATUS,
        status="declined",
        partner="Smith & <Jones> {{ diagnosis }}",
        reason="<b>Full</b> & {{ priority }}",
    )
    text = text_of(render_letter(data, letterhead))
    assert "Smith & <Jones> {{ diagnosis }}" in text
    assert "Reason: <b>Full</b> & {{ priority }}" in text
    assert DIAGNOSIS not in text


def test_a_template_cannot_reveal_what_the_letterhead_withholds(letterhead, tmp_path):
    folder = tmp_path / "letters"
    shutil.copytree(resource("letters"), folder)
    (folder / "status-triaged.txt").write_text(
        "Diagnosis: [{{ diagnosis }}] Priority: [{{ priority }}]\n", "utf-8"
    )
    triaged = make(LetterKind.STATUS, status="triaged")
    withheld = text_of(render_letter(triaged, letterhead, template_dir=folder))
    assert "Diagnosis: [] Priority: []" in withheld
    open_lh = replace(letterhead, include_diagnosis=True, disclose_priority=True)
    shown = text_of(render_letter(triaged, open_lh, template_dir=folder))
    assert f"Diagnosis: [{DIAGNOSIS}] Priority: [urgent]" in shown


def test_batch_holds_exactly_the_letters_in_order_each_from_a_new_page(letterhead):
    long_list = tuple(f"Outside record number {i:02d} with a long description" for i in range(45))
    batch = [
        make(reference="R-000001"),
        make(LetterKind.MISSING_RECORDS, reference="R-000002", missing_items=long_list),
        make(LetterKind.STATUS, status="scheduled", reference="R-000003"),
        make(LetterKind.STATUS, status="declined", reference="R-000004"),
    ]
    pages = pages_of(render_batch(batch, letterhead))

    assert len(pages) == 5
    firsts = [i for i, page in enumerate(pages) if "Re: referral R-" in page]
    assert firsts == [0, 1, 3, 4]
    refs = [re.search(r"Re: referral (R-\d+)", pages[i]).group(1) for i in firsts]
    assert refs == ["R-000001", "R-000002", "R-000003", "R-000004"]
    # the long letter alone is numbered, per letter; its items are all there, in order
    assert [bool(re.search(r"Page \d+ of \d+", p)) for p in pages] == [0, 1, 1, 0, 0]
    assert "Page 1 of 2" in pages[1]
    assert "Page 2 of 2" in pages[2]
    assert "R-000002" in pages[2]  # continuation header
    both = pages[1] + pages[2]
    positions = [both.index(item) for item in long_list]
    assert positions == sorted(positions)


def test_one_page_letter_has_no_page_number_and_long_one_does(letterhead):
    short = pages_of(render_letter(make(), letterhead))
    assert len(short) == 1
    assert "Page" not in short[0]

    many = tuple(f"Record {i}: outside clinic notes, part {i}" for i in range(80))
    long = pages_of(render_letter(make(LetterKind.MISSING_RECORDS, missing_items=many), letterhead))
    assert len(long) == 3
    for n, page in enumerate(long, start=1):
        assert f"Page {n} of 3" in page
    assert all(item in " ".join(long) for item in many)
    assert "Sincerely," in long[-1]
    assert "New Patient Intake Team" in long[-1]


def test_load_letterhead_default_and_errors(tmp_path):
    lh = load_letterhead()
    assert lh.clinic_name
    assert lh.logo_path and Path(lh.logo_path).is_file()
    assert not lh.include_diagnosis and not lh.disclose_priority

    bad = tmp_path / "letterhead.json"
    bad.write_text('{"clinic_name": "X", "address_lines": [], "phone": "1"}', "utf-8")
    with pytest.raises(ValueError, match="'fax'"):
        load_letterhead(bad)
    bad.write_text(
        '{"clinic_name": "X", "address_lines": [], "phone": "1", "fax": "2", '
        '"intake_team": "T", "intake_phone": "3", "intake_fax": "4", "include_diagnosis": "yes"}',
        "utf-8",
    )
    with pytest.raises(ValueError, match="include_diagnosis"):
        load_letterhead(bad)


def test_missing_logo_does_not_stop_a_letter(letterhead):
    pdf = render_letter(make(), replace(letterhead, logo_path="/nonexistent/logo.png"))
    assert "Valley Gastroenterology" in text_of(pdf)


def test_placeholder_list_matches_what_letters_provide(letterhead):
    from intake_app.rendering.letters import values_for

    assert set(values_for(make(), letterhead)) == PLACEHOLDERS


@pytest.mark.benchmark
def test_rendering_speed(letterhead):
    one = make()
    render_letter(one, letterhead)  # fonts and templates loaded once
    start = time.perf_counter()
    for _ in range(20):
        render_letter(one, letterhead)
    single_ms = (time.perf_counter() - start) / 20 * 1000
    kinds = [make(k, status=s) for k, s, _ in KINDS]
    batch = [kinds[i % len(kinds)] for i in range(200)]
    start = time.perf_counter()
    render_batch(batch, letterhead)
    batch_ms = (time.perf_counter() - start) / 200 * 1000
    print(f"one letter {single_ms:.1f} ms; batch of 200 {batch_ms:.1f} ms/letter")
    assert single_ms < 50
    assert batch_ms < 50
