"""Every life-cycle step from the command line: done after the fact with --at, and refused in
one line with nothing changed (no version bump, no event, no audit entry of a change)."""

from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from intake_app.domain.enums import Priority
from intake_app.services.referrals import Referrals
from intake_app.store.models import AuditEntry, Event, ItemReceipt, Referral, User
from tests.conftest import COORDINATOR_PASSWORD, TRIAGE_PASSWORD
from tests.e2e.cli_helpers import Run, run_as
from tests.factories import log_referral

PASSWORDS = {"cora": f"{COORDINATOR_PASSWORD}\n", "tess": f"{TRIAGE_PASSWORD}\n"}
# The factory's referral is received Mon 16 Nov 2026 09:30 in the clinic's zone (Chicago).


@pytest.fixture
def step(capsys, clinic_files):  # type: ignore[no-untyped-def]
    def _step(user: str, *args: object) -> Run:
        return run_as(capsys, clinic_files.db, user, PASSWORDS[user], "referral", *args)

    return _step


@pytest.fixture
def cora(sign_in_as) -> Referrals:  # type: ignore[no-untyped-def]
    return Referrals(sign_in_as("cora"))


def trail(staff: Referrals, rid: int) -> tuple[object, ...]:
    """What a refused step must leave as it was: the row, its events, receipts and audit."""
    with staff.clinic.session() as s:
        row = s.get(Referral, rid)
        assert row is not None
        count = lambda stmt: s.execute(stmt).scalar_one()  # noqa: E731
        return (
            row.row_version,
            row.state,
            row.assigned_to_id,
            count(select(func.count()).select_from(Event).where(Event.referral_id == rid)),
            count(select(func.count()).where(ItemReceipt.referral_id == rid)),
            count(
                select(func.count())
                .select_from(AuditEntry)
                .where(
                    AuditEntry.entity_id == str(rid),
                    AuditEntry.outcome == "ok",
                    AuditEntry.action.not_in(["view_referral", "list_referrals"]),
                )
            ),
        )


def refused(run: Run, message: str) -> None:
    assert run.code == 1, run.out
    assert run.out == ""
    assert run.err.splitlines() == [f"error: {message}"]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_receive_records_several_items_at_a_past_time_or_none(step, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    before = trail(cora, rid)
    run = step("cora", "receive", rid, "pathology_report", "no_such_item")
    refused(run, "item: 'no_such_item' is not on this referral's checklist")
    assert trail(cora, rid) == before  # pathology_report not recorded either
    refused(
        step("cora", "receive", rid, "imaging", "--at", "2026-11-15T08:00"),
        "received_at: is before the referral was received",
    )
    assert trail(cora, rid) == before

    run = step("cora", "receive", rid, "pathology_report", "imaging", "--at", "2026-11-17T10:15")
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        f"Referral {rid}: new (received pathology_report, imaging, at 2026-11-17 10:15 CST)\n"
    )
    checklist = {line.key: line for line in cora.get(rid).checklist}
    at = local("2026-11-17T10:15-06:00")
    assert checklist["pathology_report"].received_at == checklist["imaging"].received_at == at
    assert checklist["pathology_report"].received_by == "cora"
    refused(step("cora", "receive", rid, "imaging"), "item: imaging was already received")


