"""The audit trail."""

from __future__ import annotations

import argparse

from intake_app.cli.common import (
    EXIT_OK,
    EXIT_USER_ERROR,
    Secrets,
    SubParsers,
    add_command,
    err,
    out,
    sign_in_from,
)


def register(sub: SubParsers) -> None:
    p = add_command(sub, "audit", "audit trail")
    aud_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    av = add_command(aud_sub, "verify", "re-compute the hash chain")
    av.set_defaults(handler=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.audit_check import verify_audit

    with sign_in_from(args, secrets) as signed_in:
        result = verify_audit(signed_in)
    if result.intact:
        anchored = (
            f"; holds the head anchored at sign-out ({result.anchor.entries} entries)"
            if result.anchor
            else "; not anchored yet (the first sign-out anchors it)"
        )
        out(f"Audit trail intact: {result.entries} entries{anchored}")
        return EXIT_OK
    where = f"audit trail broken at entry {result.first_broken}: " if result.first_broken else ""
    err(f"error: {where}{result.problem}")
    return EXIT_USER_ERROR
