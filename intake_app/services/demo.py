"""A demo clinic: synthetic referrals over the last 180 days, one user per role."""

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from intake_app.domain.checklists import ServiceLine, load_service_lines
from intake_app.domain.enums import Priority, Role, State, Trigger, Urgency
from intake_app.domain.priority import propose_priority
from intake_app.domain.targets import AccessTargets, DayUnit
from intake_app.paths import resource
from intake_app.services.auth import SignedIn, create_clinic, sign_in
from intake_app.services.clinic import Clock, utc_now
from intake_app.services.files import write_private
from intake_app.services.importer import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    parse_csv,
    write_records,
)
from intake_app.services.users import add_user
from intake_app.store.models import Event, ItemReceipt, Partner, Referral, User

DEMO_USERS = {
    "admin": (Role.ADMIN,),
    "coordinator": (Role.COORDINATOR,),
    "triage": (Role.TRIAGE,),
    "manager": (Role.MANAGER,),
}
DEMO_TIMEZONE = "America/Chicago"

PARTNERS = (
    ("Valley Gastroenterology", "Dr. Nguyen"),
    ("Lakeview Gynecology Associates", "Dr. Lee"),
    ("Eastside Community Clinic", "Dr. Kowalski"),
    ("Harbor Neurology Group", "Dr. Dubois"),
    ("Riverside Family Medicine", "Dr. Okafor"),
    ("Northgate Internal Medicine", "Dr. Fernández"),
    ("St. Brendan's Emergency Department", "Dr. Siobhán Kelly"),
    ("Pinecrest Pulmonology", "Dr. Haddad"),
    ("Midtown Primary Care", "Dr. Rossi"),
    ("Cedar Hill Hematology Clinic", "Dr. Tanaka"),
    ("Westbrook Urology", "Dr. Schmidt"),
    ("Oak Park Women's Health", "Dr. Alvarez"),
    ("Summit Dermatology", "Dr. Cohen"),
    ("Bayview Community Health Center", "Dr. Mensah"),
    ("Greenfield Family Practice", "Dr. Nowak"),
)
FAMILY = (
    "Johnson",
    "García",
    "Nguyễn",
    "Smith",
    "Kowalski",
    "O'Brien",
    "Fernández",
    "Müller",
    "Okafor",
    "Patel",
    "Kim",
    "Rossi",
    "Haddad",
    "Andersson",
    "Dubois",
    "Tanaka",
    "Brown",
    "Martínez",
    "Novák",
    "Ahmed",
    "Walker",
    "Lopez",
    "Chen",
    "Ivanova",
    "Murphy",
)
GIVEN = (
    "Maria",
    "José",
    "Siobhán",
    "Hyun",
    "Chidi",
    "Yuki",
    "Anna",
    "James",
    "Fatima",
    "Liam",
    "Zoë",
    "Mateo",
    "Aisha",
    "Noah",
    "Ingrid",
    "Raj",
    "Olga",
    "Kwame",
    "Elena",
    "Thomas",
)
DIAGNOSES = {
    "abnormal_imaging": ("lung nodule 2.1 cm", "liver lesion on CT", "breast mass BI-RADS 5"),
    "abnormal_labs": ("lymphocytosis", "anemia, unexplained", "elevated PSA", "thrombocytosis"),
    "new_biopsy": ("adenocarcinoma of colon", "invasive ductal carcinoma", "DLBCL"),
    "staging_workup": ("NSCLC, staging", "melanoma, staging"),
    "treatment_complication": ("neutropenic fever history", "radiation dermatitis"),
    "recurrence_concern": ("rising CEA after resection", "new bone pain, prior breast cancer"),
    "second_opinion": ("prostate cancer, treatment options", "myeloma, second opinion"),
    "other": ("family history, risk assessment", "suspected lymphoma"),
}
QUESTIONS = (
    "Please evaluate for treatment",
    "Second opinion on staging",
    "Is further work-up needed?",
    "Please advise on management",
    "",
)


