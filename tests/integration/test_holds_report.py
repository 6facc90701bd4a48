"""Access times elapsed and adjusted on a hand-computed fixture, held through the services."""

from datetime import date, datetime

import pytest

from intake_app.domain.enums import Priority
from intake_app.domain.holds import HoldReason
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.referrals import Referrals
from intake_app.services.reports import access_times
from tests.factories import log_referral

PU = HoldReason.PATIENT_UNAVAILABLE
AR = HoldReason.AWAITING_REFERRER


def t(day: int, hour: int) -> datetime:
    return datetime.fromisoformat(f"2026-11-{day:02d}T{hour:02d}:00:00-06:00")


@pytest.fixture
def held_clinic(sign_in_as):  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    staff, triage = Referrals(cora), Referrals(tess)
    received = t(2, 9)  # Monday 2 November
    # R1: two patient-unavailable holds (36 h, 12 h) and an awaiting-referrer one (24 h,
    # not subtracted). Acknowledged after 72 h (36 h adjusted), triaged after 192 h (144 h).
    r1 = log_referral(cora, received_at=received, mrn="MRN-1")
    staff.hold(r1, PU, at=t(3, 9))
    staff.resume(r1, at=t(4, 21))
    staff.acknowledge(r1, at=t(5, 9))
    triage.hold(r1, AR, at=t(5, 10))
    triage.resume(r1, at=t(6, 10))
    staff.hold(r1, PU, at=t(9, 9))
    staff.resume(r1, at=t(9, 21))
    triage.triage(r1, Priority.ROUTINE, at=t(10, 9))
    # R2: held from receipt and still held when acknowledged after 24 h: 0 h adjusted.
    r2 = log_referral(cora, received_at=received, family_name="Okafor", mrn="MRN-2")
    staff.hold(r2, PU, at=received)
    staff.acknowledge(r2, at=t(3, 9))
    triage.triage(r2, Priority.ROUTINE, at=t(3, 10))
    # R3: never held, acknowledged after 72 h.
    r3 = log_referral(cora, received_at=received, family_name="Chen", mrn="MRN-3")
    staff.acknowledge(r3, at=t(5, 9))
    triage.triage(r3, Priority.ROUTINE, at=t(3, 10))
    return sign_in_as("mona")


def figures(signed_in: SignedIn, held: str) -> dict[str, tuple[object, ...]]:
    rows = access_times(signed_in, date(2026, 11, 1), date(2026, 11, 10), held=held)
    return {
        r.summary.measure: (
            r.summary.count,
            r.summary.median_hours,
            r.summary.p90_hours,
            r.summary.within_target_share,
        )
        for r in rows
    }


def test_elapsed_and_adjusted_by_hand(held_clinic) -> None:  # type: ignore[no-untyped-def]
    # Routine targets: acknowledge by the end of Wed 4 Nov, triage by the end of Mon 9 Nov.
    # R1 and R3 acknowledged Thu 5 Nov 09:00: R3 late; R1 in time on the adjusted clock
    # (36 h held: Tue 3 Nov 21:00). R1 triaged Tue 10 Nov 09:00, 48 h held: Sun 8 Nov 09:00.
    # Within target is judged on the adjusted clock whichever hours are shown.
    elapsed = figures(held_clinic, "elapsed")
    adjusted = figures(held_clinic, "adjusted")
    # acknowledge: 72, 24, 72 elapsed; 36, 0, 72 adjusted. p90 = second + 0.8 * (third - second).
    assert elapsed["acknowledge"] == (3, 72.0, 72.0, 0.6667)
    assert adjusted["acknowledge"] == (3, 36.0, 64.8, 0.6667)
    # triage: 192, 25, 25 elapsed; 144, 0 (R2 held all 25 h until triaged), 25 adjusted.
    assert elapsed["triage"] == (3, 25.0, 158.6, 1.0)
    assert adjusted["triage"] == (3, 25.0, 120.2, 1.0)
    assert elapsed["first_consult"] == adjusted["first_consult"] == (0, None, None, None)


def test_held_must_name_a_clock(held_clinic) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError, match="held: 'paused' is not one of elapsed, adjusted"):
        access_times(held_clinic, date(2026, 11, 1), date(2026, 11, 10), held="paused")
