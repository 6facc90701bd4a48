"""Exporting a report as CSV, XLSX or PDF files: permission, audit, owner-only files.

The document is what the dashboard shows (`build_report`) or the referrals behind a group
(`referrals_behind`); this renders it with `rendering.report_*` and writes the files with
`files.write_private` (0600, whole or not at all). De-identified documents need
RUN_REPORTS; an identified one also EXPORT_IDENTIFIED, and its export is audited before any
byte reaches the disk (one entry for the export, one per referral it names), so a file that
names patients never exists unaudited. A cancelled export leaves nothing on disk.
"""

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

from intake_app.domain.letters import Letterhead
from intake_app.domain.report_tables import ReportDocument, Table
from intake_app.rendering.report_cells import Cancelled, Progress, Steps
from intake_app.services import audit
from intake_app.services.auth import SignedIn
from intake_app.services.errors import ServiceError
from intake_app.services.files import write_private
from intake_app.services.permissions import Permission

Format = Literal["csv", "xlsx", "pdf"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "pdf")
EXPORTED, EXPORTED_IDENTIFIED = "report_exported", "report_exported_identified"
# The columns an identified table names its referrals by, for the audit trail.
REFERRAL_KEYS = ("referral_id", "referral", "reference", "id")
_REFERENCE = re.compile(r"^(?:R-)?0*(\d+)$")


def default_name(document: ReportDocument, fmt: str, table: str | None = None) -> str:
    """The file name an export takes in a folder: report, (table,) period, format."""
    return f"{document.file_stem(table)}.{fmt}"


def export_paths(
    document: ReportDocument, fmt: str, out: Path, table: str | None = None
) -> list[Path]:
    """Where `export` writes: `out` itself, or default names inside it when it is a folder.

    A CSV holds one table: several tables make one file each, named with the table
    (`weekly-review-partners-2026-11-02-to-2026-11-08.csv`, or `<out stem>-partners.csv`).
    """
    _check_format(fmt)
    keys = [table] if table else [t.key for t in document.tables]
    if out.is_dir():
        if fmt == "csv":
            return [out / default_name(document, fmt, key) for key in keys]
        return [out / default_name(document, fmt, table)]
    if fmt == "csv" and len(keys) > 1:
        suffix = out.suffix or ".csv"
        return [out.with_name(f"{out.stem}-{key.replace('_', '-')}{suffix}") for key in keys]
    return [out]


def export(
    signed_in: SignedIn,
    document: ReportDocument,
    fmt: str,
    out: Path,
    *,
    table: str | None = None,
    progress: Progress | None = None,
    letterhead: Letterhead | None = None,
) -> list[Path]:
    """Write the document (or its table `table`) as `fmt` to `out`; the paths written.

    `out` is a file, or a folder to hold files with default names. `progress(done, total)`
    is called as the work goes; when it returns False nothing is written and [] returned.
    """
    clinic, actor = signed_in.clinic, signed_in.actor
    clinic.require(actor, Permission.RUN_REPORTS, "export_report")
    if document.identified:
        clinic.require(actor, Permission.EXPORT_IDENTIFIED, "export_identified_report")
    _check_format(fmt)
    document = in_clinic_time(document, clinic.calendar.tz)
    chosen = _tables(document, table)
    paths = export_paths(document, fmt, out, table)
    for path in paths:
        if not path.parent.is_dir():
            raise ServiceError(f"out: folder {path.parent} does not exist")
        if path.is_dir():
            raise ServiceError(f"out: {path} is a folder")
    try:
        payloads = _render(document, fmt, chosen, progress, letterhead)
    except Cancelled:
        return []
    _audit(signed_in, document, fmt, chosen, paths)
    written: list[Path] = []
    try:
        for path, payload in zip(paths, payloads, strict=True):
            write_private(path, payload)
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        reason = exc.strerror or type(exc).__name__
        raise ServiceError(
            f"out: could not write {path.name} ({reason}); nothing was kept"
        ) from None
    return written


def in_clinic_time(document: ReportDocument, tz: tzinfo) -> ReportDocument:
    """Every time in the document in the clinic's zone, as the dashboard shows them (a
    spreadsheet has no time zones: its cells get the clinic's clock time)."""
    tables = []
    for table in document.tables:
        columns = [i for i, c in enumerate(table.columns) if c.kind == "datetime"]
        if columns:
            table = replace(table, rows=tuple(_local(row, columns, tz) for row in table.rows))
        tables.append(table)
    return replace(
        document, generated_at=document.generated_at.astimezone(tz), tables=tuple(tables)
    )


def _local(row: tuple[object, ...], columns: list[int], tz: tzinfo) -> tuple[object, ...]:
    cells = list(row)
    for i in columns:
        value = cells[i]
        if isinstance(value, datetime) and value.tzinfo is not None:
            cells[i] = value.astimezone(tz)
    return tuple(cells)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ServiceError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")


def _tables(document: ReportDocument, table: str | None) -> tuple[Table, ...]:
    if table is None:
        return document.tables
    keys = [t.key for t in document.tables]
    if table not in keys:
        raise ServiceError(f"table: {table!r} is not one of {', '.join(keys)}")
    return (document.table(table),)


def _render(
    document: ReportDocument,
    fmt: str,
    tables: tuple[Table, ...],
    progress: Progress | None,
    letterhead: Letterhead | None,
) -> list[bytes]:
    if fmt == "csv":
        from intake_app.rendering.report_csv import ROWS_PER_STEP, table_csv

        steps = Steps(sum(len(t.rows) for t in tables), progress, ROWS_PER_STEP)
        steps.check()
        return [table_csv(t, steps=steps) for t in tables]
    if fmt == "xlsx":
        from intake_app.rendering.report_xlsx import report_xlsx

        return [report_xlsx(document, progress, tables)]
    from intake_app.rendering.letters import load_letterhead
    from intake_app.rendering.report_pdf import report_pdf

    return [report_pdf(document, letterhead or load_letterhead(), progress, tables)]


def _audit(
    signed_in: SignedIn,
    document: ReportDocument,
    fmt: str,
    tables: Sequence[Table],
    paths: Sequence[Path],
) -> None:
    """Who exported which report, when, in what format; for an identified one, which
    referrals too (by id: no patient value goes into the trail)."""
    clinic, actor = signed_in.clinic, signed_in.actor
    action = EXPORTED_IDENTIFIED if document.identified else EXPORTED
    what = f"{fmt} {document.file_stem()}"
    entries = [(action, "report", what)]
    if document.identified:
        entries += [(action, "referral", str(i)) for i in _referral_ids(tables)]
    with clinic.write(action) as session:
        audit.append_many(
            session,
            clinic.audit_key,
            entries,
            at=clinic.now(),
            user_name=actor.name,
            workstation=clinic.workstation,
        )


def _referral_ids(tables: Sequence[Table]) -> list[int]:
    ids: dict[int, None] = {}
    for table in tables:
        keys = [c.key for c in table.columns]
        index = next((keys.index(k) for k in REFERRAL_KEYS if k in keys), None)
        if index is None:
            continue
        for row in table.rows:
            match = _REFERENCE.match(str(row[index]))
            if match:
                ids[int(match.group(1))] = None
    return list(ids)