def _weighted(rng: random.Random, options: dict[str, float]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes")


def synthetic_rows(
    count: int, seed: int, now: datetime, timezone: str = DEMO_TIMEZONE, days: int = 180
) -> list[dict[str, str]]:
    """Referrals in the import format, with life cycles that follow the clinic's rules."""
    rng = random.Random(seed)
    tz = ZoneInfo(timezone)
    lines: dict[str, ServiceLine] = load_service_lines(resource("service_lines.json"))
    line_weights = {
        "medical_oncology": 0.38,
        "hematology": 0.2,
        "radiation_oncology": 0.12,
        "surgical_oncology": 0.14,
        "survivorship": 0.06,
        "second_opinion": 0.1,
    }
    channel_weights = {
        "fax": 0.4,
        "phone": 0.1,
        "email": 0.12,
        "web_form": 0.1,
        "portal": 0.23,
        "walk_in": 0.05,
    }
    targets = AccessTargets.load(resource("access_targets.json"))
    rows: list[dict[str, str]] = []
    start_day = (now.astimezone(tz) - timedelta(days=days)).date()
    for index in range(count):
        day = start_day + timedelta(days=rng.randrange(days))
        while day.weekday() >= 5 and rng.random() < 0.85:
            day += timedelta(days=1)
        received = datetime.combine(day, time(rng.randint(7, 17), rng.randrange(60)), tzinfo=tz)
        if received >= now - timedelta(hours=1):
            received = now - timedelta(hours=rng.randint(1, 48))
        line = lines[_weighted(rng, line_weights)]
        partner, clinician = rng.choice(PARTNERS)
        trigger = rng.choice(list(DIAGNOSES))
        born = date(rng.randint(1935, 2000), rng.randint(1, 12), rng.randint(1, 28))
        row = {
            "received_at": _iso(received, tz),
            "channel": _weighted(rng, channel_weights),
            "partner": partner,
            "referring_clinician": clinician,
            "family_name": rng.choice(FAMILY),
            "given_name": rng.choice(GIVEN),
            "date_of_birth": born.isoformat(),
            "sex": _weighted(rng, {"female": 0.52, "male": 0.46, "other": 0.01, "unknown": 0.01}),
            "mrn": f"MRN{100000 + index}" if rng.random() < 0.6 else "",
            "service_line": line.key,
            "trigger": trigger,
            "diagnosis": rng.choice(DIAGNOSES[trigger]),
            "clinical_question": rng.choice(QUESTIONS),
            "referrer_urgency": _weighted(rng, {"routine": 0.6, "soon": 0.28, "urgent": 0.12}),
        }
        proposed = propose_priority(Trigger(trigger), Urgency(row["referrer_urgency"])).priority
        row.update(_progress(rng, line, received, now, tz, proposed, targets))
        rows.append(row)
    return rows


def _progress(
    rng: random.Random,
    line: ServiceLine,
    received: datetime,
    now: datetime,
    tz: ZoneInfo,
    proposed: Priority,
    targets: AccessTargets,
) -> dict[str, str]:
    """Documents, acknowledgement and life cycle for one referral, never later than `now`.

    A clinic that mostly meets its targets: each step comes well inside its deadline, a few
    late; records that never arrive end in a withdrawal; old referrals are closed or seen.
    """
    out: dict[str, str] = {}

    def target(measure: str, priority: Priority) -> timedelta:
        # Business days to calendar time, roughly (5 working days a week).
        goal = targets.target(line.key, priority, measure)
        per_day = 7 / 5 if goal.unit is DayUnit.BUSINESS else 1
        return timedelta(days=goal.days * per_day)

    def share(late: float) -> float:
        """Most steps well inside their deadline, `late` of them a little after it."""
        return rng.uniform(1.05, 1.5) if rng.random() < late else rng.uniform(0.1, 0.8)

    def by(moment: datetime) -> datetime | None:
        moment = _office_hours(moment, tz, rng)
        return moment if moment < now else None

    complete_at: datetime | None = received
    # One referral in twenty waits for a required record that never comes.
    required = [item.key for item in line.checklist if item.required]
    never = rng.choice(required) if required and rng.random() < 0.05 else None
    for item in line.checklist:
        if item.key == never:
            at: datetime | None = None
        elif rng.random() < (0.65 if item.required else 0.4):
            at = received
        elif item.required or rng.random() < 0.6:
            at = by(received + target("records_complete", proposed) * share(0.05))
        else:
            at = None
        out[f"item:{item.key}"] = _iso(at, tz) if at else ""
        if item.required:
            complete_at = None if at is None or complete_at is None else max(complete_at, at)
    ack = by(received + target("acknowledge", proposed) * share(0.04))
    out["acknowledged_at"] = _iso(ack, tz) if ack else ""
    if complete_at is None:
        # A required record that never comes: the partner withdraws it after some weeks.
        gave_up = by(received + target("records_complete", proposed) * rng.uniform(1.5, 3.0))
        if never is not None and gave_up is not None:
            out.update(closed_at=_iso(gave_up, tz), close_reason="withdrawn")
        return out
    triaged = by(max(complete_at, received + target("triage", proposed) * share(0.05)))
    if triaged is None:
        return out
    if rng.random() < 0.06:
        out.update(closed_at=_iso(triaged, tz), close_reason=rng.choice(("declined", "redirected")))
        return out
    # Triage mostly agrees with the proposal.
    priority = proposed if rng.random() < 0.8 else rng.choice(list(Priority))
    out.update(triaged_at=_iso(triaged, tz), priority=priority.value)
    scheduled = by(triaged + timedelta(hours=rng.uniform(0.5, 30)))
    if scheduled is None:
        return out
    if rng.random() < 0.03:
        out.update(closed_at=_iso(scheduled, tz), close_reason="withdrawn")
        return out
    appointment = received + target("first_consult", priority) * rng.uniform(0.4, 0.95)
    if rng.random() < 0.05:  # the first free slot is after the target
        appointment = received + target("first_consult", priority) * rng.uniform(1.05, 1.3)
    appointment = max(appointment, scheduled + timedelta(days=1))
    local = appointment.astimezone(tz)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    appointment = local.replace(hour=rng.randint(8, 16), minute=rng.choice((0, 30)))
    out.update(scheduled_at=_iso(scheduled, tz), appointment_at=_iso(appointment, tz))
    if appointment < now:
        if rng.random() < 0.05:
            out.update(closed_at=_iso(appointment, tz), close_reason="no_show")
        else:
            out["seen_at"] = _iso(appointment, tz)
    return out


def _office_hours(moment: datetime, tz: ZoneInfo, rng: random.Random) -> datetime:
    """Staff work weekdays 08:00-17:30: a step due outside them happens the next morning."""
    local = moment.astimezone(tz)
    if local.weekday() < 5 and time(8) <= local.time() <= time(17, 30):
        return moment
    day = local.date() + timedelta(days=1 if local.time() > time(17, 30) else 0)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8, rng.randrange(60)), tzinfo=tz)