def test_acknowledge_after_the_fact_and_refused_before_receipt(step, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    before = trail(cora, rid)
    refused(
        step("cora", "acknowledge", rid, "--at", "2026-11-16T09:00"),
        "acknowledged_at: is before the referral was received",
    )
    refused(step("tess", "acknowledge", rid), "tess (triage) may not acknowledge")
    assert trail(cora, rid) == before
    run = step("cora", "acknowledge", rid, "--at", "2026-11-16T11:00")
    assert run.out == f"Referral {rid}: new (acknowledged, at 2026-11-16 11:00 CST)\n"
    assert cora.get(rid).acknowledged_at == local("2026-11-16T11:00-06:00")


def test_schedule_then_seen_with_their_times_and_refusals(step, cora, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    before = trail(cora, rid)
    refused(
        step("cora", "schedule", rid, "--appointment", "2026-11-25T09:00"),
        "state: a new referral cannot become scheduled "
        "(allowed: declined, redirected, triaged, withdrawn)",
    )
    assert trail(cora, rid) == before
    Referrals(sign_in_as("tess")).triage(rid, Priority.SOON, at=local("2026-11-17T09:00-06:00"))
    before = trail(cora, rid)
    refused(
        step("tess", "schedule", rid, "--appointment", "2026-11-25T09:00"),
        "tess (triage) may not schedule",
    )
    refused(
        step(
            "cora", "schedule", rid, "--appointment", "2026-11-25T09:00", "--at", "2026-11-16T12:00"
        ),
        "scheduled_at: is before the previous step",
    )
    bad = step("cora", "schedule", rid, "--appointment", "next tuesday")
    assert bad.code == 1 and bad.err.startswith("error: appointment: ")
    assert len(bad.err.splitlines()) == 1
    assert trail(cora, rid) == before

    run = step(
        "cora", "schedule", rid, "--appointment", "2026-11-25T09:00", "--at", "2026-11-17T14:00"
    )
    assert run.out == (
        f"Referral {rid}: scheduled (appointment 2026-11-25 09:00 CST, at 2026-11-17 14:00 CST)\n"
    )
    assert cora.get(rid).appointment_at == local("2026-11-25T09:00-06:00")

    before = trail(cora, rid)
    run = step("cora", "seen", rid, "--at", "2026-11-24T16:00")
    assert run.code == 1 and len(run.err.splitlines()) == 1
    assert run.err.startswith("error: seen_at: the appointment is Wed 25 Nov 2026 09:00, later")
    assert trail(cora, rid) == before
    run = step("cora", "seen", rid, "--at", "2026-11-24T16:00", "--earlier-than-booked")
    assert run.out == (
        f"Referral {rid}: seen (seen earlier than booked, at 2026-11-24 16:00 CST)\n"
    )
    assert cora.get(rid).seen_at == local("2026-11-24T16:00-06:00")


def test_close_and_reopen_with_notes_roles_and_the_life_cycle(step, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    before = trail(cora, rid)
    refused(
        step("cora", "close", rid, "--reason", "declined", "--note", "not for us"),
        "cora (coordinator) may not close declined",
    )
    refused(
        step("tess", "close", rid, "--reason", "declined", "--note", "  "),
        "note: give a note saying why",
    )
    refused(
        step("cora", "reopen", rid, "--note", "by mistake"),
        "state: the referral is new, not closed",
    )
    assert trail(cora, rid) == before

    run = step(
        "tess",
        "close",
        rid,
        "--reason",
        "declined",
        "--note",
        "not for this clinic",
        "--at",
        "2026-11-17T08:30",
    )
    assert run.out == f"Referral {rid}: declined (at 2026-11-17 08:30 CST)\n"
    detail = cora.get(rid)
    assert (detail.close_reason, detail.closed_at) == (
        "not for this clinic",
        local("2026-11-17T08:30-06:00"),
    )
    before = trail(cora, rid)
    refused(
        step("tess", "close", rid, "--reason", "redirected", "--note", "elsewhere"),
        "state: the referral is declined; it must be reopened before it can be redirected",
    )
    refused(
        step("cora", "reopen", rid, "--note", "declined in error", "--at", "2026-11-17T08:00"),
        "reopened_at: is before the previous step",
    )
    assert trail(cora, rid) == before

    run = step("cora", "reopen", rid, "--note", "declined in error", "--at", "2026-11-17T09:00")
    assert run.out == f"Referral {rid}: new (reopened, at 2026-11-17 09:00 CST)\n"
    reopened = [e for e in cora.get(rid).timeline if e.kind == "reopened"]
    assert [(e.reason, e.user) for e in reopened] == [("declined in error", "cora")]


def test_assign_to_a_user_or_none_and_list_mine(step, cora, capsys, clinic_files) -> None:  # type: ignore[no-untyped-def]
    rid, other = log_referral(cora), log_referral(cora, mrn="MRN-1")
    with cora.clinic.write("test_deactivate") as s:
        s.execute(update(User).where(User.name == "mona").values(active=False))
    before = trail(cora, rid)
    refused(
        step("cora", "assign", rid, "--to", "nobody"),
        "assigned_to: there is no user named 'nobody'",
    )
    refused(step("cora", "assign", rid, "--to", "mona"), "assigned_to: user mona is inactive")
    refused(step("cora", "assign", 999, "--to", "tess"), "referral 999 does not exist")
    assert trail(cora, rid) == before
    usage = step("cora", "assign", rid, "--to", "tess", "--none")
    assert usage.code == 2  # one or the other

    run = step("tess", "assign", rid, "--to", "tess", "--at", "2026-11-17T08:05")
    assert run.out == f"Referral {rid}: new (assigned to tess, at 2026-11-17 08:05 CST)\n"
    refused(
        step("cora", "assign", rid, "--to", "tess"),
        f"assigned_to: referral {rid} is already assigned to tess",
    )
    listed = step("tess", "list", "--mine")
    header, *rows, footer = listed.out.splitlines()
    assert header.split("\t")[-2:] == ["assigned", "waited"]
    assert [r.split("\t")[0] for r in rows] == [str(rid)]
    assert rows[0].split("\t")[-2] == "tess"
    assert footer == "1 of 1"
    unassigned = step("tess", "list", "--unassigned").out.splitlines()[1:-1]
    assert [r.split("\t")[0] for r in unassigned] == [str(other)]

    run = step("cora", "assign", rid, "--none")
    assert run.out == f"Referral {rid}: new (unassigned)\n"
    assert step("tess", "list", "--mine").out.splitlines()[-1] == "0 of 0"


def test_a_bad_time_names_the_option(step, cora) -> None:  # type: ignore[no-untyped-def]
    rid = log_referral(cora)
    before = trail(cora, rid)
    run = step("cora", "acknowledge", rid, "--at", "yesterday")
    assert run.code == 1 and len(run.err.splitlines()) == 1
    assert run.err.startswith("error: at: ")
    run = step("cora", "acknowledge", rid, "--at", "2026-11-17")
    assert run.err == "error: at: is a date without a time (YYYY-MM-DDTHH:MM)\n"
    assert trail(cora, rid) == before
