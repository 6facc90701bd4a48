"""Creating a clinic or the demo, starting the GUI, recovery, and the damage check."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from intake_app.cli.common import (
    EXIT_OK,
    EXIT_USER_ERROR,
    STARTED,
    Secrets,
    SubParsers,
    UsageError,
    add_command,
    db_path,
    db_path_from,
    default_db,
    default_demo_db,
    err,
    out,
)


def register(sub: SubParsers) -> None:
    p = add_command(sub, "init", "create a new encrypted clinic database with one administrator")
    p.add_argument("--admin", required=True, help="the administrator's user name")
    p.add_argument("--timezone", default="America/Chicago", help="the clinic's time zone")
    p.add_argument("--holidays", default="US", help="country code for public holidays")
    p.set_defaults(handler=cmd_init)

    p = add_command(sub, "demo", "create a demo database of synthetic referrals")
    p.add_argument("--referrals", type=int, default=2000, help="how many (default 2000)")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=cmd_demo)

    p = add_command(
        sub, "recover", "set a new password with the recovery code (stdin: code, then password)"
    )
    p.set_defaults(handler=cmd_recover)

    p = add_command(
        sub, "check", "check every page of the database for damage (reads, never writes)"
    )
    p.set_defaults(handler=cmd_check)


def cmd_init(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import create_clinic

    db = db_path(args)
    password = secrets.read(f"New password for {args.admin}", confirm=True)
    created = create_clinic(
        db, args.admin, password, timezone=args.timezone, holiday_country=args.holidays
    )
    created.session.close()
    out(f"Created {db}")
    out(f"Key file {db}.keys (keep it with the database; back up both)")
    out("")
    out("Recovery code (shown once; print it and keep it locked away):")
    out(f"  {created.recovery_code}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.demo import create_demo

    db = (args.db or default_demo_db()).expanduser()
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.referrals < 0:
        raise UsageError("--referrals must be 0 or more")
    demo = create_demo(db, args.referrals, args.seed)
    _print_demo(demo.path, demo.users, demo.referrals)
    return EXIT_OK


def _print_demo(path: Path, users: dict[str, str], referrals: int | None) -> None:
    out(f"Demo database: {path}")
    if referrals is not None:
        out(f"Synthetic referrals: {referrals}")
    out("Users (synthetic data only; these passwords are public):")
    for name, password in users.items():
        out(f"  {name:<12} {password}")


def cmd_start(args: argparse.Namespace, secrets: Secrets) -> int:
    """No sub-command: the desktop application (or its offscreen smoke test)."""
    from intake_app.ui.app import run_gui, smoke_test

    explicit = args.db.expanduser() if args.db else None
    if explicit is None and os.environ.get("INTAKE_DB"):
        explicit = db_path_from(os.environ["INTAKE_DB"], "INTAKE_DB")
    if args.smoke_test:
        return smoke_test(explicit, default_demo_db(), STARTED)
    return run_gui(explicit, default_db(), default_demo_db(), demo=args.demo)


def cmd_recover(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import recover

    if not args.user:
        raise UsageError("--user is required")
    code = secrets.read("Recovery code")
    password = secrets.read(f"New password for {args.user}", confirm=True)
    recover(db_path(args), code, args.user, password).close()
    out(f"New password set for {args.user}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.audit_check import check_database

    if not args.user:
        raise UsageError("--user is required")
    password = secrets.read(f"Password for {args.user}")
    result = check_database(db_path(args), args.user, password)
    if result.sound:
        out("Database sound: every page, its structure and its references check out")
        return EXIT_OK
    for problem in result.problems[:20]:
        err(problem)
    err(
        f"error: the database is damaged ({len(result.problems)} problem(s)); "
        "restore it from a backup"
    )
    return EXIT_USER_ERROR