def rows_to_csv(rows: list[dict[str, str]]) -> str:
    items = sorted({k for r in rows for k in r if k.startswith("item:")})
    header = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *items]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


@dataclass(frozen=True)
class DemoClinic:
    path: Path
    users: dict[str, str]  # name -> password
    referrals: int
    recovery_code: str


def demo_password(name: str) -> str:
    return f"demo-{name}-pass"


def create_demo(
    db_path: Path, referrals: int = 2000, seed: int = 1, clock: Clock = utc_now
) -> DemoClinic:
    """A new database of synthetic patients. Not for real patient data: its passwords are known."""
    created = create_clinic(
        db_path, "admin", demo_password("admin"), timezone=DEMO_TIMEZONE, clock=clock
    )
    admin = created.session
    try:
        for name, roles in DEMO_USERS.items():
            if name != "admin":
                add_user(admin, name, demo_password(name), list(roles), display_name=name.title())
    finally:
        admin.close()
    coordinator = sign_in(db_path, "coordinator", demo_password("coordinator"), clock=clock)
    try:
        clinic = coordinator.clinic
        rows = synthetic_rows(referrals, seed, clinic.now(), clinic.settings.timezone)
        records = parse_csv(
            rows_to_csv(rows), clinic.service_lines, clinic.calendar.tz, clinic.now()
        )
        result = write_records(coordinator, records, action="demo_referral")
        _assign_some(coordinator)
        _demo_holds(coordinator, seed)
        _chased(coordinator, random.Random(seed))
        _as_it_happened(coordinator)
    finally:
        coordinator.close()
    users = {name: demo_password(name) for name in DEMO_USERS}
    # Beside the database, so the sign-in screen can offer the demo users before unlocking.
    write_private(demo_marker(db_path), json.dumps({"users": users}, indent=1).encode("utf-8"))
    return DemoClinic(db_path, users, result.referrals, created.recovery_code)


