"""Report figures benchmark: every figure of the weekly review for a quarter, on SQLCipher.

Run on demand (not in the default suite):
    .venv/bin/python -m pytest tests/benchmarks/test_reports_benchmark.py -m benchmark -s
BENCH_REFERRALS sets the size (default 100,000, received over 180 days, so the quarter
holds about half of them). Most have a partner's sent date, one seen referral in two a
consult-completed letter, one in ten a patient-unavailable hold. Figures go to standard
output and to bench-results/reports.json. Goal: under 1 s each (issue 11).
"""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select, update

from intake_app.services.demo import rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from intake_app.services.reporting import KINDS, build_report
from intake_app.store.models import Event, Referral
from tests.benchmarks.test_store_benchmark import open_backend, summary, timed

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_REFERRALS", "100000"))
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"
REPEAT = 5


def _add_sent_dates_letters_and_holds(signed_in) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """What the import format does not carry: sent dates, consult letters, holds."""
    clinic = signed_in.clinic
    tz = clinic.calendar.tz
    added = {"sent_dates": 0, "consult_letters": 0, "holds": 0}
    with clinic.write("benchmark_setup") as session:
        rows = session.execute(
            select(Referral.id, Referral.received_at, Referral.seen_at, Referral.triaged_at)
        ).all()
        sent = [
            {"rid": r.id, "sent": (r.received_at.astimezone(tz) - timedelta(days=r.id % 6)).date()}
            for r in rows
            if r.id % 10 < 7
        ]
        session.connection().execute(
            update(Referral.__table__)
            .where(Referral.__table__.c.id == bindparam("rid"))
            .values(partner_sent_on=bindparam("sent")),
            sent,
        )
        added["sent_dates"] = len(sent)
        now = clinic.now()
        events = []
        for r in rows:
            if r.seen_at is not None and r.id % 2 == 0:
                events.append(_event(r.id, "letter", r.seen_at, "consult_completed printed", now))
                added["consult_letters"] += 1
            if r.triaged_at is not None and r.id % 10 == 3:
                # A patient-unavailable hold over the first half of the wait for triage.
                middle = r.received_at + (r.triaged_at - r.received_at) / 2
                events.append(
                    _event(r.id, "hold_started", r.received_at, "patient_unavailable", now)
                )
                events.append(_event(r.id, "hold_ended", middle, "patient_unavailable", now))
                added["holds"] += 1
        session.execute(insert(Event), events)
    return added


def _event(referral_id: int, kind: str, at: datetime, detail: str, now: datetime) -> dict:  # type: ignore[type-arg]
    return {
        "referral_id": referral_id,
        "kind": kind,
        "effective_at": at,
        "recorded_at": now,
        "user_id": 1,
        "reason": "",
        "detail": detail,
    }


def test_reports_benchmark(tmp_path: Path) -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    rows = synthetic_rows(SIZE, seed=42, now=now)
    backend = open_backend("sqlcipher", tmp_path)
    signed_in = backend.signed_in
    figures: dict[str, object] = {"referrals": SIZE, "machine_cores": os.cpu_count()}
    try:
        import_referrals(signed_in, rows_to_csv(rows))
        figures["added"] = _add_sent_dates_letters_and_holds(signed_in)
        end = signed_in.clinic.calendar.local_date(now)
        start = end - timedelta(days=90)
        with signed_in.clinic.session() as session:
            figures["in_quarter"] = (
                session.query(Referral)
                .filter(Referral.received_at >= datetime.combine(start, datetime.min.time(), UTC))
                .count()
            )
        timings: dict[str, dict[str, float]] = {}
        for kind in KINDS:
            for by in (None, "service_line", "week"):
                for held in ("elapsed", "adjusted"):
                    key = f"{kind} by={by or '-'} held={held}"
                    timings[key] = summary(
                        timed(
                            lambda k=kind, b=by, h=held: build_report(
                                signed_in, k, start, end, by=b, held=h
                            ),
                            REPEAT,
                        )
                    )
        figures["quarter"] = f"{start.isoformat()}..{end.isoformat()}"
        figures["timings"] = timings
    finally:
        signed_in.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reports.json").write_text(json.dumps(figures, indent=2))
    print()
    print(f"{SIZE} referrals, quarter {figures['quarter']} ({figures['in_quarter']} in it)")
    print(f"{'report':<48} {'median ms':>10} {'p95 ms':>10}")
    for key, t in timings.items():
        print(f"{key:<48} {t['median_ms']:>10.1f} {t['p95_ms']:>10.1f}")
    slowest = max(t["median_ms"] for t in timings.values())
    print(f"slowest median: {slowest:.0f} ms (goal: under 1000 ms)")
