"""Corrections of a saved referral: edit, unreceive, correct-receipt."""

from __future__ import annotations

import argparse

from intake_app.cli.common import (
    EXIT_OK,
    Secrets,
    SubParsers,
    UsageError,
    add_command,
    out,
    sign_in_from,
)
from intake_app.services.errors import ServiceError


def register(ref_sub: SubParsers) -> None:
    """`referral edit`, `referral unreceive` and `referral correct-receipt`."""

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = add_command(ref_sub, name, help_text)
        p.add_argument("id", type=int)
        p.add_argument(
            "--expected-version",
            type=int,
            help="refuse if the referral is no longer at this version (see `referral show`)",
        )
        return p

    p = add("edit", "change intake fields (not the receipt time: see correct-receipt)")
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        required=True,
        metavar="FIELD=VALUE",
        help="a field and its new value; an empty value clears an optional field",
    )
    p.add_argument("--reason", default="", help="why (shown on the timeline)")
    p.add_argument(
        "--duplicate",
        choices=["link", "keep_both"],
        help="if the patient now matches another open referral: link to it, or keep both",
    )
    p.set_defaults(handler=cmd_referral_edit)
    p = add("unreceive", "mark a received checklist item not received (ticked in error)")
    p.add_argument("item", help="the item's key, e.g. pathology_report")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_referral_unreceive)
    p = add("correct-receipt", "correct when the referral was received")
    p.add_argument("--at", required=True, help="ISO 8601; without an offset, clinic time")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=cmd_referral_correct_receipt)


def _field_changes(texts: list[str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes FIELD=VALUE, not {text.split('=')[0]!r}")
        changes[name.strip().replace("-", "_")] = value
    return changes


def cmd_referral_edit(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.corrections import describe_changes
    from intake_app.services.referrals import DuplicateAfterEdit, DuplicateChoice, Referrals

    changes = _field_changes(args.changes)
    with sign_in_from(args, secrets) as signed_in:
        choice = DuplicateChoice(args.duplicate) if args.duplicate else None
        try:
            changed = Referrals(signed_in).edit_text(
                args.id, changes, args.reason, args.expected_version, choice
            )
        except DuplicateAfterEdit as exc:
            raise ServiceError(f"{exc}; use --duplicate link or --duplicate keep_both") from None
    out(f"Referral {args.id} edited: {describe_changes(changed)}")
    return EXIT_OK


def cmd_referral_unreceive(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        Referrals(signed_in).unreceive_item(args.id, args.item, args.reason, args.expected_version)
    out(f"Referral {args.id}: {args.item} marked not received")
    return EXIT_OK


def cmd_referral_correct_receipt(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.intake import parse_time
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        tz = signed_in.clinic.calendar.tz
        at = parse_time(args.at, tz, "at")
        Referrals(signed_in).correct_receipt(args.id, at, args.reason, args.expected_version)
    out(f"Referral {args.id}: received at corrected to {at.astimezone(tz):%Y-%m-%d %H:%M %Z}")
    return EXIT_OK