def _assign_some(signed_in: SignedIn) -> None:
    """Work in hand, as a coordinator lead hands it out: of the open referrals, some awaiting
    triage go to the triage user, some further on to the coordinator; the rest stay
    unassigned. Through the service, so each is an audited "assigned" event."""
    from intake_app.services.referrals import Referrals

    with signed_in.clinic.session() as session:
        open_rows = session.execute(
            select(Referral.id, Referral.state, Referral.state_changed_at)
            .where(Referral.state.in_([s.value for s in State if s.is_open]))
            .order_by(Referral.id)
        ).all()
    staff, now = Referrals(signed_in), signed_in.clinic.now()
    tz, rng = signed_in.clinic.calendar.tz, random.Random(len(open_rows))
    for index, (referral_id, state, changed_at) in enumerate(open_rows):
        if index % 3 == 2:
            continue
        user = "triage" if state == State.NEW.value else "coordinator"
        at = _office_hours(changed_at + timedelta(minutes=rng.randrange(10, 90)), tz, rng)
        staff.assign(referral_id, user, at=min(at, now))


def _as_it_happened(signed_in: SignedIn) -> None:
    """The imported history as the clinic would have recorded it: each step at its time, and
    triage decisions by the triage user (the coordinator may not triage)."""
    clinic = signed_in.clinic
    with clinic.session() as session, session.begin():
        triage_user = session.execute(select(User.id).where(User.name == "triage")).scalar_one()
        decisions = [State.TRIAGED.value, State.DECLINED.value, State.REDIRECTED.value]
        session.execute(
            update(Event)
            .where(Event.kind == "transition", Event.to_state.in_(decisions))
            .values(user_id=triage_user)
        )
        session.execute(update(Event).values(recorded_at=Event.effective_at))
        session.execute(update(ItemReceipt).values(recorded_at=ItemReceipt.received_at))
        session.execute(update(Referral).values(recorded_at=Referral.received_at))
        # The directory knows each partner's numbers, as a clinic's would after a while.
        for index, partner in enumerate(session.execute(select(Partner)).scalars()):
            partner.phone = partner.phone or f"555-01{index * 2:02d}"
            partner.fax = partner.fax or f"555-01{index * 2 + 1:02d}"


