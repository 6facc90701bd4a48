"""Standards the reports measure the clinic against: show, set, remove (administrators)."""

from __future__ import annotations

import argparse

from intake_app.cli.common import EXIT_OK, Secrets, SubParsers, add_command, out, sign_in_from, tsv


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share such as 0.93") from None
    return value


def register(sub: SubParsers) -> None:
    p = add_command(sub, "standards", "the standards the reports measure against")
    std_sub = p.add_subparsers(dest="standards_command", metavar="ACTION", required=True)
    show = add_command(std_sub, "show", "list the standards (name, measure, unit, days, share)")
    show.set_defaults(handler=cmd_standards_show)
    st = add_command(std_sub, "set", "add a standard, or change the one of that name")
    st.add_argument("name", help='e.g. "First consult within 14 days"')
    st.add_argument(
        "--measure",
        required=True,
        choices=["acknowledge", "records_complete", "triage", "first_consult"],
    )
    st.add_argument("--unit", required=True, choices=["business", "calendar"])
    st.add_argument("--days", required=True, type=int)
    st.add_argument("--threshold", required=True, type=_share, help="share to meet, e.g. 0.93")
    st.set_defaults(handler=cmd_standards_set)
    rm = add_command(std_sub, "remove", "remove a standard")
    rm.add_argument("name")
    rm.set_defaults(handler=cmd_standards_remove)


def cmd_standards_show(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.reporting.standards import show_standards

    with sign_in_from(args, secrets) as signed_in:
        standards = show_standards(signed_in)
    out(tsv(("name", "measure", "unit", "days", "threshold")))
    for s in standards:
        out(tsv((s.name, s.measure, s.unit, s.days, f"{s.threshold:.4f}")))
    return EXIT_OK


def cmd_standards_set(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.reporting.standards import set_standard

    with sign_in_from(args, secrets) as signed_in:
        standard = set_standard(
            signed_in, args.name, args.measure, args.unit, args.days, args.threshold
        )
    out(f"Standard {standard.name}: {standard.describe()}")
    return EXIT_OK


def cmd_standards_remove(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.reporting.standards import remove_standard

    with sign_in_from(args, secrets) as signed_in:
        remove_standard(signed_in, args.name)
    out(f"Removed standard {args.name.strip()}")
    return EXIT_OK
