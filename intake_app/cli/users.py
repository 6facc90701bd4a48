"""Users: add, list, change one's password."""

from __future__ import annotations

import argparse

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    UsageError,
    add_command,
    cell,
    db_path,
    out,
    sign_in_from,
)
from intake_app.domain.enums import Role


def register(sub: SubParsers) -> None:
    p = add_command(sub, "user", "manage users")
    user_sub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = add_command(user_sub, "add", "add a user (stdin: your password, then theirs)")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name", default="")
    add.set_defaults(handler=cmd_user_add)
    lst = add_command(user_sub, "list", "list users")
    lst.set_defaults(handler=cmd_user_list)
    pw = add_command(user_sub, "password", "change your password (stdin: old, then new)")
    pw.set_defaults(handler=cmd_user_password)


def cmd_user_add(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.users import add_user

    with sign_in_from(args, secrets) as signed_in:
        password = secrets.read(f"Initial password for {args.name}", confirm=True)
        info = add_user(
            signed_in, args.name, password, [Role(r) for r in args.role], args.display_name
        )
    out(f"Added {info.name} ({', '.join(info.roles)})")
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.users import list_users

    with sign_in_from(args, secrets) as signed_in:
        for info in list_users(signed_in):
            state = "" if info.active else " (inactive)"
            out(f"{cell(info.name)}\t{','.join(info.roles)}{state}")
    return EXIT_OK


def cmd_user_password(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import change_password

    if not args.user:
        raise UsageError("--user is required")
    old = secrets.read(f"Current password for {args.user}")
    from intake_app.services.auth import sign_in

    with sign_in(db_path(args), args.user, old) as signed_in:
        new = secrets.read("New password", confirm=True)
        change_password(signed_in, old, new)
    out("Password changed")
    return EXIT_OK
