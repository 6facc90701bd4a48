"""Settings benchmark: how long a target or closure change holds the write lock while it
recomputes the due times of every open referral it affects, and the access-time report
with calendar-day targets.

Run on demand (not in the default suite):
    .venv/bin/python -m pytest tests/benchmarks/test_settings_benchmark.py -m benchmark -s
BENCH_REFERRALS sets the size (default 100,000). Figures go to standard output and to
bench-results/settings.json.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake_app.domain.enums import Role
from intake_app.domain.targets import ALL_LINES
from intake_app.services.auth import SignedIn
from intake_app.services.clinic import Actor
from intake_app.services.demo import rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from intake_app.services.reports import access_times
from intake_app.services.settings.holidays import add_closure, remove_closure
from intake_app.services.settings.recompute import OPEN_STATES
from intake_app.services.settings.targets import set_target
from intake_app.store.models import Referral
from tests.benchmarks.test_store_benchmark import RESULTS, SIZE, open_backend, summary, timed

pytestmark = pytest.mark.benchmark


def test_settings_benchmark(tmp_path: Path) -> None:
    rows = synthetic_rows(SIZE, seed=42, now=datetime.now(UTC) - timedelta(hours=1))
    signed_in = open_backend("sqlcipher", tmp_path).signed_in
    try:
        import_referrals(signed_in, rows_to_csv(rows))
        clinic = signed_in.clinic
        admin = SignedIn(clinic, Actor(1, "admin", frozenset({Role.ADMIN})))
        with clinic.session() as session:
            open_count = session.execute(
                select(func.count()).where(Referral.state.in_(OPEN_STATES))
            ).scalar_one()
        unit = iter(["calendar", "business"] * 10)
        moved: list[int] = []

        def change_target() -> None:
            change = set_target(
                admin,
                service_line=ALL_LINES,
                priority="routine",
                measure="first_consult",
                days=28,
                unit=next(unit),
            )
            moved.append(change.referrals_updated)

        today = clinic.calendar.local_date(clinic.now())
        closed = today + timedelta(days=1)
        while closed.weekday() >= 5:
            closed += timedelta(days=1)
        closures: list[int] = []

        def toggle_closure() -> None:
            closures.append(add_closure(admin, closed, "benchmark").referrals_updated)
            remove_closure(admin, closed)

        figures: dict[str, object] = {"referrals": SIZE, "open_referrals": open_count}
        figures["set_target"] = summary(timed(change_target, 6)) | {"moved": max(moved)}
        figures["add_and_remove_closure"] = summary(timed(toggle_closure, 4)) | {
            "moved": max(closures)
        }
        set_target(
            admin, service_line=ALL_LINES, priority="soon", measure="triage", days=7,
            unit="calendar",
        )  # fmt: skip
        start = today - timedelta(days=180)
        figures["access_time_report"] = summary(
            timed(lambda: access_times(signed_in, start, today, "service_line"), 5)
        )
    finally:
        signed_in.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "settings.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
