"""The triage queue and its decisions through the service, on a real encrypted database."""

from datetime import datetime

import pytest

from intake_app.domain.enums import CloseReason, Priority, State, Trigger, Urgency
from intake_app.services.errors import PermissionDenied, ServiceError
from intake_app.services.referrals import QueueScope, Referrals
from intake_app.store.models import AuditEntry
from tests.factories import log_referral

ALL_ITEMS_BUT_IMAGING_AND_PATHOLOGY = {
    key: None
    for key in (
        "referral_order",
        "demographics",
        "insurance",
        "labs",
        "diagnosis",
        "clinical_question",
    )
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_queue_order_on_a_crafted_set(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    routine = {"trigger": Trigger.SECOND_OPINION, "referrer_urgency": Urgency.ROUTINE}
    soon = {"trigger": Trigger.ABNORMAL_IMAGING, "referrer_urgency": Urgency.ROUTINE}
    ids = {
        # Routine on survivorship: its triage target is 10 business days, so due after the
        # medical-oncology ones received a day later (5 days).
        "routine survivorship mon": log_referral(
            cora,
            family_name="A",
            service_line="survivorship",
            received_at=at("2026-11-16T09:30:00-06:00"),
            **routine,
        ),
        "routine tue 10:00 first": log_referral(
            cora, family_name="B", received_at=at("2026-11-17T10:00:00-06:00"), **routine
        ),
        "routine tue 10:00 second": log_referral(
            cora, family_name="C", received_at=at("2026-11-17T10:00:00-06:00"), **routine
        ),
        "routine tue 08:00": log_referral(
            cora, family_name="D", received_at=at("2026-11-17T08:00:00-06:00"), **routine
        ),
        "soon tue": log_referral(
            cora, family_name="E", received_at=at("2026-11-17T08:00:00-06:00"), **soon
        ),
        "soon mon": log_referral(
            cora, family_name="F", received_at=at("2026-11-16T11:00:00-06:00"), **soon
        ),
        "urgent wed": log_referral(
            cora,
            family_name="G",
            trigger=Trigger.NEW_BIOPSY,
            received_at=at("2026-11-18T08:30:00-06:00"),
        ),
    }
    decided = log_referral(cora, family_name="H", trigger=Trigger.NEW_BIOPSY)
    Referrals(tess).triage(decided, Priority.URGENT)
    closed = log_referral(cora, family_name="I", trigger=Trigger.NEW_BIOPSY)
    Referrals(tess).close(closed, CloseReason.DECLINED, "not oncology")

    rows = Referrals(tess).triage_queue()

    assert [r.id for r in rows] == [
        ids["urgent wed"],
        ids["soon mon"],
        ids["soon tue"],
        ids["routine tue 08:00"],
        ids["routine tue 10:00 first"],
        ids["routine tue 10:00 second"],
        ids["routine survivorship mon"],
    ]
    first = rows[0]
    assert first.proposed_priority == "urgent"
    assert "trigger new_biopsy is urgent by rule" in first.proposal_reasons
    # Logged with no items: every required item is missing, by its label.
    assert first.missing_items[:2] == ("Referral order / request", "Patient demographics")
    assert first.waiting == clock.now - first.received_at
    # Received Wednesday, urgent: triage by the end of Friday (2 business days).
    assert first.triage_due_at == at("2026-11-21T00:00:00-06:00")
    assert first.due_status == "upcoming"
    by_id = {r.id: r for r in rows}
    # Ten business days from Monday the 16th, Thanksgiving (the 26th) not among them.
    assert by_id[ids["routine survivorship mon"]].triage_due_at == at("2026-12-02T00:00:00-06:00")
    assert by_id[ids["routine tue 08:00"]].triage_due_at == at("2026-11-25T00:00:00-06:00")
    # Read like every list: one audit entry per referral shown.
    with tess.clinic.session() as session:
        audited = [
            e.entity_id
            for e in session.query(AuditEntry).filter(AuditEntry.action == "triage_queue")
        ]
    assert sorted(audited) == sorted(str(r.id) for r in rows)


def test_due_status_words_follow_the_clock(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    # Urgent, received Monday: triage due by the end of Wednesday (today on the test clock).
    rid = log_referral(cora, trigger=Trigger.NEW_BIOPSY)
    assert Referrals(tess).triage_queue()[0].due_status == "due_today"
    clock.advance(days=1)
    assert Referrals(tess).triage_queue()[0].due_status == "overdue"
    assert Referrals(tess).triage_queue()[0].id == rid


def test_accept_stores_the_decision_beside_the_proposal(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)  # proposed soon
    referrals = Referrals(tess)
    with pytest.raises(ServiceError, match=r"^reason: the proposed priority is soon"):
        referrals.triage(rid, Priority.URGENT)
    assert referrals.get(rid).summary.state == State.NEW.value  # nothing changed
    with pytest.raises(ServiceError, match=r"^reason: the proposed priority is soon"):
        referrals.triage(rid, Priority.URGENT, reason="   ")
    referrals.triage(rid, Priority.URGENT, reason="mass on imaging")
    detail = referrals.get(rid)
    assert (detail.summary.state, detail.summary.priority) == ("triaged", "urgent")
    assert detail.summary.proposed_priority == "soon"
    event = next(e for e in detail.timeline if e.to_state == "triaged")
    assert (event.reason, event.detail) == ("mass on imaging", "priority urgent (proposed soon)")
    assert referrals.triage_queue() == []


def test_accepting_the_proposal_needs_no_reason(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    Referrals(tess).triage(rid, Priority.SOON)
    assert Referrals(tess).get(rid).summary.priority == "soon"


def test_asking_for_more_information_holds_it_in_the_queue(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    referrals = Referrals(tess)
    referrals.request_information(rid)
    [row] = referrals.triage_queue()
    assert (row.id, row.hold_reason, row.held_since) == (rid, "awaiting_referrer", clock.now)
    detail = referrals.get(rid)
    assert detail.summary.state == State.NEW.value  # a hold is not a state
    assert [e.kind for e in detail.timeline][-1] == "hold_started"
    with pytest.raises(ServiceError):  # already on hold
        referrals.request_information(rid)
    # Triage on a held, partial record is allowed; it is a decision like any other.
    referrals.triage(rid, Priority.SOON)
    with pytest.raises(ServiceError, match="not awaiting triage"):
        referrals.request_information(rid)


def test_redirect_to_another_line_carries_the_items_by_key(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora, items=ALL_ITEMS_BUT_IMAGING_AND_PATHOLOGY)
    referrals = Referrals(tess)
    before = referrals.get(rid)
    assert before.records_complete_at is None  # medical oncology needs imaging and pathology
    referrals.redirect_internally(rid, "hematology", "blood picture, not solid tumour")
    after = referrals.get(rid)
    assert (after.summary.service_line, after.summary.state) == ("hematology", "new")
    # Hematology's checklist applies; what was received counts there by key.
    assert {line.key for line in after.checklist if line.received_at} == set(
        ALL_ITEMS_BUT_IMAGING_AND_PATHOLOGY
    )
    assert after.summary.missing_labels == ()
    assert after.records_complete_at is not None
    event = next(e for e in after.timeline if e.kind == "redirected_internally")
    assert (event.reason, event.detail) == (
        "blood picture, not solid tumour",
        "from medical_oncology to hematology",
    )
    [row] = referrals.triage_queue()
    assert (row.id, row.service_line, row.missing_items) == (rid, "hematology", ())


def test_redirect_refusals_change_nothing(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    referrals = Referrals(tess)
    version = referrals.get(rid).row_version
    with pytest.raises(ServiceError, match=r"^service_line: 'dermatology' is not an active"):
        referrals.redirect_internally(rid, "dermatology", "wrong clinic")
    with pytest.raises(ServiceError, match=r"^service_line: the referral is already on"):
        referrals.redirect_internally(rid, "medical_oncology", "same")
    with pytest.raises(ServiceError, match=r"^reason: is needed"):
        referrals.redirect_internally(rid, "hematology", " ")
    assert referrals.get(rid).row_version == version


def test_redirect_outside_and_decline_close_with_their_reasons(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    out, no = log_referral(cora, family_name="Out"), log_referral(cora, family_name="No")
    referrals = Referrals(tess)
    referrals.close(out, CloseReason.REDIRECTED, "to the regional sarcoma centre")
    referrals.close(no, CloseReason.DECLINED, "benign on review")
    assert referrals.get(out).summary.state == State.REDIRECTED.value
    assert referrals.get(no).close_reason == "benign on review"
    assert referrals.triage_queue() == []


def test_a_role_without_triage_rights_cannot_decide(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    coordinator = Referrals(cora)
    version = coordinator.get(rid).row_version
    refused = [
        lambda: coordinator.triage(rid, Priority.SOON),
        lambda: coordinator.request_information(rid),
        lambda: coordinator.redirect_internally(rid, "hematology", "blood"),
        lambda: coordinator.close(rid, CloseReason.REDIRECTED, "elsewhere"),
        lambda: coordinator.close(rid, CloseReason.DECLINED, "no"),
    ]
    for decide in refused:
        with pytest.raises(PermissionDenied):
            decide()
    detail = coordinator.get(rid)
    assert (detail.row_version, detail.summary.state) == (version, "new")
    assert detail.summary.hold_reason is None
    # Reading the queue is for every reader of referrals.
    assert [r.id for r in coordinator.triage_queue()] == [rid]


def test_scopes_mine_and_unassigned(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    referrals = Referrals(tess)
    assert [r.id for r in referrals.triage_queue(QueueScope.UNASSIGNED)] == [rid]
    assert referrals.triage_queue(QueueScope.MINE) == []
