"""Life-cycle steps from the command line: receive, acknowledge, schedule, seen, close,
reopen, assign.

Each calls the service method the referral view calls, so permissions and validation are
the screens'. Each takes --at for a step entered after the fact and prints one line,
`Referral N: <state now> (what changed)`; a refused step prints one line on standard error,
exits 1 and changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    add_at_option,
    add_command,
    at_from,
    say_step,
    sign_in_from,
)
from intake_app.domain.enums import CloseReason
from intake_app.services.errors import ServiceError

if TYPE_CHECKING:
    from intake_app.services.auth import SignedIn
    from intake_app.services.referrals import Referrals

# What one step does once signed in: the service call; returns the words for what changed.
Step = Callable[["Referrals", argparse.Namespace, "datetime | None"], str]


def register(ref_sub: SubParsers) -> None:
    """`referral receive|acknowledge|schedule|seen|close|reopen|assign`."""
    p = _add(ref_sub, "receive", "record checklist items received", _receive)
    p.add_argument("items", nargs="+", metavar="ITEM_KEY", help="e.g. pathology_report")
    _add(ref_sub, "acknowledge", "record that the referral was acknowledged", _acknowledge)
    p = _add(ref_sub, "schedule", "book (or rebook) the first consult", _schedule)
    p.add_argument("--appointment", required=True, metavar="TIME", help="ISO 8601, clinic time")
    p = _add(ref_sub, "seen", "record that the patient was seen at the first consult", _seen)
    p.add_argument(
        "--earlier-than-booked",
        action="store_true",
        help="the patient was seen before the booked time (--at gives when)",
    )
    p = _add(
        ref_sub, "close", "close the referral: declined, redirected, withdrawn, no-show", _close
    )
    p.add_argument("--reason", required=True, choices=[r.value for r in CloseReason])
    p.add_argument("--note", required=True, help="why (shown on the timeline)")
    p = _add(ref_sub, "reopen", "reopen a closed referral (it returns to where it was)", _reopen)
    p.add_argument("--note", required=True, help="why (shown on the timeline)")
    p = _add(ref_sub, "assign", "give the referral to a user to work, or to nobody", _assign)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--to", metavar="USER", help="user name (your own: assign to me)")
    who.add_argument("--none", action="store_true", help="unassign")


def _add(sub: SubParsers, name: str, help_text: str, step: Step) -> argparse.ArgumentParser:
    p = add_command(sub, name, help_text)
    p.add_argument("id", type=int, help="the referral's number")
    add_at_option(p)
    p.add_argument(
        "--expected-version",
        type=int,
        help="refuse if the referral is no longer at this version (see `referral show`)",
    )
    p.set_defaults(handler=lambda args, secrets: _run(args, secrets, step))
    return p


def _run(args: argparse.Namespace, secrets: Secrets, step: Step) -> int:
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        at = at_from(args, signed_in)
        staff = Referrals(signed_in)
        changed = step(staff, args, at)
        state = staff.state_of(args.id)
        if at is not None:
            changed = ", ".join(x for x in (changed, f"at {_when(signed_in, at)}") if x)
    say_step(args.id, state.value, changed)
    return EXIT_OK


def _when(signed_in: SignedIn, moment: datetime) -> str:
    return f"{moment.astimezone(signed_in.clinic.calendar.tz):%Y-%m-%d %H:%M %Z}"


def _note(args: argparse.Namespace) -> str:
    note = str(args.note).strip()
    if not note:
        raise ServiceError("note: give a note saying why")
    return note


def _receive(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    staff.receive_items(args.id, list(args.items), at=at, expected_version=args.expected_version)
    return "received " + ", ".join(args.items)


def _acknowledge(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    staff.acknowledge(args.id, at=at, expected_version=args.expected_version)
    return "acknowledged"


def _schedule(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    from intake_app.domain.intake import parse_time

    appointment = parse_time(args.appointment, staff.clinic.calendar.tz, "appointment")
    staff.schedule(args.id, appointment, at=at, expected_version=args.expected_version)
    return f"appointment {appointment.astimezone(staff.clinic.calendar.tz):%Y-%m-%d %H:%M %Z}"


def _seen(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    staff.mark_seen(
        args.id,
        at=at,
        expected_version=args.expected_version,
        seen_earlier_than_booked=args.earlier_than_booked,
    )
    return "seen earlier than booked" if args.earlier_than_booked else ""


def _close(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    staff.close(
        args.id,
        CloseReason(args.reason),
        _note(args),
        at=at,
        expected_version=args.expected_version,
    )
    return ""


def _reopen(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    staff.reopen(args.id, _note(args), at=at, expected_version=args.expected_version)
    return "reopened"


def _assign(staff: Referrals, args: argparse.Namespace, at: datetime | None) -> str:
    user = None if args.none else args.to
    done = staff.assign(args.id, user, at=at, expected_version=args.expected_version)
    return f"assigned to {done.assigned_to}" if done.assigned_to else "unassigned"
