"""Follow-ups of missing records through the services, on a real encrypted database.

The clock is Wednesday 18 Nov 2026, 09:00 in Chicago. A referral received Monday 16 Nov
(the factories' default) missing items had its first request due by the end of Tuesday 17:
it is overdue; one received this morning is due by the end of Thursday 19.
"""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from intake_app.domain.enums import CloseReason
from intake_app.domain.followups import Ladder
from intake_app.domain.holds import HoldReason
from intake_app.domain.letters import LetterKind
from intake_app.services.errors import PermissionDenied, ServiceError, ValidationFailed
from intake_app.services.followups import Followups
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from intake_app.store.models import AuditEntry, Event
from tests.factories import log_referral

WEDNESDAY = date(2026, 11, 18)
THURSDAY = date(2026, 11, 19)
REQUIRED = (
    "referral_order",
    "demographics",
    "insurance",
    "pathology_report",
    "imaging",
    "diagnosis",
    "clinical_question",
)


def chicago(text: str) -> datetime:
    return datetime.fromisoformat(text + "-06:00")


def ids(rows) -> list[int]:  # type: ignore[no-untyped-def]
    return [r.referral_id for r in rows]


def events(signed_in, rid: int, kind: str) -> list[Event]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        return list(
            s.execute(select(Event).where(Event.referral_id == rid, Event.kind == kind)).scalars()
        )


def audit_actions(signed_in, rid: int) -> list[str]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as s:
        return list(
            s.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity_id == str(rid))
                .order_by(AuditEntry.seq)
            ).scalars()
        )


def hold(signed_in, rid: int, reason: str | None) -> None:  # type: ignore[no-untyped-def]
    """Put on hold with `reason`, or resume (None), through the holds use case."""
    referrals = Referrals(signed_in)
    if reason is None:
        referrals.resume(rid)
    else:
        referrals.hold(rid, HoldReason(reason))


@pytest.fixture
def cora(sign_in_as):  # type: ignore[no-untyped-def]
    return sign_in_as("cora")


def test_the_list_shows_what_is_due_by_the_end_of_the_day_overdue_first(cora) -> None:  # type: ignore[no-untyped-def]
    today = log_referral(cora, received_at=chicago("2026-11-18T08:00:00"), family_name="Okafor")
    overdue = log_referral(cora, {"referral_order": None}, partner="Lakeside Family Practice")
    complete = log_referral(cora, dict.fromkeys(REQUIRED), family_name="Kim")
    followups = Followups(cora)

    rows = followups.due(WEDNESDAY)
    assert ids(rows) == [overdue]
    row = rows[0]
    assert (row.step, row.action, row.due_status) == (1, "request_partner", "overdue")
    assert row.due_at == chicago("2026-11-18T00:00:00")
    assert row.partner == "Lakeside Family Practice"
    assert row.family_name == "Fernández" and row.given_name == "Siobhán"
    assert "Patient demographics" in row.missing_items
    assert "Referral order / request" not in row.missing_items
    # Thursday's list has today's arrival too, soonest due first; never the complete one.
    thursday = followups.due(THURSDAY)
    assert ids(thursday) == [overdue, today]
    assert complete not in ids(thursday)
    assert [r.due_status for r in thursday] == ["overdue", "upcoming"]
    # Listing is audited as a read of each referral shown.
    assert "list_followups" in audit_actions(cora, overdue)


def test_de_identified_rows_carry_no_names(cora) -> None:  # type: ignore[no-untyped-def]
    log_referral(cora)
    (row,) = Followups(cora).due(WEDNESDAY, identified=False)
    assert (row.family_name, row.given_name) == ("", "")


def test_completing_a_follow_up_records_its_outcome_and_moves_the_ladder_on(cora, clock) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    followups = Followups(cora)
    assert followups.complete(rid, "called", note="left a message with Dr. Nguyen") == 1

    (event,) = events(cora, rid, "followup_done")
    assert event.detail == "step 1: called"
    assert event.reason == "left a message with Dr. Nguyen"
    assert event.effective_at == clock.now
    assert audit_actions(cora, rid)[-1] == "followup_done"
    # Step 2 counts two business days from today (Wednesday): due by the end of Friday.
    assert rid not in ids(followups.due(WEDNESDAY))
    (second,) = followups.due(date(2026, 11, 20))
    assert (second.step, second.steps_done) == (2, 1)
    assert second.due_at == chicago("2026-11-21T00:00:00")
    # Both requests done: the third step escalates to the coordinator lead.
    clock.advance(days=2)
    followups.complete(rid, "faxed")
    (third,) = followups.due(date(2026, 11, 24))
    assert (third.step, third.action) == (3, "escalate_lead")
    followups.complete(rid, "escalated")
    assert followups.due(date(2026, 12, 31)) == []
    with pytest.raises(ServiceError, match="followup: no follow-up is due"):
        followups.complete(rid, "called")


