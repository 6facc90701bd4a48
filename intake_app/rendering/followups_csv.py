"""CSV of the follow-ups due: the column contract other tools script against. De-identified:
the referral id, never a name, MRN or date of birth."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from intake_app.rendering.spreadsheet import spreadsheet_row

HEADER = ("id", "step", "due_at", "partner", "missing_items")


@dataclass(frozen=True)
class FollowupLine:
    referral_id: int
    step: int
    due_at: datetime  # aware, in the clinic's time zone: written with its offset
    partner: str
    missing_items: Sequence[str]


def followups_csv(lines: Iterable[FollowupLine]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for line in lines:
        writer.writerow(
            spreadsheet_row(
                (
                    line.referral_id,
                    line.step,
                    line.due_at.isoformat(timespec="seconds"),
                    line.partner,
                    "; ".join(line.missing_items),
                )
            )
        )
    return out.getvalue().encode("utf-8")
