"""Seven referrals whose every report figure is worked out by hand (test_reporting_figures).

All medical oncology, clinic time America/Chicago (CST, UTC-6 after 1 November 2026), US
holidays: Wednesday 11 November (Veterans Day) and Thursday 26 November (Thanksgiving) are
not business days. The period is Monday 2 to Friday 13 November 2026. Everything is logged
through the services, in time order, with the clock on 1 December.

    id  partner      channel   received          sent on  items at receipt       priority
    R1  Valley       fax       Mon  2 Nov 09:00  30 Oct   all                    urgent
    R2  Riverside    portal    Thu  5 Nov 16:00  -        all but imaging        soon
    R3  Valley       fax       Tue 10 Nov 08:00  9 Nov    all but imaging and    -
                                                          pathology (never come)
    R4  Northside    phone     Wed  4 Nov 09:00  4 Nov    all                    routine
    R5  Northside    email     Fri  6 Nov 10:00  -        all                    -
    R6  Riverside    fax       Mon  9 Nov 09:00  6 Nov    all                    soon
    R7  Valley       web_form  Thu 12 Nov 09:00  10 Nov   all                    urgent
    R8  Valley       fax       Sat 14 Nov 00:30  -        all         (outside the period)

Steps (hours from receipt in brackets):
    R1  ack 13:00 (4); triaged Tue 3 09:00 (24); scheduled, seen Mon 16 Nov 09:00 (336,
        the 14th calendar day: a standard's boundary); consult-completed letter sent.
    R2  imaging Mon 9 10:00 (records complete 90); ack Mon 9 10:00 (90); triaged Wed 11
        12:00 (140); on hold patient_unavailable Wed 11 13:00 to Sun 15 13:00 (96 h);
        scheduled Mon 16; seen Mon 23 09:00 (425; adjusted 425 - 96 = 329). No letter.
    R3  ack 08:30 (0.5); on hold awaiting_referrer from 09:00, still on hold (not
        subtracted: only patient-unavailable time is). Open, new, untriaged.
    R4  ack 09:30 (0.5); triaged 10:00 (1); closed redirected from triaged.
    R5  never acknowledged; closed withdrawn from new at 11:00. Untriaged.
    R6  ack at receipt (0); on hold patient_unavailable Mon 9 12:00 to Tue 10 08:00 (20 h);
        triaged Tue 10 09:00 (24; adjusted 4); scheduled; no-show Thu 12; reopened (open
        again, scheduled).
    R7  ack 10:00 (1); triaged Fri 13 09:00 (24); scheduled; seen Fri 20 Nov 09:00 (192).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from intake_app.domain.enums import Channel, CloseReason, Priority, Trigger, Urgency
from intake_app.domain.holds import HoldReason
from intake_app.services.referrals import Referrals
from tests.factories import log_referral

START, END = date(2026, 11, 2), date(2026, 11, 13)
NAMES = ("Alvarez", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "García", "Hughes")
MRNS = tuple(f"MRN-70{i}" for i in range(1, 9))
BIRTHS = tuple(date(1950 + i, 1 + i, 10 + i) for i in range(8))


def at(text: str) -> datetime:
    """A clinic-time moment in November 2026 (CST), e.g. at("2 09:00")."""
    day, clock = text.split()
    return datetime.fromisoformat(f"2026-11-{int(day):02d}T{clock}:00-06:00")


@dataclass(frozen=True)
class Fixture:
    ids: dict[str, int]  # "R1" -> referral id


def build(staff, record_consult_letter) -> Fixture:  # type: ignore[no-untyped-def]
    """`staff`: signed in with coordinator and triage rights; `record_consult_letter(ids)`
    records the consult-completed letter the way the letters service does."""
    line = staff.clinic.service_lines["medical_oncology"]
    required = [i.key for i in line.checklist if i.required]
    ids: dict[str, int] = {}

    def log(n: int, partner: str, channel: Channel, received: str, urgency: Urgency, **kw):  # type: ignore[no-untyped-def]
        missing = kw.pop("missing", ())
        ids[f"R{n}"] = log_referral(
            staff,
            {k: None for k in required if k not in missing},
            received_at=at(received),
            partner=partner,
            channel=channel,
            family_name=NAMES[n - 1],
            given_name="Test",
            mrn=MRNS[n - 1],
            date_of_birth=BIRTHS[n - 1],
            trigger=Trigger.OTHER,
            referrer_urgency=urgency,
            **kw,
        )
        return ids[f"R{n}"]

    r = Referrals(staff)
    valley, riverside, northside = (
        "Valley Gastroenterology",
        "Riverside Family Medicine",
        "Northside Clinic",
    )

    r1 = log(1, valley, Channel.FAX, "2 09:00", Urgency.URGENT, partner_sent_on=date(2026, 10, 30))
    r.acknowledge(r1, at("2 13:00"))
    r.triage(r1, Priority.URGENT, at("3 09:00"))
    r.schedule(r1, at("16 09:00"), at("3 10:00"))
    r4 = log(
        4, northside, Channel.PHONE, "4 09:00", Urgency.ROUTINE, partner_sent_on=date(2026, 11, 4)
    )
    r.acknowledge(r4, at("4 09:30"))
    r.triage(r4, Priority.ROUTINE, at("4 10:00"))
    r.close(r4, CloseReason.REDIRECTED, "sent to the regional centre", at("4 11:00"))
    r2 = log(2, riverside, Channel.PORTAL, "5 16:00", Urgency.SOON, missing=("imaging",))
    r5 = log(5, northside, Channel.EMAIL, "6 10:00", Urgency.ROUTINE)
    r.close(r5, CloseReason.WITHDRAWN, "patient chose another clinic", at("6 11:00"))
    r6 = log(6, riverside, Channel.FAX, "9 09:00", Urgency.SOON, partner_sent_on=date(2026, 11, 6))
    r.acknowledge(r6, at("9 09:00"))
    r.receive_item(r2, "imaging", at("9 10:00"))
    r.acknowledge(r2, at("9 10:00"))
    hold(r, r6, "patient_unavailable", at("9 12:00"), at("10 08:00"))
    r3 = log(
        3,
        valley,
        Channel.FAX,
        "10 08:00",
        Urgency.ROUTINE,
        partner_sent_on=date(2026, 11, 9),
        missing=("imaging", "pathology_report"),
    )
    r.acknowledge(r3, at("10 08:30"))
    hold(r, r3, "awaiting_referrer", at("10 09:00"), None)
    r.triage(r6, Priority.SOON, at("10 09:00"))
    r.schedule(r6, at("12 09:00"), at("10 10:00"))
    r.triage(r2, Priority.SOON, at("11 12:00"))
    hold(r, r2, "patient_unavailable", at("11 13:00"), at("15 13:00"))
    r.close(r6, CloseReason.NO_SHOW, "", at("12 09:30"))
    r.reopen(r6, "patient called: the letter went astray", at("12 12:00"))
    r7 = log(
        7, valley, Channel.WEB_FORM, "12 09:00", Urgency.URGENT, partner_sent_on=date(2026, 11, 10)
    )
    r.acknowledge(r7, at("12 10:00"))
    r.triage(r7, Priority.URGENT, at("13 09:00"))
    r.schedule(r7, at("20 09:00"), at("13 10:00"))
    log(8, valley, Channel.FAX, "14 00:30", Urgency.ROUTINE)
    r.mark_seen(r1, at("16 09:00"))
    r.schedule(r2, at("23 09:00"), at("16 09:00"))
    r.mark_seen(r7, at("20 09:00"))
    r.mark_seen(r2, at("23 09:00"))
    record_consult_letter([r1])
    return Fixture(ids)


def hold(referrals, referral_id, reason, start, end) -> None:  # type: ignore[no-untyped-def]
    """A hold from `start` to `end` (None: still on hold), through the holds service."""
    referrals.hold(referral_id, HoldReason(reason), start)
    if end is not None:
        referrals.resume(referral_id, end)


CLOCK = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