def test_a_follow_up_entered_after_the_fact_counts_from_when_it_was_done(cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    followups = Followups(cora)
    followups.complete(rid, "faxed", at=chicago("2026-11-17T10:00:00"))  # Tuesday
    # Two business days after Tuesday: due by the end of Thursday.
    (row,) = followups.due(THURSDAY)
    assert row.due_at == chicago("2026-11-20T00:00:00")
    # Not before the step it follows, nor before receipt, nor in the future.
    for when in ("2026-11-16T12:00:00", "2026-11-15T12:00:00", "2026-11-19T12:00:00"):
        with pytest.raises(ServiceError, match="done_at: "):
            followups.complete(rid, "faxed", at=chicago(when))
    assert len(events(cora, rid, "followup_done")) == 1


def test_bad_outcome_or_note_is_refused_and_changes_nothing(cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    followups = Followups(cora)
    with pytest.raises(ValidationFailed, match="outcome: must be one of"):
        followups.complete(rid, "shouted")
    with pytest.raises(ValidationFailed, match="note: contains a control"):
        followups.complete(rid, "called", note="bad\x1bnote")
    with pytest.raises(ValidationFailed, match="note: at most 300"):
        followups.complete(rid, "called", note="x" * 301)
    assert events(cora, rid, "followup_done") == []
    assert followups.due(WEDNESDAY)[0].step == 1


def test_the_missing_records_letter_completes_the_step_due(cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    Letters(cora).record([rid], LetterKind.MISSING_RECORDS, "printed")
    (event,) = events(cora, rid, "followup_done")
    assert event.detail == "step 1: letter_sent"
    (row,) = Followups(cora).due(date(2026, 11, 20))
    assert row.step == 2
    # An acknowledgement is not a request for records: it moves nothing.
    Letters(cora).record([rid], LetterKind.ACKNOWLEDGEMENT, "printed")
    assert len(events(cora, rid, "followup_done")) == 1


def test_receiving_the_last_missing_item_ends_the_ladder_and_unticking_resumes_it(cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora, dict.fromkeys(REQUIRED[:-1]))
    referrals, followups = Referrals(cora), Followups(cora)
    followups.complete(rid, "called")
    referrals.receive_item(rid, "clinical_question")
    assert followups.due(date(2026, 12, 31)) == []
    referrals.unreceive_item(rid, "clinical_question", reason="ticked the wrong box")
    (row,) = followups.due(date(2026, 11, 20))
    assert (row.step, row.missing_items) == (2, ("Clinical question",))


def test_closing_ends_follow_ups_and_reopening_brings_them_back(cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    referrals, followups = Referrals(cora), Followups(cora)
    referrals.close(rid, CloseReason.WITHDRAWN, note="patient moved away")
    assert followups.due(WEDNESDAY) == []
    with pytest.raises(ServiceError, match="state: the referral is withdrawn"):
        followups.complete(rid, "called")
    referrals.reopen(rid, "patient came back")
    assert ids(followups.due(WEDNESDAY)) == [rid]


def test_patient_unavailable_hold_suspends_follow_ups_awaiting_referrer_does_not(cora) -> None:  # type: ignore[no-untyped-def]
    waiting_patient = log_referral(cora)
    waiting_referrer = log_referral(cora, family_name="Okafor")
    hold(cora, waiting_patient, "patient_unavailable")
    hold(cora, waiting_referrer, "awaiting_referrer")
    followups = Followups(cora)
    rows = followups.due(WEDNESDAY)
    assert ids(rows) == [waiting_referrer]
    assert rows[0].hold_reason == "awaiting_referrer"
    with pytest.raises(ServiceError, match="followup: no follow-up is due"):
        followups.complete(waiting_patient, "called")
    hold(cora, waiting_patient, None)
    assert set(ids(followups.due(WEDNESDAY))) == {waiting_patient, waiting_referrer}


def test_roles_without_the_right_are_refused_and_audited(sign_in_as, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    with pytest.raises(PermissionDenied, match="tess \\(triage\\) may not followup done"):
        Followups(sign_in_as("tess")).complete(rid, "called")
    with pytest.raises(PermissionDenied, match="may not list followups"):
        Followups(sign_in_as("admin")).due(WEDNESDAY)
    with pytest.raises(PermissionDenied, match="may not set followup ladder"):
        Followups(cora).set_ladder(Ladder.parse(["request_partner:3"]))
    assert events(cora, rid, "followup_done") == []
    assert "followup_done" in audit_actions(cora, rid)  # the refusal, outcome denied
    # Triage staff and managers may read the list.
    assert ids(Followups(sign_in_as("mona")).due(WEDNESDAY)) == [rid]


def test_changing_the_ladder_moves_open_follow_ups_from_then_on(sign_in_as, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    done = log_referral(cora, family_name="Kim")
    Followups(cora).complete(done, "called")
    admin = Followups(sign_in_as("admin"))
    assert admin.set_ladder(Ladder.parse(["request_partner:3", "escalate_lead:1"])) == 2
    assert str(admin.ladder().steps[0]) == "request_partner:3"
    followups = Followups(cora)
    assert followups.due(WEDNESDAY) == []
    # Received Monday + 3 business days: Thursday. The one already chased once is at the
    # escalation, 1 business day after today.
    rows = followups.due(THURSDAY)
    assert [(r.referral_id, r.step, r.action) for r in rows] == [
        (rid, 1, "request_partner"),
        (done, 2, "escalate_lead"),
    ]
    # New referrals follow the new ladder too.
    later = log_referral(cora, received_at=chicago("2026-11-18T08:00:00"), family_name="Rossi")
    assert later not in ids(followups.due(date(2026, 11, 22)))
    assert later in ids(followups.due(date(2026, 11, 23)))
    with sign_in_as("admin").clinic.session() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.entity_id)).all()
    assert ("set_followup_ladder", "followup_ladder") in actions


def test_a_closure_added_by_the_administrator_moves_follow_ups(sign_in_as, cora) -> None:  # type: ignore[no-untyped-def]
    from intake_app.services.settings.holidays import add_closure

    rid = log_referral(cora, received_at=chicago("2026-11-18T08:00:00"))
    followups = Followups(cora)
    assert ids(followups.due(THURSDAY)) == [rid]
    add_closure(sign_in_as("admin"), THURSDAY, "staff training")
    # Thursday closed: the first request is due by the end of Friday 20 Nov.
    assert followups.due(THURSDAY) == []
    (row,) = followups.due(date(2026, 11, 20))
    assert row.due_at == chicago("2026-11-21T00:00:00")


def test_migration_0008_gives_open_incomplete_referrals_their_first_step(cora) -> None:  # type: ignore[no-untyped-def]
    """An existing database upgraded to 0008: open referrals missing records get step 1 due
    from their receipt; complete or closed ones get none."""
    from alembic import command
    from sqlalchemy import text

    from intake_app.store.engine import schema_change
    from intake_app.store.schema import _config

    missing = log_referral(cora)
    complete = log_referral(cora, dict.fromkeys(REQUIRED), family_name="Kim")
    closed = log_referral(cora, family_name="Rossi")
    Referrals(cora).close(closed, CloseReason.WITHDRAWN, note="moved away")
    engine = cora.clinic.engine
    with schema_change(engine) as conn:  # foreign keys off for the table rebuilds
        command.downgrade(_config(conn), "0007")
        command.upgrade(_config(conn), "0008")
    with engine.connect() as conn:
        stored = dict(
            (rid, (step, due))
            for rid, step, due in conn.execute(
                text("SELECT id, followup_step, followup_due_at FROM referrals")
            )
        )
    assert stored[missing][0] == 1
    assert stored[missing][1].startswith("2026-11-18 06:00:00")  # end of Tue 17 Nov, in UTC
    assert stored[complete] == (None, None)
    assert stored[closed] == (None, None)
