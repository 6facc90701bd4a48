"""`referral hold` and `referral resume`: clock stops from the command line."""

from __future__ import annotations

import argparse

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
from intake_app.domain.holds import HoldReason


def register(ref_sub: SubParsers) -> None:
    p = add_command(ref_sub, "hold", "put an open referral on hold (awaiting referrer, patient)")
    p.add_argument("id", type=int)
    p.add_argument(
        "--reason",
        required=True,
        choices=[r.value for r in HoldReason],
        help="awaiting_referrer: more information requested (the due time still runs); "
        "patient_unavailable: the patient asked to wait (the due time moves by the time held)",
    )
    add_at_option(p)
    p.set_defaults(handler=cmd_hold)
    p = add_command(ref_sub, "resume", "take a referral off hold")
    p.add_argument("id", type=int)
    add_at_option(p)
    p.set_defaults(handler=cmd_resume)


def cmd_hold(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        referrals = Referrals(signed_in)
        referrals.hold(args.id, HoldReason(args.reason), at=at_from(args, signed_in))
        state = referrals.get(args.id).summary.state
    say_step(args.id, state, f"on hold, {HoldReason(args.reason).label}")
    return EXIT_OK


def cmd_resume(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        referrals = Referrals(signed_in)
        referrals.resume(args.id, at=at_from(args, signed_in))
        summary = referrals.get(args.id).summary
        tz = signed_in.clinic.calendar.tz
    due = f"{summary.next_due} due by {summary.due_at.astimezone(tz):%Y-%m-%d %H:%M}"
    say_step(args.id, summary.state, "resumed" + (f"; {due}" if summary.due_at else ""))
    return EXIT_OK
