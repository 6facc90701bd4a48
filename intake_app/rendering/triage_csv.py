"""CSV of the triage queue: a fixed column contract, every text cell defused."""

import csv
import io
from collections.abc import Iterable, Sequence

from intake_app.rendering.spreadsheet import spreadsheet_row


def queue_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(spreadsheet_row(row))
    return out.getvalue().encode("utf-8")
