"""Access targets: show them; an administrator sets one."""

from __future__ import annotations

import argparse
import csv
import sys

from intake_app.cli.common import EXIT_OK, Secrets, SubParsers, add_command, out, sign_in_from
from intake_app.domain.enums import Priority
from intake_app.domain.metrics import MEASURES
from intake_app.domain.targets import ALL_LINES, DayUnit

HEADER = ("service_line", "priority", "measure", "days", "unit", "changed_by", "changed_at")


def register(sub: SubParsers) -> None:
    p = add_command(sub, "targets", "access targets per service line, priority and measure")
    t_sub = p.add_subparsers(dest="targets_command", metavar="ACTION", required=True)
    show = add_command(t_sub, "show", "list every target")
    show.add_argument("--format", choices=["text", "csv"], default="text")
    show.set_defaults(handler=cmd_targets_show)
    st = add_command(
        t_sub,
        "set",
        "set one target (administrators); open referrals' due times follow",
    )
    which = st.add_mutually_exclusive_group(required=True)
    which.add_argument("--service-line", metavar="KEY", help="the target of one service line")
    which.add_argument(
        "--all-lines",
        action="store_true",
        help="the target of every line without one of its own",
    )
    st.add_argument("--priority", required=True, choices=[p.value for p in Priority])
    st.add_argument("--measure", required=True, choices=list(MEASURES))
    st.add_argument("--days", required=True, type=int)
    st.add_argument("--unit", required=True, choices=[u.value for u in DayUnit])
    st.set_defaults(handler=cmd_targets_set)


def line_name(key: str) -> str:
    return "all lines" if key == ALL_LINES else key


def cmd_targets_show(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.rendering.spreadsheet import spreadsheet_row
    from intake_app.services.settings.targets import list_targets

    with sign_in_from(args, secrets) as signed_in:
        rows = list_targets(signed_in)
        tz = signed_in.clinic.calendar.tz
    table = [
        (
            line_name(r.service_line),
            r.priority,
            r.measure,
            str(r.target.days),
            r.target.unit.value,
            r.changed_by,
            r.changed_at.astimezone(tz).isoformat(timespec="seconds") if r.changed_at else "",
        )
        for r in rows
    ]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(spreadsheet_row(row) for row in table)
        return EXIT_OK
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(HEADER[:5])]
    for row in [HEADER[:5], *(r[:5] for r in table)]:
        out(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_OK


def cmd_targets_set(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.settings.targets import set_target

    line = ALL_LINES if args.all_lines else args.service_line
    with sign_in_from(args, secrets) as signed_in:
        change = set_target(
            signed_in,
            service_line=line,
            priority=args.priority,
            measure=args.measure,
            days=args.days,
            unit=args.unit,
        )
    what = f"{line_name(line)} {args.priority} {args.measure}"
    if not change.changed:
        out(f"Unchanged: {what} is {change.after.describe()} already")
        return EXIT_OK
    before = change.before.describe() if change.before else "the all-lines target"
    out(
        f"Set {what}: {before} -> {change.after.describe()}; "
        f"due times of {change.referrals_updated} open referral(s) moved"
    )
    return EXIT_OK
