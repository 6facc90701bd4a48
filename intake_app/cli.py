"""The command line: a front end over the services, scripted by other tools.

Exit status: 0 success, 1 a user's error (one line on standard error), 2 wrong usage.
Output cut short by its reader (`| head`) ends the command quietly with status 1.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from intake_app import __version__
from intake_app.domain import DomainError
from intake_app.domain.enums import Role, State
from intake_app.domain.text import escape_controls
from intake_app.services.errors import ServiceError, ValidationFailed
from intake_app.store import StoreError

if TYPE_CHECKING:
    from intake_app.services.views import LinkedReferral, ReferralDetail, TimelineEvent

STARTED = time.perf_counter()
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE = 0, 1, 2
APP_DIR_NAME = "ReferralIntake"


class UsageError(Exception):
    pass


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def default_db() -> Path:
    env = os.environ.get("INTAKE_DB")
    return _db_path(env, "INTAKE_DB") if env else default_data_dir() / "intake.db"


def default_demo_db() -> Path:
    env = os.environ.get("INTAKE_DB")
    return _db_path(env, "INTAKE_DB") if env else default_data_dir() / "demo.db"


# -- database URLs: refused until shared mode exists ------------------------------
# Two letters or more before "://", so that a Windows drive ("C://...") is still a path.
URL_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]+)://")


def _url_refusal(text: str, source: str) -> str | None:
    """Why `text` is refused as a database, without repeating it (a URL may hold a password)."""
    match = URL_SCHEME.match(text)
    if match is None:
        return None
    return (
        f"{source}: {match.group(1)}:// database URLs are not supported yet (shared mode is "
        "not available); give the path of a database file"
    )


def _db_path(text: str, source: str) -> Path:
    refusal = _url_refusal(text, source)
    if refusal:
        raise UsageError(refusal)
    return Path(text)


def _db_arg(text: str) -> Path:
    """--db as argparse reads it: a Path would fold "postgresql://" into a folder name."""
    refusal = _url_refusal(text, "--db")
    if refusal:
        raise argparse.ArgumentTypeError(refusal)
    return Path(text)


class Secrets:
    """Passwords from standard input (one per line) with --password-stdin, else prompts."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise UsageError(f"standard input ended before the {prompt.lower()}")
            return line.rstrip("\r\n")
        value = getpass.getpass(f"{prompt}: ")
        if confirm and getpass.getpass(f"{prompt} (again): ") != value:
            raise UsageError("the two entries differ")
        return value


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", type=_db_arg, default=default, help="database file (env INTAKE_DB)")
    parser.add_argument("--user", default=default, help="user name to sign in as")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="read passwords from standard input, one per line",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake-app", description="Referral Intake for oncology clinics."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo database (created on first use)"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start offscreen on the demo (or --db) database, open one referral, exit",
    )
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, **kw: object) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, **kw)  # type: ignore[arg-type]
        _common(p, suppress=True)
        return p

    p = command("init", "create a new encrypted clinic database with one administrator")
    p.add_argument("--admin", required=True, help="the administrator's user name")
    p.add_argument("--timezone", default="America/Chicago", help="the clinic's time zone")
    p.add_argument("--holidays", default="US", help="country code for public holidays")
    p.set_defaults(handler=cmd_init)

    p = command("demo", "create a demo database of synthetic referrals")
    p.add_argument("--referrals", type=int, default=2000, help="how many (default 2000)")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(handler=cmd_demo)

    p = command("user", "manage users")
    user_sub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_sub.add_parser("add", help="add a user (stdin: your password, then theirs)")
    _common(add, suppress=True)
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name", default="")
    add.set_defaults(handler=cmd_user_add)
    lst = user_sub.add_parser("list", help="list users")
    _common(lst, suppress=True)
    lst.set_defaults(handler=cmd_user_list)
    pw = user_sub.add_parser("password", help="change your password (stdin: old, then new)")
    _common(pw, suppress=True)
    pw.set_defaults(handler=cmd_user_password)

    p = command("recover", "set a new password with the recovery code (stdin: code, then password)")
    p.set_defaults(handler=cmd_recover)

    p = command("import", "import data from a file")
    imp_sub = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    ref = imp_sub.add_parser("referrals", help="referrals from CSV or XLSX: all rows or none")
    _common(ref, suppress=True)
    ref.add_argument("file", type=Path, help="CSV (UTF-8 or UTF-16; , ; or tab) or .xlsx")
    ref.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    ref.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave out rows already imported (same patient and receipt time) and say how many",
    )
    ref.set_defaults(handler=cmd_import_referrals)

    p = command("report", "run a report")
    rep_sub = p.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    acc = rep_sub.add_parser("access-times", help="access times by group, de-identified")
    _common(acc, suppress=True)
    acc.add_argument("--from", dest="start", required=True, type=_date_arg)
    acc.add_argument("--to", dest="end", required=True, type=_date_arg)
    acc.add_argument("--by", choices=["service_line", "partner", "channel", "priority"])
    acc.add_argument("--format", choices=["csv"], default="csv")
    acc.add_argument("--out", type=Path, required=True)
    acc.set_defaults(handler=cmd_report_access_times)

    p = command("referral", "list or show referrals")
    ref_sub = p.add_subparsers(dest="referral_command", metavar="ACTION", required=True)
    rl = ref_sub.add_parser("list", help="list referrals, newest first")
    _common(rl, suppress=True)
    rl.add_argument("--status", action="append", choices=[s.value for s in State] + ["open"])
    rl.add_argument("--service-line", action="append")
    rl.add_argument("--incomplete", action="store_true", help="only those missing required items")
    rl.add_argument("--search", default="", help="name, MRN or partner")
    rl.add_argument("--limit", type=int, default=50)
    rl.set_defaults(handler=cmd_referral_list)
    rs = ref_sub.add_parser("show", help="one referral: fields, checklist, timeline")
    _common(rs, suppress=True)
    rs.add_argument("id", type=int)
    rs.set_defaults(handler=cmd_referral_show)
    _correction_commands(ref_sub)

    p = command("letter", "letters to referring partners, as PDF")
    letter_sub = p.add_subparsers(dest="letter_command", metavar="KIND", required=True)
    for kind in ("acknowledgement", "missing-records", "status"):
        one = letter_sub.add_parser(kind, help=f"the {kind} letter of one referral")
        _common(one, suppress=True)
        one.add_argument("id", type=int)
        one.add_argument("--out", type=Path, required=True)
        one.set_defaults(handler=cmd_letter_one, letter_kind=kind)
    batch = letter_sub.add_parser(
        "batch", help="all acknowledgements of a day, or all overdue missing-records requests"
    )
    _common(batch, suppress=True)
    batch.add_argument("--kind", required=True, choices=["acknowledgement", "missing-records"])
    batch.add_argument("--date", type=_date_arg, help="acknowledgement: the day received")
    batch.add_argument(
        "--older-than", type=int, help="missing-records: business days since receipt"
    )
    batch.add_argument("--out", type=Path, required=True)
    batch.set_defaults(handler=cmd_letter_batch)

    p = command("audit", "audit trail")
    aud_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    av = aud_sub.add_parser("verify", help="re-compute the hash chain")
    _common(av, suppress=True)
    av.set_defaults(handler=cmd_audit_verify)

    p = command("check", "check every page of the database for damage (reads, never writes)")
    p.set_defaults(handler=cmd_check)
    return parser


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


