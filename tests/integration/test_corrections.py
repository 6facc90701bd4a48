"""Correcting a referral through the services, on a real encrypted database.

Editing intake fields, un-ticking a wrong tick, correcting the receipt time, and links.
"""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from intake_app.domain.enums import Priority
from intake_app.services.errors import ConcurrentEdit, PermissionDenied, ValidationFailed
from intake_app.services.referrals import DuplicateAfterEdit, DuplicateChoice, Referrals
from intake_app.store.models import AuditEntry
from tests.factories import intake, log_referral

RECEIVED = datetime.fromisoformat("2026-11-16T09:30:00-06:00")
# Every item hematology requires; on medical oncology, pathology and imaging are missing.
HEMATOLOGY_COMPLETE = dict.fromkeys(
    ("referral_order", "demographics", "insurance", "labs", "diagnosis", "clinical_question")
)


def kinds(referrals: Referrals, rid: int) -> list[str]:
    return [e.kind for e in referrals.get(rid).timeline]


# -- editing -------------------------------------------------------------------------------------
def test_an_edit_changes_the_fields_and_records_their_names_not_their_values(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora)
    before = referrals.get(rid)
    clock.advance(hours=2)

    data = replace(referrals.intake_data(rid), mrn="mrn-777001", contact_phone="555-0199")
    changed = referrals.edit(rid, data, "registered", expected_version=before.row_version)

    assert changed == ["contact_phone", "mrn"]
    after = referrals.get(rid)
    assert after.summary.mrn == "MRN-777001" and after.contact_phone == "555-0199"
    assert after.row_version > before.row_version
    edited = [e for e in after.timeline if e.kind == "edited"]
    assert [(e.detail, e.reason, e.user, e.effective_at) for e in edited] == [
        ("phone, MRN", "registered", "cora", clock.now)
    ]
    with cora.clinic.session() as session:
        edits = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.user_name)
            .where(AuditEntry.action.startswith("edit_referral"))
            .order_by(AuditEntry.seq)
        ).all()
        assert edits == [
            ("edit_referral.contact_phone", str(rid), "cora"),
            ("edit_referral.mrn", str(rid), "cora"),
            ("edit_referral", str(rid), "cora"),
        ]
        values = session.execute(select(AuditEntry)).scalars().all()
    # The audit trail says who edited what, never the values.
    assert not any("777001" in str(vars(entry)) for entry in values)


def test_an_edit_on_a_stale_version_is_refused_and_changes_nothing(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora)
    shown = referrals.get(rid).row_version
    referrals.receive_item(rid, "insurance")  # someone else's change in between
    with pytest.raises(ConcurrentEdit, match="changed by someone else"):
        referrals.edit(rid, replace(referrals.intake_data(rid), mrn="X1"), expected_version=shown)
    assert referrals.get(rid).summary.mrn == "MRN-424242"
    assert "edited" not in kinds(referrals, rid)


def test_edited_values_follow_the_intake_rules(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora)
    data = referrals.intake_data(rid)
    bad = replace(
        data, family_name="  ", icd10="XYZ", date_of_birth=data.date_of_birth.replace(2099)
    )
    with pytest.raises(ValidationFailed) as refused:
        referrals.edit(rid, bad)
    assert refused.value.problems == [
        "family_name: is required",
        "date_of_birth: is in the future",
        "icd10: is not an ICD-10 code (like A00 or A00.0)",
    ]
    with pytest.raises(ValidationFailed, match="received_at: cannot be edited"):
        referrals.edit(rid, replace(data, received_at=RECEIVED - timedelta(hours=1)))
    with pytest.raises(ValidationFailed, match="no field differs"):
        referrals.edit(rid, data)
    assert referrals.intake_data(rid) == data
    assert "edited" not in kinds(referrals, rid)


