"""The clinic's holidays: public holidays, closures and public holidays the clinic works."""

from __future__ import annotations

import argparse

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    add_command,
    date_arg,
    out,
    sign_in_from,
    tsv,
)


def register(sub: SubParsers) -> None:
    p = add_command(sub, "holidays", "public holidays and the clinic's own closures")
    h_sub = p.add_subparsers(dest="holidays_command", metavar="ACTION", required=True)
    lst = add_command(h_sub, "list", "the year's holidays, closures and openings")
    lst.add_argument("--year", type=int, help="default: this year")
    lst.set_defaults(handler=cmd_holidays_list)
    add = add_command(h_sub, "add", "close the clinic on a day (administrators)")
    add.add_argument("date", type=date_arg, metavar="DATE")
    add.add_argument("--label", default="", metavar="TEXT")
    add.set_defaults(handler=cmd_holidays_add)
    rem = add_command(
        h_sub,
        "remove",
        "open the clinic on a day: a closure removed, or a public holiday worked (administrators)",
    )
    rem.add_argument("date", type=date_arg, metavar="DATE")
    rem.set_defaults(handler=cmd_holidays_remove)


def cmd_holidays_list(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.settings.holidays import list_holidays

    with sign_in_from(args, secrets) as signed_in:
        clinic = signed_in.clinic
        year = args.year or clinic.calendar.local_date(clinic.now()).year
        days = list_holidays(signed_in, year)
    for d in days:
        state = "closed" if d.closed else "open"
        out(tsv([d.day.isoformat(), f"{d.day:%a}", state, d.kind, d.label, d.changed_by]))
    return EXIT_OK


def cmd_holidays_add(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.settings.holidays import add_closure

    with sign_in_from(args, secrets) as signed_in:
        change = add_closure(signed_in, args.date, args.label)
    out(f"Closed on {args.date} ({change.day.kind}){_moved(change.referrals_updated)}")
    return EXIT_OK


def cmd_holidays_remove(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.settings.holidays import remove_closure

    with sign_in_from(args, secrets) as signed_in:
        change = remove_closure(signed_in, args.date)
    out(f"Open on {args.date} ({change.day.kind}){_moved(change.referrals_updated)}")
    return EXIT_OK


def _moved(count: int) -> str:
    return f"; due times of {count} open referral(s) moved"
