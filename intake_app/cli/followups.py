"""Follow-ups of missing records: what is due to chase, recording one done, the ladder."""

from __future__ import annotations

import argparse
from pathlib import Path

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    UsageError,
    add_at_option,
    add_command,
    at_from,
    date_arg,
    out,
    sign_in_from,
    tsv,
    write_atomically,
)
from intake_app.domain.followups import OUTCOMES


def register(sub: SubParsers) -> None:
    p = add_command(sub, "followups", "follow-ups of missing records: due, done, the ladder")
    f_sub = p.add_subparsers(dest="followups_command", metavar="ACTION", required=True)
    due = add_command(f_sub, "due", "follow-ups due by the end of a day, overdue included")
    due.add_argument("--date", type=date_arg, help="the day, YYYY-MM-DD (default: today)")
    due.add_argument("--format", choices=["text", "csv"], default="text")
    due.add_argument("--out", type=Path, help="write to this file (owner-only) instead")
    due.set_defaults(handler=cmd_due)
    done = add_command(f_sub, "done", "record the follow-up due on a referral as done")
    done.add_argument("id", type=int)
    done.add_argument("--outcome", required=True, choices=list(OUTCOMES))
    done.add_argument("--note", default="", help="what was said or sent (short)")
    add_at_option(done)
    done.set_defaults(handler=cmd_done)
    ladder = add_command(f_sub, "ladder", "the follow-up ladder (a clinic setting)")
    l_sub = ladder.add_subparsers(dest="ladder_command", metavar="ACTION", required=True)
    add_command(l_sub, "show", "the steps of the ladder").set_defaults(handler=cmd_ladder_show)
    set_ = add_command(l_sub, "set", "replace the ladder (administrators)")
    set_.add_argument(
        "steps",
        nargs="+",
        metavar="ACTION:DAYS",
        help="request_partner or escalate_lead, and business days after receipt (step 1) or "
        "after the previous step was done, e.g. request_partner:1 request_partner:2 "
        "escalate_lead:2",
    )
    set_.set_defaults(handler=cmd_ladder_set)


def cmd_due(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.rendering.followups_csv import FollowupLine, followups_csv
    from intake_app.services.followups import Followups

    if args.out is not None and args.format != "csv":
        raise UsageError("--out is for --format csv")
    with sign_in_from(args, secrets) as signed_in:
        rows = Followups(signed_in).due(args.date, identified=False)
    if args.format == "csv":
        payload = followups_csv(
            FollowupLine(r.referral_id, r.step, r.due_at, r.partner, r.missing_items) for r in rows
        )
        if args.out is None:
            for line in payload.decode("utf-8").splitlines():
                out(line)
        else:
            write_atomically(args.out, payload)
            out(f"Wrote {len(rows)} follow-ups to {args.out}")
        return EXIT_OK
    if not rows:
        out("No follow-ups due")
        return EXIT_OK
    out(tsv(("id", "step", "action", "due", "status", "partner", "phone", "fax", "missing")))
    for r in rows:
        out(
            tsv(
                (
                    r.referral_id,
                    r.step,
                    r.action,
                    r.due_at.isoformat(timespec="minutes"),
                    r.due_status,
                    r.partner,
                    r.phone,
                    r.fax,
                    "; ".join(r.missing_items),
                )
            )
        )
    return EXIT_OK


def cmd_done(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.followups import Followups

    with sign_in_from(args, secrets) as signed_in:
        followups = Followups(signed_in)
        step = followups.complete(args.id, args.outcome, args.note, at_from(args, signed_in))
    out(f"Referral {args.id}: follow-up step {step} done ({args.outcome})")
    return EXIT_OK


def cmd_ladder_show(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.followups import Followups

    with sign_in_from(args, secrets) as signed_in:
        ladder = Followups(signed_in).ladder()
    for line in ladder.describe():
        out(line)
    out("as set: " + " ".join(str(s) for s in ladder.steps))
    return EXIT_OK


def cmd_ladder_set(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.followups import Ladder
    from intake_app.services.followups import Followups

    ladder = Ladder.parse(args.steps)  # before signing in: a typo costs no password
    with sign_in_from(args, secrets) as signed_in:
        moved = Followups(signed_in).set_ladder(ladder)
    for line in ladder.describe():
        out(line)
    out(f"Ladder set; {moved} open referral(s) have a new follow-up due time")
    return EXIT_OK
