"""Reports as files, for scheduled weekly runs: CSV, XLSX or PDF, de-identified by default.

Each `report` command computes the same document the dashboard shows (`build_report`) and
exports it (`services.reporting.exports`). `--identified --group VALUE` exports the referrals
behind one group instead, with names: refused without the identified-export permission.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    UsageError,
    add_command,
    date_arg,
    out,
    sign_in_from,
)

# Command name -> the report kind of `build_report`, and what the command's help says.
REPORTS = {
    "access-times": ("access_times", "access times by group: count, median, p90, within target"),
    "funnel": ("funnel", "the conversion funnel: where referrals stop or close, how many open"),
    "partners": ("partners", "the partner scorecard: completeness, missing items, loop closed"),
    "lag": ("lag", "days from the partner's sent date to the day a referral was logged"),
    "standards": ("standards", "the clinic's standards: the share that met each, beside it"),
    "volume": ("volume", "referrals received and their completeness, by week or month"),
    "weekly-review": ("weekly_review", "every table of the weekly review in one file"),
}
GROUPINGS = ("service_line", "partner", "channel", "priority", "week", "month")
FORMATS = ("csv", "xlsx", "pdf")


def register(sub: SubParsers) -> None:
    p = add_command(sub, "report", "run a report, de-identified unless --identified")
    rep_sub = p.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    for name, (kind, help_text) in REPORTS.items():
        one = add_command(rep_sub, name, help_text)
        one.add_argument("--from", dest="start", required=True, type=date_arg)
        one.add_argument("--to", dest="end", required=True, type=date_arg)
        one.add_argument("--by", choices=GROUPINGS, help="break the figures down by this")
        one.add_argument(
            "--held",
            choices=["elapsed", "adjusted"],
            default="elapsed",
            help="hours as the real wait (elapsed), or with patient-unavailable holds "
            "subtracted (adjusted); within target is judged on the adjusted clock either way",
        )
        one.add_argument("--format", choices=FORMATS, default="csv")
        one.add_argument(
            "--out",
            type=Path,
            required=True,
            help="a file, or a folder for files with default names (report, period)",
        )
        one.add_argument("--table", help="only this table (CSV: one file per table otherwise)")
        one.add_argument(
            "--identified",
            action="store_true",
            help="the referrals behind --group, with patient names (needs the permission)",
        )
        one.add_argument("--group", metavar="VALUE", help="with --identified: the group's name")
        one.set_defaults(handler=cmd_report, report=kind)


def cmd_report(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.reporting import build_report, referrals_behind
    from intake_app.services.reporting.exports import export

    if args.group is not None and not args.identified:
        raise UsageError("--group is for --identified exports")
    if args.identified and args.group is None:
        raise UsageError("--identified needs --group VALUE (the group's name, or 'all')")
    with sign_in_from(args, secrets) as signed_in:
        if args.identified:
            behind = referrals_behind(
                signed_in, args.report, args.start, args.end, args.by, args.group, identified=True
            )
            document = behind.document
            assert document is not None  # identified=True always names them
        else:
            document = build_report(
                signed_in, args.report, args.start, args.end, by=args.by, held=args.held
            )
        written = export(signed_in, document, args.format, args.out, table=args.table)
    for path in written:
        out(f"Wrote {path}")
    return EXIT_OK
