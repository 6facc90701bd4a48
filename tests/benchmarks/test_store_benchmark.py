"""Store benchmark: import, log one, list open, report; SQLCipher against plain SQLite.

Run on demand (not in the default suite):
    .venv/bin/python -m pytest tests/benchmarks -m benchmark -s
BENCH_REFERRALS sets the size (default 100,000). Figures go to standard output
and to bench-results/store.json.
"""

import json
import os
import secrets
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from intake_app.domain.enums import Channel, Role, Sex, Trigger, Urgency
from intake_app.domain.intake import IntakeData
from intake_app.services.auth import SignedIn, initialise_database
from intake_app.services.clinic import Actor, Clinic
from intake_app.services.demo import DEMO_TIMEZONE, rows_to_csv, synthetic_rows
from intake_app.services.importer import import_referrals
from intake_app.services.referrals import DuplicateChoice, ReferralQuery, Referrals
from intake_app.services.reports import access_times
from intake_app.store.engine import encrypted_engine, plaintext_engine_for_benchmark
from intake_app.store.models import User, UserRole

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_REFERRALS", "100000"))
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


@dataclass
class Backend:
    name: str
    signed_in: SignedIn


def open_backend(name: str, folder: Path) -> Backend:
    path = folder / f"{name}.db"
    key = secrets.token_bytes(32)
    if name == "sqlcipher":
        engine = encrypted_engine(path, key, create=True)
    else:
        engine = plaintext_engine_for_benchmark(path)
    now = datetime.now(UTC)
    initialise_database(engine, uuid.uuid4().hex, "admin", DEMO_TIMEZONE, "US", now)
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        user = User(name="bench", display_name="bench", active=True, created_at=now)
        user.roles = [UserRole(role=r.value) for r in (Role.COORDINATOR, Role.TRIAGE, Role.MANAGER)]
        session.add(user)
        session.flush()
        actor = Actor(user.id, user.name, frozenset({Role.COORDINATOR, Role.TRIAGE, Role.MANAGER}))
    clinic = Clinic(engine, str(path), key, db_path=path)
    return Backend(name, SignedIn(clinic, actor))


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 2),
        "n": len(ordered),
    }


def run_backend(backend: Backend, csv_text: str) -> dict[str, dict[str, float]]:
    signed_in = backend.signed_in
    results: dict[str, dict[str, float]] = {}
    start = time.perf_counter()
    imported = import_referrals(signed_in, csv_text)
    results["import"] = {
        "seconds": round(time.perf_counter() - start, 2),
        "referrals": imported.referrals,
    }

    staff = Referrals(signed_in)
    now = signed_in.clinic.now()
    counter = iter(range(10**6))

    def log_one() -> None:
        n = next(counter)
        staff.log(
            IntakeData(
                received_at=now - timedelta(minutes=5),
                channel=Channel.FAX,
                partner="Valley Gastroenterology",
                family_name=f"Benchmark{n}",
                given_name="Ana",
                date_of_birth=datetime(1960, 1, 1).date(),
                sex=Sex.FEMALE,
                service_line="medical_oncology",
                trigger=Trigger.ABNORMAL_IMAGING,
                referrer_urgency=Urgency.SOON,
            ),
            {"referral_order": None, "demographics": None, "insurance": None},
            duplicate=DuplicateChoice.KEEP_BOTH,
        )

    results["log_one_referral"] = summary(timed(log_one, 200))
    first_page = ReferralQuery(open_only=True, limit=100)
    results["list_open_first_page"] = summary(timed(lambda: staff.page(first_page), 20))
    search = ReferralQuery(open_only=True, search="ngu", limit=100)
    results["search_open_prefix"] = summary(timed(lambda: staff.page(search), 20))
    total_open = staff.page(first_page).total
    results["list_open_first_page"]["open_referrals"] = total_open
    end = signed_in.clinic.calendar.local_date(now)
    results["access_time_report"] = summary(
        timed(lambda: access_times(signed_in, end - timedelta(days=180), end, "service_line"), 5)
    )
    return results


def test_store_benchmark(tmp_path: Path) -> None:
    rows = synthetic_rows(SIZE, seed=42, now=datetime.now(UTC) - timedelta(hours=1))
    csv_text = rows_to_csv(rows)
    figures: dict[str, object] = {"referrals": SIZE, "machine_cores": os.cpu_count()}
    # Plain first: SQLCipher's memory security is process-wide once on, and only
    # affects SQLCipher's own allocator, so the order does not bias the plain run.
    for name in ("plain_sqlite", "sqlcipher"):
        backend = open_backend(name, tmp_path)
        try:
            figures[name] = run_backend(backend, csv_text)
        finally:
            backend.signed_in.close()
    plain, cipher = figures["plain_sqlite"], figures["sqlcipher"]
    ratios = {
        "import": round(cipher["import"]["seconds"] / plain["import"]["seconds"], 2),  # type: ignore[index]
    }
    for key in (
        "log_one_referral",
        "list_open_first_page",
        "search_open_prefix",
        "access_time_report",
    ):
        ratios[key] = round(cipher[key]["median_ms"] / plain[key]["median_ms"], 2)  # type: ignore[index]
    figures["encrypted_over_plain"] = ratios
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "store.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