# -- helpers -------------------------------------------------------------------


def _db(args: argparse.Namespace) -> Path:
    return (args.db or default_db()).expanduser()


def _sign_in(args: argparse.Namespace, secrets: Secrets):  # type: ignore[no-untyped-def]
    from intake_app.services.auth import sign_in

    if not args.user:
        raise UsageError("--user is required")
    password = secrets.read(f"Password for {args.user}")
    signed_in = sign_in(_db(args), args.user, password, on_migration=_say_migrating)
    try:
        _settle_pending_letters(signed_in)
        _settle_unfinished_imports(signed_in)
    except BaseException:
        signed_in.close()
        raise
    return signed_in


def _settle_pending_letters(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Letter files a stopped program left half-done: settled now, said on standard error
    (standard output stays the command's own)."""
    from intake_app.services.letters import Letters

    for settled in Letters(signed_in).settle_pending():
        _err(f"note: {settled.describe()}")


def _settle_unfinished_imports(signed_in) -> None:  # type: ignore[no-untyped-def]
    """Imports a stopped program left half-written: their rows removed now, said on stderr."""
    from intake_app.services.importing.staged import settle_unfinished

    for abandoned in settle_unfinished(signed_in.clinic, signed_in.actor):
        _err(f"note: {abandoned.describe()}")


def _say_migrating(migration) -> None:  # type: ignore[no-untyped-def]
    """An upgrade changes the file: one line on standard error before it starts."""
    print(f"intake-app: {migration.notice(done=False)}", file=sys.stderr)


def _out(text: str = "") -> None:
    # Stored text may hold escape sequences or bidi overrides: shown, never acted on.
    print(escape_controls(text, keep="\t"))


def _cell(value: object) -> str:
    """A stored value in a tab-separated line: its own tabs and line breaks escaped too."""
    return escape_controls(str(value))


def _tsv(values: Sequence[object]) -> str:
    return "\t".join(map(_cell, values))


def _err(text: str) -> None:
    print(_without_passwords(escape_controls(text)), file=sys.stderr)


# scheme://user:password@host, also as a Path folds it (scheme:/user:password@host).
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*:/{1,2}[^/\s:@]*:)[^@\s/]+@")


def _without_passwords(text: str) -> str:
    """Error lines reach logs: a database URL in one keeps its user name, not its password."""
    return _URL_PASSWORD.sub(r"\1***@", text)


# -- commands ------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import create_clinic

    db = _db(args)
    password = secrets.read(f"New password for {args.admin}", confirm=True)
    created = create_clinic(
        db, args.admin, password, timezone=args.timezone, holiday_country=args.holidays
    )
    created.session.close()
    _out(f"Created {db}")
    _out(f"Key file {db}.keys (keep it with the database; back up both)")
    _out("")
    _out("Recovery code (shown once; print it and keep it locked away):")
    _out(f"  {created.recovery_code}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.demo import create_demo

    db = (args.db or default_demo_db()).expanduser()
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.referrals < 0:
        raise UsageError("--referrals must be 0 or more")
    demo = create_demo(db, args.referrals, args.seed)
    _print_demo(demo.path, demo.users, demo.referrals)
    return EXIT_OK


def _print_demo(path: Path, users: dict[str, str], referrals: int | None) -> None:
    _out(f"Demo database: {path}")
    if referrals is not None:
        _out(f"Synthetic referrals: {referrals}")
    _out("Users (synthetic data only; these passwords are public):")
    for name, password in users.items():
        _out(f"  {name:<12} {password}")


def cmd_start(args: argparse.Namespace, secrets: Secrets) -> int:
    """No sub-command: the desktop application (or its offscreen smoke test)."""
    from intake_app.ui.app import run_gui, smoke_test

    explicit = args.db.expanduser() if args.db else None
    if explicit is None and os.environ.get("INTAKE_DB"):
        explicit = _db_path(os.environ["INTAKE_DB"], "INTAKE_DB")
    if args.smoke_test:
        return smoke_test(explicit, default_demo_db(), STARTED)
    return run_gui(explicit, default_db(), default_demo_db(), demo=args.demo)


def cmd_user_add(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.users import add_user

    with _sign_in(args, secrets) as signed_in:
        password = secrets.read(f"Initial password for {args.name}", confirm=True)
        info = add_user(
            signed_in, args.name, password, [Role(r) for r in args.role], args.display_name
        )
    _out(f"Added {info.name} ({', '.join(info.roles)})")
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.users import list_users

    with _sign_in(args, secrets) as signed_in:
        for info in list_users(signed_in):
            state = "" if info.active else " (inactive)"
            _out(f"{_cell(info.name)}\t{','.join(info.roles)}{state}")
    return EXIT_OK


def cmd_user_password(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import change_password

    if not args.user:
        raise UsageError("--user is required")
    old = secrets.read(f"Current password for {args.user}")
    from intake_app.services.auth import sign_in

    with sign_in(_db(args), args.user, old) as signed_in:
        new = secrets.read("New password", confirm=True)
        change_password(signed_in, old, new)
    _out("Password changed")
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.auth import recover

    if not args.user:
        raise UsageError("--user is required")
    code = secrets.read("Recovery code")
    password = secrets.read(f"New password for {args.user}", confirm=True)
    recover(_db(args), code, args.user, password).close()
    _out(f"New password set for {args.user}")
    return EXIT_OK


def cmd_import_referrals(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.importer import DuplicateRows, import_referrals

    if not args.file.is_file():
        raise ServiceError(f"file: {args.file} does not exist")
    with _sign_in(args, secrets) as signed_in:
        try:
            result = import_referrals(
                signed_in, args.file, sheet=args.sheet, skip_duplicates=args.skip_duplicates
            )
        except DuplicateRows as exc:
            exc.problems.append("file: to import the other rows, run again with --skip-duplicates")
            raise
    ids = f" ({result.first_id}-{result.last_id})" if result.referrals else ""
    skipped = f"; {result.duplicates_skipped} duplicates skipped" if args.skip_duplicates else ""
    _out(
        f"Imported {result.referrals} referrals{ids}; {result.partners_added} new partners{skipped}"
    )
    return EXIT_OK


def cmd_report_access_times(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.rendering.report_csv import access_times_csv
    from intake_app.services.reports import access_times

    with _sign_in(args, secrets) as signed_in:
        rows = access_times(signed_in, args.start, args.end, args.by)
    _write_atomically(args.out, access_times_csv(rows))
    _out(f"Wrote {args.out}")
    return EXIT_OK


def _write_atomically(path: Path, payload: bytes) -> None:
    from intake_app.services.files import write_private

    if not path.parent.is_dir():
        raise ServiceError(f"out: folder {path.parent} does not exist")
    write_private(path, payload)


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
    with _sign_in(args, secrets) as signed_in:
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
    _out("\t".join(header))
    for r in page.rows:
        due = f"{r.next_due} by {r.due_at.astimezone(tz):%Y-%m-%d}" if r.due_at else ""
        if r.due_status in ("overdue", "due_today"):
            due += f" ({r.due_status.replace('_', ' ')})"
        _out(
            _tsv(
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
    _out(f"{len(page.rows)} of {page.total}")
    return EXIT_OK


def cmd_referral_show(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with _sign_in(args, secrets) as signed_in:
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
    ]
    fields += _links_text(d, when)
    for label, value in fields:
        if value:
            _out(f"{label + ':':<20} {value}")
    _out("")
    _out("Checklist:")
    for line in d.checklist:
        mark = "x" if line.received_at else " "
        need = "required" if line.required else "optional"
        got = f" {when(line.received_at)} by {line.received_by}" if line.received_at else ""
        flag = "  MISSING" if line.required and not line.received_at else ""
        _out(f"  [{mark}] {line.key} ({need}){got}{flag}")
    _out("")
    _out("Timeline:")
    for e in d.timeline:
        change = f" {e.from_state or ''}->{e.to_state}" if e.to_state else ""
        extra = " ".join(x for x in (e.detail, e.reason) if x)
        late = " (recorded later)" if (e.recorded_at - e.effective_at).total_seconds() > 300 else ""
        if corrected := _correction_event_text(e, when):
            _out(f"  {when(e.effective_at)}  {corrected} [{e.user}]{late}")
            continue
        _out(f"  {when(e.effective_at)}  {e.kind}{change} {extra} [{e.user}]{late}".rstrip())
    return EXIT_OK


# -- corrections: edit, unreceive, correct-receipt ---------------------------------


def _correction_commands(ref_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = ref_sub.add_parser(name, help=help_text, description=help_text)
        _common(p, suppress=True)
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
    with _sign_in(args, secrets) as signed_in:
        choice = DuplicateChoice(args.duplicate) if args.duplicate else None
        try:
            changed = Referrals(signed_in).edit_text(
                args.id, changes, args.reason, args.expected_version, choice
            )
        except DuplicateAfterEdit as exc:
            raise ServiceError(f"{exc}; use --duplicate link or --duplicate keep_both") from None
    _out(f"Referral {args.id} edited: {describe_changes(changed)}")
    return EXIT_OK


def cmd_referral_unreceive(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.referrals import Referrals

    with _sign_in(args, secrets) as signed_in:
        Referrals(signed_in).unreceive_item(args.id, args.item, args.reason, args.expected_version)
    _out(f"Referral {args.id}: {args.item} marked not received")
    return EXIT_OK


def cmd_referral_correct_receipt(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.intake import parse_time
    from intake_app.services.referrals import Referrals

    with _sign_in(args, secrets) as signed_in:
        tz = signed_in.clinic.calendar.tz
        at = parse_time(args.at, tz, "at")
        Referrals(signed_in).correct_receipt(args.id, at, args.reason, args.expected_version)
    _out(f"Referral {args.id}: received at corrected to {at.astimezone(tz):%Y-%m-%d %H:%M %Z}")
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


def cmd_letter_one(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.letters import LetterKind
    from intake_app.services.letters import Letters

    kind = LetterKind(args.letter_kind)
    with _sign_in(args, secrets) as signed_in:
        letters = Letters(signed_in)
        letters.save([args.id], kind, _rendered(letters.render([args.id], kind)), args.out)
    _out(f"Wrote {args.out}")
    return EXIT_OK


def cmd_letter_batch(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.domain.letters import LetterKind
    from intake_app.services.letters import Letters

    kind = LetterKind(args.kind)
    if kind is LetterKind.ACKNOWLEDGEMENT and args.date is None:
        raise UsageError("--date is required with --kind acknowledgement")
    if kind is LetterKind.MISSING_RECORDS and args.older_than is None:
        raise UsageError("--older-than is required with --kind missing-records")
    with _sign_in(args, secrets) as signed_in:
        letters = Letters(signed_in)
        ids = (
            letters.unacknowledged_received_on(args.date)
            if kind is LetterKind.ACKNOWLEDGEMENT
            else letters.missing_records_older_than(args.older_than)
        )
        if not ids:
            _out("Nothing to print: no referral needs this letter")
            return EXIT_OK
        letters.save(ids, kind, _rendered(letters.render(ids, kind)), args.out)
    _out(f"Wrote {len(ids)} letters to {args.out}")
    return EXIT_OK


def _rendered(pdf: bytes | None) -> bytes:
    assert pdf is not None  # only a progress callback can stop rendering
    return pdf


def cmd_audit_verify(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.audit_check import verify_audit

    with _sign_in(args, secrets) as signed_in:
        result = verify_audit(signed_in)
    if result.intact:
        anchored = (
            f"; holds the head anchored at sign-out ({result.anchor.entries} entries)"
            if result.anchor
            else "; not anchored yet (the first sign-out anchors it)"
        )
        _out(f"Audit trail intact: {result.entries} entries{anchored}")
        return EXIT_OK
    where = f"audit trail broken at entry {result.first_broken}: " if result.first_broken else ""
    _err(f"error: {where}{result.problem}")
    return EXIT_USER_ERROR


def cmd_check(args: argparse.Namespace, secrets: Secrets) -> int:
    from intake_app.services.audit_check import check_database

    if not args.user:
        raise UsageError("--user is required")
    password = secrets.read(f"Password for {args.user}")
    result = check_database(_db(args), args.user, password)
    if result.sound:
        _out("Database sound: every page, its structure and its references check out")
        return EXIT_OK
    for problem in result.problems[:20]:
        _err(problem)
    _err(
        f"error: the database is damaged ({len(result.problems)} problem(s)); "
        "restore it from a backup"
    )
    return EXIT_USER_ERROR


# -- entry point ----------------------------------------------------------------


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on wrong usage, 0 on --help
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace, Secrets], int] = getattr(args, "handler", cmd_start)
    secrets = Secrets(args.password_stdin, stdin or sys.stdin)
    try:
        return handler(args, secrets)
    except UsageError as exc:
        _err(f"intake-app: {exc}")
        return EXIT_USAGE
    except ValidationFailed as exc:
        for problem in exc.problems:
            _err(problem)
        _err(f"error: refused, {len(exc.problems)} problem(s); nothing was changed")
        return EXIT_USER_ERROR
    except (ServiceError, StoreError, DomainError) as exc:
        _err(f"error: {exc}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        if os.environ.get("INTAKE_DEBUG"):
            raise
        from intake_app.services.audit_check import damage_message

        damaged = damage_message(exc)
        if damaged is not None:
            _err(f"error: {damaged}")
            return EXIT_USER_ERROR
        # The message may quote stored values, so only the kind of failure is shown.
        print(
            f"error: unexpected {type(exc).__name__}; run with INTAKE_DEBUG=1 for details",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR


def _reader_went_away() -> int:
    """The reader of standard output closed it (`| head`): stop quietly. Standard output now
    points at the null device, so the interpreter's final flush has nowhere to fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind sys.stdout (tests capture it)
        pass
    return EXIT_USER_ERROR
