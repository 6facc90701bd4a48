"""Saving letters to a file: owner-only, recorded with the file or not at all, settled after."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from intake_app.domain.letters import LetterKind
from intake_app.services.errors import NotFound, PermissionDenied, ServiceError
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from intake_app.store.models import PendingLetter
from tests.factories import log_referral

PDF = b"%PDF-1.4 letters\n"


@pytest.fixture
def folder(tmp_path):  # type: ignore[no-untyped-def]
    """Where the letters go (tmp_path also holds the clinic's database)."""
    path = tmp_path / "letters"
    path.mkdir()
    return path


def letter_events(signed_in, rid: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.detail for e in Referrals(signed_in).get(rid).timeline if e.kind == "letter"]


def pending_rows(signed_in) -> list[PendingLetter]:  # type: ignore[no-untyped-def]
    with signed_in.clinic.session() as session:
        return list(session.execute(select(PendingLetter).order_by(PendingLetter.id)).scalars())


def test_saving_writes_an_owner_only_file_and_records_it(sign_in_as, folder, usual_umask) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    out = folder / "ack.pdf"
    out.write_bytes(b"an older letter")
    out.chmod(0o644)
    Letters(cora).save([rid], LetterKind.ACKNOWLEDGEMENT, PDF, out)
    assert out.read_bytes() == PDF
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert letter_events(cora, rid) == ["acknowledgement saved"]
    [row] = pending_rows(cora)
    assert (row.status, row.sha256, row.path) == (
        "recorded",
        hashlib.sha256(PDF).hexdigest(),
        str(out),
    )
    assert sorted(p.name for p in folder.iterdir()) == ["ack.pdf"]


def test_a_save_refused_or_failed_leaves_no_file_and_no_record(sign_in_as, folder) -> None:  # type: ignore[no-untyped-def]
    cora, mona = sign_in_as("cora"), sign_in_as("mona")  # managers send no letters
    rid = log_referral(cora)
    out = folder / "ack.pdf"
    with pytest.raises(PermissionDenied):
        Letters(mona).save([rid], LetterKind.ACKNOWLEDGEMENT, PDF, out)
    with pytest.raises(ServiceError, match=r"out: folder .* does not exist"):
        Letters(cora).save([rid], LetterKind.ACKNOWLEDGEMENT, PDF, folder / "no" / "a.pdf")
    assert pending_rows(cora) == []
    # Recording fails after the file is in place (a referral that does not exist): the file
    # goes again, nothing is recorded, and the note is settled as dropped.
    with pytest.raises(NotFound):
        Letters(cora).save([rid, rid + 1000], LetterKind.ACKNOWLEDGEMENT, PDF, out)
    assert list(folder.iterdir()) == []
    assert letter_events(cora, rid) == []
    assert [r.status for r in pending_rows(cora)] == ["dropped"]


def test_settling_keeps_to_this_workstation_and_to_the_bytes_noted(
    sign_in_as, folder, clock
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora)
    letters = Letters(cora)
    noted_at = clock.now
    mine = letters._note_pending([rid], LetterKind.ACKNOWLEDGEMENT, folder / "a.pdf", "0" * 64)
    (folder / "a.pdf").write_bytes(b"someone else's file at that path")
    elsewhere = folder / "b.pdf"
    elsewhere.write_bytes(PDF)
    with cora.clinic.session() as session, session.begin():
        session.add(
            PendingLetter(
                kind="acknowledgement",
                referral_ids=[rid],
                path=str(elsewhere),
                sha256=hashlib.sha256(PDF).hexdigest(),
                workstation="another-desk",
                user_id=cora.actor.user_id,
                created_at=noted_at,
                status="pending",
            )
        )
    clock.advance(hours=1)
    settled = letters.settle_pending()
    assert [(s.referral_ids, s.recorded) for s in settled] == [((rid,), False)]
    assert (folder / "a.pdf").read_bytes() == b"someone else's file at that path"  # not ours
    assert [(r.id == mine, r.status) for r in pending_rows(cora)] == [
        (True, "dropped"),
        (False, "pending"),  # another desk's file: that desk settles it
    ]
    assert letter_events(cora, rid) == []


def test_a_letter_settled_late_keeps_its_time_and_sender(sign_in_as, folder, clock) -> None:  # type: ignore[no-untyped-def]
    cora, mona = sign_in_as("cora"), sign_in_as("mona")
    rid = log_referral(cora)
    saved_at = clock.now
    out = folder / "a.pdf"
    Letters(cora)._note_pending(
        [rid], LetterKind.ACKNOWLEDGEMENT, out, hashlib.sha256(PDF).hexdigest()
    )
    out.write_bytes(PDF)  # the file went into place; the program stopped before recording
    clock.advance(hours=3)
    [settled] = Letters(mona).settle_pending()  # a manager signs in next: settled all the same
    assert settled.recorded
    detail = Referrals(cora).get(rid)
    assert detail.acknowledged_at == saved_at
    [letter] = [e for e in detail.timeline if e.kind == "letter"]
    assert (letter.user, letter.effective_at, letter.recorded_at) == (
        "cora",
        saved_at,
        saved_at + timedelta(hours=3),
    )
    assert Letters(mona).settle_pending() == []
