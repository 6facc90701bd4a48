"""The command line: a front end over the services, scripted by other tools.

Exit status: 0 success, 1 a user's error (one line on standard error), 2 wrong usage.
Output cut short by its reader (`| head`) ends the command quietly with status 1.

Each module here registers one command (or the actions of one) and holds its handlers;
`common` has what they share. Services are imported inside the handlers, so that
`intake-app --help` and the GUI's start do not pay for them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from intake_app import __version__
from intake_app.cli import (
    audit,
    corrections,
    followups,
    holds,
    holidays,
    imports,
    letters,
    referrals,
    reports,
    setup,
    standards,
    steps,
    targets,
    users,
)
from intake_app.cli import triage as triage_cli
from intake_app.cli.common import (
    EXIT_USAGE,
    EXIT_USER_ERROR,
    Secrets,
    UsageError,
    add_command,
    common_options,
    err,
)
from intake_app.cli.setup import cmd_start
from intake_app.domain import DomainError
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.store import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-app", description="Referral Intake for oncology clinics."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo database (created on first use)"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start offscreen on the demo (or --db) database, open one referral, exit",
    )
    common_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    setup.register(sub)
    users.register(sub)
    imports.register(sub)
    reports.register(sub)
    p = add_command(sub, "referral", "list, show, correct and move referrals through their steps")
    ref_sub = p.add_subparsers(dest="referral_command", metavar="ACTION", required=True)
    referrals.register(ref_sub)
    corrections.register(ref_sub)
    steps.register(ref_sub)
    triage_cli.register_steps(ref_sub)
    holds.register(ref_sub)
    letters.register(sub)
    followups.register(sub)
    audit.register(sub)
    targets.register(sub)
    holidays.register(sub)
    triage_cli.register(sub)
    standards.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on wrong usage, 0 on --help
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace, Secrets], int] = getattr(args, "handler", cmd_start)
    secrets = Secrets(args.password_stdin, stdin or sys.stdin)
    try:
        return handler(args, secrets)
    except UsageError as exc:
        err(f"intake-app: {exc}")
        return EXIT_USAGE
    except ValidationFailed as exc:
        for problem in exc.problems:
            err(problem)
        err(f"error: refused, {len(exc.problems)} problem(s); nothing was changed")
        return EXIT_USER_ERROR
    except (ServiceError, StoreError, DomainError) as exc:
        err(f"error: {exc}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        if os.environ.get("INTAKE_DEBUG"):
            raise
        from intake_app.services.audit_check import damage_message

        damaged = damage_message(exc)
        if damaged is not None:
            err(f"error: {damaged}")
            return EXIT_USER_ERROR
        # The message may quote stored values, so only the kind of failure is shown.
        print(
            f"error: unexpected {type(exc).__name__}; run with INTAKE_DEBUG=1 for details",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR


def _reader_went_away() -> int:
    """The reader of standard output closed it (`| head`): stop quietly. Standard output now
    points at the null device, so the interpreter's final flush has nowhere to fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind sys.stdout (tests capture it)
        pass
    return EXIT_USER_ERROR
