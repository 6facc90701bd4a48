"""Letters read due times through due_state: no promise while held, later after a patient's wait."""

from datetime import timedelta

from intake_app.domain.holds import HoldReason
from intake_app.domain.letters import LetterKind
from intake_app.services.letters import Letters
from intake_app.services.referrals import Referrals
from tests.factories import log_referral
from tests.integration.test_letters_service import text_of


def promise(letters: Letters, rid: int) -> str:
    text = " ".join(text_of(letters.render([rid], LetterKind.ACKNOWLEDGEMENT)).split())
    text = text.replace("\xa0", " ")
    marker = "which we expect to complete by "
    return text[text.index(marker) + len(marker) :][:18] if marker in text else ""


def test_acknowledgement_promise_follows_the_hold(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    rid = log_referral(cora, {"referral_order": None})  # received Monday 16 November, soon
    letters, referrals = Letters(cora), Referrals(cora)
    assert promise(letters, rid).startswith("November 19, 2026")  # 3 business days
    referrals.hold(rid, HoldReason.PATIENT_UNAVAILABLE)
    assert promise(letters, rid) == ""  # suspended: no date to promise
    clock.advance(days=3)
    referrals.resume(rid)
    assert promise(letters, rid).startswith("November 22, 2026")  # moved by the 3 days held


def test_missing_records_batch_leaves_out_a_patient_who_asked_to_wait(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    waiting = log_referral(cora, family_name="Alvarez", mrn="MRN-1")
    asked = log_referral(cora, family_name="Brown", mrn="MRN-2")
    plain = log_referral(cora, family_name="Chen", mrn="MRN-3")
    referrals = Referrals(cora)
    referrals.hold(waiting, HoldReason.PATIENT_UNAVAILABLE, at=clock() - timedelta(hours=1))
    referrals.hold(asked, HoldReason.AWAITING_REFERRER, at=clock() - timedelta(hours=1))
    assert Letters(cora).missing_records_older_than(2) == [asked, plain]