def _demo_holds(signed_in: SignedIn, seed: int) -> None:
    """Some open referrals on hold (awaiting the referrer, the patient asked to wait), and some
    whose patient asked to wait before triage and came back: adjusted access times differ from
    elapsed ones. Through the service, as staff would record them."""
    from intake_app.domain.holds import HoldReason
    from intake_app.services.referrals import Referrals

    clinic, rng = signed_in.clinic, random.Random(seed * 7919 + 11)
    tz, now = clinic.calendar.tz, clinic.now()
    with clinic.session() as session:
        candidates = session.execute(
            select(Referral.id, Referral.state, Referral.received_at, Referral.triaged_at)
            .where(Referral.state.in_([s.value for s in State if s.is_open]))
            .order_by(Referral.id)
        ).all()
    staff = Referrals(signed_in)
    # One new referral in three on hold, alternately awaiting the referrer and the patient.
    reasons = [None, HoldReason.AWAITING_REFERRER, None, None, HoldReason.PATIENT_UNAVAILABLE, None]
    new_seen = 0
    for referral_id, state, received, triaged in candidates:
        if state == State.NEW.value:
            reason = reasons[new_seen % len(reasons)]
            new_seen += 1
            start = _office_hours(received + (now - received) * rng.uniform(0.2, 0.6), tz, rng)
            if reason is not None and start < now:
                staff.hold(referral_id, reason, at=start)
        elif triaged is not None and rng.random() < 0.25:
            waited = triaged - received
            start = _office_hours(received + waited * rng.uniform(0.05, 0.3), tz, rng)
            end = _office_hours(received + waited * rng.uniform(0.5, 0.9), tz, rng)
            if start < end < triaged:
                staff.hold(referral_id, HoldReason.PATIENT_UNAVAILABLE, at=start)
                staff.resume(referral_id, at=end)
    _past_holds(signed_in, rng)


def _past_holds(signed_in: SignedIn, rng: random.Random) -> None:
    """Holds in the imported history (patients who asked to wait before triage), written as
    the events the service would have left: an import file has no column for them."""
    from intake_app.domain.holds import HOLD_ENDED, HOLD_STARTED, HoldReason

    clinic = signed_in.clinic
    tz, reason = clinic.calendar.tz, HoldReason.PATIENT_UNAVAILABLE.value
    with clinic.session() as session, session.begin():
        closed = session.execute(
            select(Referral)
            .where(
                Referral.state.in_([s.value for s in State if not s.is_open]),
                Referral.triaged_at.is_not(None),
            )
            .order_by(Referral.id)
        ).scalars()
        for row in closed:
            if rng.random() >= 0.15:
                continue
            waited = row.triaged_at - row.received_at
            start = _office_hours(row.received_at + waited * rng.uniform(0.05, 0.3), tz, rng)
            end = _office_hours(row.received_at + waited * rng.uniform(0.5, 0.9), tz, rng)
            if not start < end < row.triaged_at:
                continue
            for kind, at in ((HOLD_STARTED, start), (HOLD_ENDED, end)):
                session.add(
                    Event(
                        referral_id=row.id,
                        kind=kind,
                        effective_at=at,
                        recorded_at=at,
                        user_id=signed_in.actor.user_id,
                        detail=reason,
                    )
                )
            row.patient_held_seconds += int((end - start).total_seconds())


def _chased(signed_in: SignedIn, rng: random.Random) -> None:
    """Follow-ups as a coordinator works them: most requests made on their due day, a few
    not yet (overdue now), some referrals on their second request or escalated."""
    from intake_app.services.followups import Followups

    clinic = signed_in.clinic
    followups = Followups(signed_in)
    outcomes = ("faxed", "faxed", "called", "emailed")
    forgotten: set[int] = set()  # the longest overdue stays so, whatever the dice say
    for _ in range(3):  # at most one step per referral per pass, as the days went by
        with clinic.session() as session:
            due = session.execute(
                select(Referral.id, Referral.followup_due_at, Referral.followup_step)
                .where(Referral.followup_due_at < clinic.now())
                .order_by(Referral.followup_due_at, Referral.id)
            ).all()
        if due and not forgotten:
            forgotten.add(due[0][0])
        for referral_id, due_at, step in due:
            if referral_id in forgotten or rng.random() < 0.3:
                continue  # not done yet: overdue now
            # On the afternoon of the due day (it ends at the midnight due_at names).
            at = due_at - timedelta(hours=rng.uniform(7, 9))
            if at >= clinic.now():
                continue
            outcome = "escalated" if step >= 3 else rng.choice(outcomes)
            followups.complete(referral_id, outcome, at=at)


def demo_marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".demo")


def demo_users(db_path: Path) -> dict[str, str]:
    """The public demo users of a demo database; empty for a real clinic's database."""
    try:
        data = json.loads(demo_marker(db_path).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data["users"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
