"""The triage queue (`intake-app triage queue`) and the triage decisions on one referral
(`intake-app referral triage|redirect|decline`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    add_at_option,
    add_command,
    at_from,
    out,
    say_step,
    sign_in_from,
    tsv,
    write_atomically,
)
from intake_app.domain.enums import Priority
from intake_app.services.errors import ServiceError, ValidationFailed


def register(sub: SubParsers) -> None:
    """`triage queue`, a command of its own."""
    p = add_command(sub, "triage", "the triage queue: referrals awaiting a triage decision")
    triage_sub = p.add_subparsers(dest="triage_command", metavar="ACTION", required=True)
    q = add_command(triage_sub, "queue", "referrals awaiting triage, in the order to decide them")
    q.add_argument("--format", choices=("text", "csv"), default="text")
    q.add_argument("--out", type=Path, help="write to this file (owner-only) instead of printing")
    scope = q.add_mutually_exclusive_group()
    scope.add_argument("--mine", action="store_true", help="only those assigned to me")
    scope.add_argument("--unassigned", action="store_true", help="only those nobody works yet")
    q.set_defaults(handler=cmd_triage_queue)


def register_steps(ref_sub: SubParsers) -> None:
    """`referral triage`, `referral redirect` and `referral decline`, under `referral`."""
    t = add_command(ref_sub, "triage", "accept a referral with its final priority")
    t.add_argument("id", type=int)
    t.add_argument("--priority", required=True, choices=[p.value for p in Priority])
    t.add_argument("--reason", default="", help="needed when it differs from the proposal")
    add_at_option(t)
    t.set_defaults(handler=cmd_referral_triage)
    r = add_command(ref_sub, "redirect", "redirect to another of our service lines, or outside")
    r.add_argument("id", type=int)
    r.add_argument(
        "--to",
        required=True,
        metavar="LINE",
        help="one of our service lines (stays awaiting triage there), or 'outside'",
    )
    r.add_argument("--reason", required=True)
    add_at_option(r)
    r.set_defaults(handler=cmd_referral_redirect)
    d = add_command(ref_sub, "decline", "decline a referral, with a reason")
    d.add_argument("id", type=int)
    d.add_argument("--reason", required=True)
    add_at_option(d)
    d.set_defaults(handler=cmd_referral_decline)


OUTSIDE = "outside"


@contextmanager
def _one_line() -> Iterator[None]:
    """A refused step is one line naming the problem (field problems joined)."""
    try:
        yield
    except ValidationFailed as exc:
        raise ServiceError(str(exc)) from None


def cmd_triage_queue(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.rendering.triage_csv import queue_csv
    from intake_app.services.referrals import QueueScope, Referrals
    from intake_app.services.referrals.triage import QUEUE_CSV_COLUMNS

    scope = QueueScope.ALL
    if args.mine:
        scope = QueueScope.MINE
    elif args.unassigned:
        scope = QueueScope.UNASSIGNED
    with sign_in_from(args, secrets) as signed_in:
        rows = Referrals(signed_in).triage_queue(scope)
        tz = signed_in.clinic.calendar.tz
        now = signed_in.clinic.now()
    if args.format == "csv":
        payload = queue_csv(QUEUE_CSV_COLUMNS, (r.csv_cells(tz) for r in rows))
        if args.out:
            write_atomically(args.out.expanduser(), payload)
            out(f"{len(rows)} referrals written to {args.out}")
        else:
            for line in payload.decode("utf-8").removesuffix("\n").split("\n"):
                out(line)
        return EXIT_OK
    header = ("id", "patient", "service_line", "proposed", "why", "missing", "waiting", "due")
    lines = [tsv((*header, "hold", "assigned_to"))]
    for r in rows:
        # Deadlines are the midnight that ends the due day: name that day.
        due_day = (r.triage_due_at - timedelta(microseconds=1)).astimezone(tz)
        hold = ""
        if r.hold_reason:
            since = f" since {r.held_since.astimezone(tz):%Y-%m-%d}" if r.held_since else ""
            hold = f"{r.hold_reason}{since}"
        lines.append(
            tsv(
                (
                    r.id,
                    f"{r.family_name}, {r.given_name}",
                    r.service_line,
                    r.proposed_priority,
                    "; ".join(r.proposal_reasons),
                    "; ".join(r.missing_items) or "complete",
                    _waited(r.waiting.total_seconds()),
                    f"{r.due_status.replace('_', ' ')} (by end of {due_day:%Y-%m-%d})",
                    hold,
                    r.assigned_to or "",
                )
            )
        )
    lines.append(f"{len(rows)} awaiting triage at {now.astimezone(tz):%Y-%m-%d %H:%M}")
    text = "\n".join(lines) + "\n"
    if args.out:
        write_atomically(args.out.expanduser(), text.encode("utf-8"))
        out(f"{len(rows)} referrals written to {args.out}")
    else:
        for line in lines:
            out(line)
    return EXIT_OK


def _waited(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    return f"{days}d {rest // 3600}h" if days else f"{rest // 3600}h {rest % 3600 // 60}m"


def _step(args: argparse.Namespace, secrets: Secrets, act: Callable[[object, object], str]) -> int:
    """Sign in, take the step, print the referral's id and its state now."""
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in, _one_line():
        referrals = Referrals(signed_in)
        detail = act(referrals, at_from(args, signed_in))
        # The step itself was audited; reading back its outcome is part of it.
        state = referrals.read_unaudited(args.id).summary.state
    say_step(args.id, state, detail)
    return EXIT_OK


def cmd_referral_triage(args: argparse.Namespace, secrets: Secrets) -> int:
    priority = Priority(args.priority)

    def act(referrals, at) -> str:  # type: ignore[no-untyped-def]
        referrals.triage(args.id, priority, at=at, reason=args.reason)
        return f"priority {priority.value}"

    return _step(args, secrets, act)


def cmd_referral_redirect(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.enums import CloseReason

    def act(referrals, at) -> str:  # type: ignore[no-untyped-def]
        if args.to == OUTSIDE:
            referrals.close(args.id, CloseReason.REDIRECTED, args.reason, at=at)
            return "redirected outside the clinic"
        referrals.redirect_internally(args.id, args.to, args.reason, at=at)
        return f"now on {args.to}, awaiting triage"

    return _step(args, secrets, act)


def cmd_referral_decline(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.enums import CloseReason

    def act(referrals, at) -> str:  # type: ignore[no-untyped-def]
        referrals.close(args.id, CloseReason.DECLINED, args.reason, at=at)
        return ""

    return _step(args, secrets, act)
