"""Reports, de-identified, as files."""

from __future__ import annotations

import argparse
from pathlib import Path

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    add_command,
    date_arg,
    out,
    sign_in_from,
    write_atomically,
)


def register(sub: SubParsers) -> None:
    p = add_command(sub, "report", "run a report")
    rep_sub = p.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    acc = add_command(rep_sub, "access-times", "access times by group, de-identified")
    acc.add_argument("--from", dest="start", required=True, type=date_arg)
    acc.add_argument("--to", dest="end", required=True, type=date_arg)
    acc.add_argument("--by", choices=["service_line", "partner", "channel", "priority"])
    acc.add_argument(
        "--held",
        choices=["elapsed", "adjusted"],
        default="elapsed",
        help="hours as the real wait (elapsed), or with patient-unavailable holds subtracted "
        "(adjusted); within target is judged on the adjusted clock either way",
    )
    acc.add_argument("--format", choices=["csv"], default="csv")
    acc.add_argument("--out", type=Path, required=True)
    acc.set_defaults(handler=cmd_report_access_times)


def cmd_report_access_times(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.rendering.report_csv import access_times_csv
    from intake_app.services.reports import access_times

    with sign_in_from(args, secrets) as signed_in:
        rows = access_times(signed_in, args.start, args.end, args.by, args.held)
    write_atomically(args.out, access_times_csv(rows))
    out(f"Wrote {args.out}")
    return EXIT_OK
