"""Listing and showing referrals."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from intake_app.cli.common import EXIT_OK, Secrets, SubParsers, add_command, out, sign_in_from, tsv
from intake_app.domain.enums import State
from intake_app.domain.holds import hold_event_text, on_hold_text

if TYPE_CHECKING:
    from intake_app.services.views import LinkedReferral, ReferralDetail, TimelineEvent


def register(ref_sub: SubParsers) -> None:
    """`referral list` and `referral show`, under the `referral` command."""
    rl = add_command(ref_sub, "list", "list referrals, newest first")
    rl.add_argument("--status", action="append", choices=[s.value for s in State] + ["open"])
    rl.add_argument("--service-line", action="append")
    rl.add_argument("--incomplete", action="store_true", help="only those missing required items")
    rl.add_argument("--search", default="", help="name, MRN or partner")
    rl.add_argument("--limit", type=int, default=50)
    rl.set_defaults(handler=cmd_referral_list)
    rs = add_command(ref_sub, "show", "one referral: fields, checklist, timeline")
    rs.add_argument("id", type=int)
    rs.set_defaults(handler=cmd_referral_show)


def cmd_referral_list(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import ReferralQuery, Referrals

    statuses = args.status or []
    query = ReferralQuery(
        states=tuple(State(s) for s in statuses if s != "open"),
        open_only="open" in statuses,
        service_lines=tuple(args.service_line or ()),
        incomplete_only=args.incomplete,
        search=args.search,
        limit=max(1, args.limit),
    )
    with sign_in_from(args, secrets) as signed_in:
        page = Referrals(signed_in).page(query)
        tz = signed_in.clinic.calendar.tz
    header = (
        "id",
        "received",
        "patient",
        "born",
        "service_line",
        "partner",
        "status",
        "priority",
        "missing",
        "next_due",
    )
    out("\t".join(header))
    for r in page.rows:
        due = f"{r.next_due} by {r.due_at.astimezone(tz):%Y-%m-%d}" if r.due_at else ""
        if r.hold_reason and r.held_since:
            due = on_hold_text(r.hold_reason, f"{r.held_since.astimezone(tz):%Y-%m-%d %H:%M}")
        elif r.due_status in ("overdue", "due_today"):
            due += f" ({r.due_status.replace('_', ' ')})"
        out(
            tsv(
                (
                    str(r.id),
                    f"{r.received_at.astimezone(tz):%Y-%m-%d %H:%M}",
                    f"{r.family_name}, {r.given_name}",
                    r.date_of_birth.isoformat(),
                    r.service_line,
                    r.partner,
                    r.state,
                    r.priority or f"({r.proposed_priority})",
                    str(r.missing_required),
                    due,
                )
            )
        )
    out(f"{len(page.rows)} of {page.total}")
    return EXIT_OK


def cmd_referral_show(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with sign_in_from(args, secrets) as signed_in:
        d = Referrals(signed_in).get(args.id)
        tz = signed_in.clinic.calendar.tz
    s = d.summary

    def when(value) -> str:  # type: ignore[no-untyped-def]
        return "" if value is None else f"{value.astimezone(tz):%Y-%m-%d %H:%M %Z}"

    fields = [
        ("Referral", str(s.id)),
        ("Patient", f"{s.family_name}, {s.given_name}"),
        ("Born", s.date_of_birth.isoformat()),
        ("Sex", d.sex),
        ("MRN", s.mrn or ""),
        ("Service line", s.service_line),
        ("Partner", s.partner),
        ("Referring clinician", d.referring_clinician),
        ("Channel", s.channel),
        ("Received", when(s.received_at)),
        ("Recorded", when(d.recorded_at)),
        ("Trigger", d.trigger),
        ("Diagnosis", d.diagnosis),
        ("Clinical question", d.clinical_question),
        ("Referrer urgency", d.referrer_urgency),
        ("Proposed priority", f"{s.proposed_priority} ({'; '.join(d.proposal_reasons)})"),
        ("Priority", s.priority or ""),
        ("Status", s.state),
        ("Appointment", when(d.appointment_at)),
        ("Acknowledged", when(d.acknowledged_at)),
        ("Records complete", when(d.records_complete_at)),
        ("Triaged", when(d.triaged_at)),
        ("Scheduled", when(d.scheduled_at)),
        ("Seen", when(d.seen_at)),
        ("Closed", f"{when(d.closed_at)} {d.close_reason}".strip()),
        ("Next due", f"{s.next_due} by {when(s.due_at)} ({s.due_status})" if s.due_at else ""),
        ("Hold", on_hold_text(s.hold_reason, when(s.held_since)) if s.hold_reason else ""),
    ]
    fields += _links_text(d, when)
    for label, value in fields:
        if value:
            out(f"{label + ':':<20} {value}")
    out("")
    out("Checklist:")
    for line in d.checklist:
        mark = "x" if line.received_at else " "
        need = "required" if line.required else "optional"
        got = f" {when(line.received_at)} by {line.received_by}" if line.received_at else ""
        flag = "  MISSING" if line.required and not line.received_at else ""
        out(f"  [{mark}] {line.key} ({need}){got}{flag}")
    out("")
    out("Timeline:")
    for e in d.timeline:
        change = f" {e.from_state or ''}->{e.to_state}" if e.to_state else ""
        extra = " ".join(x for x in (e.detail, e.reason) if x)
        late = " (recorded later)" if (e.recorded_at - e.effective_at).total_seconds() > 300 else ""
        if held := hold_event_text(e.kind, e.detail):
            out(f"  {when(e.effective_at)}  {held} [{e.user}]{late}")
            continue
        if corrected := _correction_event_text(e, when):
            out(f"  {when(e.effective_at)}  {corrected} [{e.user}]{late}")
            continue
        out(f"  {when(e.effective_at)}  {e.kind}{change} {extra} [{e.user}]{late}".rstrip())
    return EXIT_OK


def _links_text(d: ReferralDetail, when: Callable[[datetime], str]) -> list[tuple[str, str]]:
    """'Linked to' and 'Linked from' lines of `referral show`."""

    def one(r: LinkedReferral) -> str:
        return f"{r.id} {r.family_name}, {r.given_name} ({r.state}, received {when(r.received_at)})"

    rows = [("Version", str(d.row_version))]
    if d.linked_to is not None:
        rows.append(("Linked to", one(d.linked_to)))
    rows += [("Linked from", one(r)) for r in d.linked_from]
    return rows


def _correction_event_text(e: TimelineEvent, when: Callable[[datetime], str]) -> str:
    """The words for a correction on the timeline; '' for other events."""
    from intake_app.domain.corrections import correction_text

    text = correction_text(e.kind, e.detail, when, lambda key: key)
    if text is None:
        return ""
    return f"{text} (reason: {e.reason})" if e.reason else text
