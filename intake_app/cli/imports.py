"""Importing referrals from a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from intake_app.cli.common import EXIT_OK, Secrets, SubParsers, add_command, out, sign_in_from
from intake_app.services.errors import ServiceError


def register(sub: SubParsers) -> None:
    p = add_command(sub, "import", "import data from a file")
    imp_sub = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    ref = add_command(imp_sub, "referrals", "referrals from CSV or XLSX: all rows or none")
    ref.add_argument("file", type=Path, help="CSV (UTF-8 or UTF-16; , ; or tab) or .xlsx")
    ref.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    ref.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave out rows already imported (same patient and receipt time) and say how many",
    )
    ref.set_defaults(handler=cmd_import_referrals)


def cmd_import_referrals(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.importer import DuplicateRows, import_referrals

    if not args.file.is_file():
        raise ServiceError(f"file: {args.file} does not exist")
    with sign_in_from(args, secrets) as signed_in:
        try:
            result = import_referrals(
                signed_in, args.file, sheet=args.sheet, skip_duplicates=args.skip_duplicates
            )
        except DuplicateRows as exc:
            exc.problems.append("file: to import the other rows, run again with --skip-duplicates")
            raise
    ids = f" ({result.first_id}-{result.last_id})" if result.referrals else ""
    skipped = f"; {result.duplicates_skipped} duplicates skipped" if args.skip_duplicates else ""
    out(
        f"Imported {result.referrals} referrals{ids}; {result.partners_added} new partners{skipped}"
    )
    return EXIT_OK