def test_a_manager_may_not_edit(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, mona = sign_in_as("cora"), sign_in_as("mona")
    rid = log_referral(cora)
    with pytest.raises(PermissionDenied):
        Referrals(mona).edit(rid, replace(Referrals(mona).intake_data(rid), mrn="X"))


def test_a_new_service_line_keeps_receipts_by_key_and_recomputes_records_complete(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora, items=HEMATOLOGY_COMPLETE, service_line="hematology")
    assert referrals.get(rid).records_complete_at == RECEIVED
    clock.advance(hours=1)

    referrals.edit(rid, replace(referrals.intake_data(rid), service_line="medical_oncology"))
    detail = referrals.get(rid)
    assert detail.summary.service_line == "medical_oncology"
    assert detail.records_complete_at is None
    assert [line.label for line in detail.checklist if line.required and not line.received_at] == [
        "Pathology report",
        "Key imaging (report, and images where needed)",
    ]
    assert {line.key for line in detail.checklist if line.received_at} == set(HEMATOLOGY_COMPLETE)
    assert kinds(referrals, rid)[-2:] == ["edited", "records_incomplete"]
    assert detail.summary.next_due == "acknowledge"

    # The referral is on the new line's current checklist: receiving there completes it.
    referrals.receive_item(rid, "pathology_report")
    referrals.receive_item(rid, "imaging")
    assert referrals.get(rid).records_complete_at == clock.now

    # Back to hematology: its required items all came with the referral.
    clock.advance(hours=1)
    referrals.edit(rid, replace(referrals.intake_data(rid), service_line="hematology"))
    assert referrals.get(rid).records_complete_at == RECEIVED


def test_a_new_service_line_that_is_now_complete_sets_records_complete(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora, items=HEMATOLOGY_COMPLETE)  # medical oncology: incomplete
    assert referrals.get(rid).records_complete_at is None
    before_due = referrals.get(rid).summary.due_at
    referrals.edit(rid, replace(referrals.intake_data(rid), service_line="hematology"))
    detail = referrals.get(rid)
    assert detail.records_complete_at == RECEIVED
    assert "records_complete" in kinds(referrals, rid)
    assert detail.summary.due_at == before_due  # acknowledgement still comes first


def test_an_edit_that_matches_another_open_referral_asks_then_links(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    first = log_referral(cora)
    other = log_referral(cora, family_name="Fernandes", mrn="")
    data = replace(referrals.intake_data(other), family_name="Fernández")
    with pytest.raises(DuplicateAfterEdit, match=f"open referral {first}; choose link") as asked:
        referrals.edit(other, data)
    assert [c.id for c in asked.value.candidates] == [first]
    assert referrals.get(other).summary.family_name == "Fernandes"  # nothing saved yet
    with pytest.raises(ValidationFailed, match="merging is for a new intake"):
        referrals.edit(other, data, duplicate=DuplicateChoice.MERGE)

    referrals.edit(other, data, duplicate=DuplicateChoice.LINK)
    detail = referrals.get(other)
    assert detail.summary.family_name == "Fernández"
    assert detail.linked_referral_id == first
    assert kinds(referrals, other)[-2:] == ["edited", "linked"]
    # Linked now: a later edit of the name does not ask again about the same referral.
    referrals.edit(other, replace(data, given_name="Siobhan"))


def test_a_change_that_is_not_the_identity_does_not_ask_about_duplicates(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    log_referral(cora)
    twin = log_referral(cora)  # kept both at intake
    referrals.edit(twin, replace(referrals.intake_data(twin), diagnosis="lung mass"))
    assert referrals.get(twin).diagnosis == "lung mass"


def test_a_changed_trigger_changes_the_proposed_priority(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora)
    data = replace(referrals.intake_data(rid), referrer_urgency=Priority.URGENT)
    referrals.edit(rid, data)
    assert referrals.get(rid).summary.proposed_priority == "urgent"


# -- un-ticking ------------------------------------------------------------------------------------
def test_unreceiving_the_item_that_completed_the_records_clears_them_and_keeps_history(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(
        cora, items=dict.fromkeys(list(HEMATOLOGY_COMPLETE)[:-1]), service_line="hematology"
    )
    clock.advance(hours=1)
    ticked_at = clock.now
    referrals.receive_item(rid, "clinical_question")
    assert referrals.get(rid).records_complete_at == ticked_at
    clock.advance(minutes=5)

    with pytest.raises(ValidationFailed, match="reason: is needed"):
        referrals.unreceive_item(rid, "clinical_question", "  ")
    version = referrals.get(rid).row_version
    referrals.unreceive_item(rid, "clinical_question", "ticked the wrong row", version)

    detail = referrals.get(rid)
    assert detail.records_complete_at is None
    line = next(c for c in detail.checklist if c.key == "clinical_question")
    assert line.received_at is None
    assert detail.summary.missing_required == 1
    assert detail.summary.next_due == "acknowledge"
    # Received, complete, not received, incomplete: all four stay, with who and when.
    tail = [(e.kind, e.effective_at, e.user, e.reason) for e in detail.timeline][-4:]
    assert tail == [
        ("item_received", ticked_at, "cora", ""),
        ("records_complete", ticked_at, "cora", ""),
        ("item_unreceived", clock.now, "cora", "ticked the wrong row"),
        ("records_incomplete", clock.now, "cora", ""),
    ]
    with pytest.raises(ConcurrentEdit):
        referrals.unreceive_item(rid, "labs", "wrong", version)
    with pytest.raises(Exception, match="item: 'clinical_question' is not marked received"):
        referrals.unreceive_item(rid, "clinical_question", "again")

    # Received again later: complete again, the first receipt still on the timeline.
    clock.advance(hours=1)
    referrals.receive_item(rid, "clinical_question")
    detail = referrals.get(rid)
    assert detail.records_complete_at == clock.now
    received = [
        e.effective_at
        for e in detail.timeline
        if e.kind == "item_received" and e.detail == "clinical_question"
    ]
    assert received == [ticked_at, clock.now]
    with cora.clinic.session() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert "unreceive_item" in actions


# -- the receipt time ------------------------------------------------------------------------------
def test_correcting_the_receipt_time_moves_what_came_with_it_and_keeps_both_times(
    sign_in_as, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora, items=HEMATOLOGY_COMPLETE, service_line="hematology")
    before = referrals.get(rid)
    earlier = RECEIVED - timedelta(days=3)  # Friday 13 Nov: the fax sat in the tray
    version = before.row_version
    with pytest.raises(ValidationFailed, match="reason: is needed"):
        referrals.correct_receipt(rid, earlier, "", version)
    referrals.correct_receipt(rid, earlier, "fax was received on Friday", version)

    after = referrals.get(rid)
    assert after.summary.received_at == earlier
    assert after.recorded_at == before.recorded_at
    assert {line.received_at for line in after.checklist if line.received_at} == {earlier}
    assert after.records_complete_at == earlier
    assert after.summary.due_at < before.summary.due_at  # the deadlines follow the receipt
    corrected = [e for e in after.timeline if e.kind == "receipt_corrected"]
    assert [(e.reason, e.detail, e.effective_at) for e in corrected] == [
        (
            "fax was received on Friday",
            "from 2026-11-16T15:30:00+00:00 to 2026-11-13T15:30:00+00:00",
            clock.now,
        )
    ]
    assert after.timeline[0].kind == "received" and after.timeline[0].effective_at == earlier
    with cora.clinic.session() as session:
        assert (
            session.execute(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(2))
            .scalars()
            .all()[1]
            == "correct_receipt"
        )


def test_a_receipt_time_after_a_later_step_is_refused(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    referrals = Referrals(cora)
    rid = log_referral(cora, received_at=clock.now - timedelta(hours=6))
    clock.advance(hours=1)
    Referrals(tess).triage(rid, Priority.SOON, at=clock.now - timedelta(hours=3))
    before = referrals.get(rid)
    with pytest.raises(ValidationFailed, match=r"received_at: would be after the triage \("):
        referrals.correct_receipt(rid, clock.now - timedelta(hours=2), "wrong day")
    with pytest.raises(ValidationFailed, match="received_at: is in the future"):
        referrals.correct_receipt(rid, clock.now + timedelta(hours=2), "wrong day")
    assert referrals.get(rid).summary.received_at == before.summary.received_at
    referrals.correct_receipt(rid, clock.now - timedelta(hours=4), "it was later")
    assert referrals.get(rid).summary.received_at == clock.now - timedelta(hours=4)


def test_a_receipt_time_after_a_later_item_is_refused(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    rid = log_referral(cora, received_at=clock.now - timedelta(hours=6))
    referrals.receive_item(rid, "labs", at=clock.now - timedelta(hours=5))
    with pytest.raises(ValidationFailed, match="after the receipt of labs"):
        referrals.correct_receipt(rid, clock.now - timedelta(hours=4), "later")


# -- links -----------------------------------------------------------------------------------------
def test_a_link_shows_on_both_referrals(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    first = log_referral(cora)
    second = referrals.log(intake(), {}, duplicate=DuplicateChoice.LINK)
    third = referrals.log(intake(), {}, duplicate=DuplicateChoice.LINK)
    one, two = referrals.get(first), referrals.get(second)
    assert one.linked_to is None
    assert [(r.id, r.family_name, r.state) for r in one.linked_from] == [
        (second, "Fernández", "new"),
        (third, "Fernández", "new"),
    ]
    assert two.linked_to is not None and two.linked_to.id == first
    assert two.linked_from == ()


def test_finding_links_reads_through_indexes_not_every_referral(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    cora = sign_in_as("cora")
    referrals = Referrals(cora)
    first = log_referral(cora)
    second = referrals.log(intake(), {}, duplicate=DuplicateChoice.LINK)
    engine = cora.clinic.engine
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "linked_referral_id" in statement.partition("WHERE")[2]:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        referrals.get(first)  # links to nothing: only the referrals linking to it
        referrals.get(second)  # links to the first
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 2
    with engine.connect() as conn:
        for statement, parameters in seen:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            assert not [row for row in plan if str(row[-1]).startswith("SCAN referrals")], plan
