"""Letters to referring partners, as PDF."""

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


def register(sub: SubParsers) -> None:
    p = add_command(sub, "letter", "letters to referring partners, as PDF")
    letter_sub = p.add_subparsers(dest="letter_command", metavar="KIND", required=True)
    for kind in ("acknowledgement", "missing-records", "status", "consult-completed"):
        one = add_command(letter_sub, kind, f"the {kind} letter of one referral")
        one.add_argument("id", type=int)
        one.add_argument("--out", type=Path, required=True)
        one.set_defaults(handler=cmd_letter_one, letter_kind=kind)
    batch = add_command(
        letter_sub,
        "batch",
        "all acknowledgements of a day, or all overdue missing-records requests",
    )
    batch.add_argument("--kind", required=True, choices=["acknowledgement", "missing-records"])
    batch.add_argument("--date", type=date_arg, help="acknowledgement: the day received")
    batch.add_argument(
        "--older-than", type=int, help="missing-records: business days since receipt"
    )
    batch.add_argument("--out", type=Path, required=True)
    batch.set_defaults(handler=cmd_letter_batch)


def cmd_letter_one(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.letters import LetterKind
    from intake_app.services.letters import Letters

    # Command names are spelled with hyphens; the consult-completed kind's value is not.
    kind = LetterKind(args.letter_kind.replace("consult-completed", "consult_completed"))
    with sign_in_from(args, secrets) as signed_in:
        letters = Letters(signed_in)
        letters.save([args.id], kind, _rendered(letters.render([args.id], kind)), args.out)
    out(f"Wrote {args.out}")
    return EXIT_OK


def cmd_letter_batch(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.letters import LetterKind
    from intake_app.services.letters import Letters

    kind = LetterKind(args.kind)
    if kind is LetterKind.ACKNOWLEDGEMENT and args.date is None:
        raise UsageError("--date is required with --kind acknowledgement")
    if kind is LetterKind.MISSING_RECORDS and args.older_than is None:
        raise UsageError("--older-than is required with --kind missing-records")
    with sign_in_from(args, secrets) as signed_in:
        letters = Letters(signed_in)
        ids = (
            letters.unacknowledged_received_on(args.date)
            if kind is LetterKind.ACKNOWLEDGEMENT
            else letters.missing_records_older_than(args.older_than)
        )
        if not ids:
            out("Nothing to print: no referral needs this letter")
            return EXIT_OK
        letters.save(ids, kind, _rendered(letters.render(ids, kind)), args.out)
    out(f"Wrote {len(ids)} letters to {args.out}")
    return EXIT_OK


def _rendered(pdf: bytes | None) -> bytes:
    assert pdf is not None  # only a progress callback can stop rendering
    return pdf
