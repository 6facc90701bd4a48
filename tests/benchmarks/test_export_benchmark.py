"""Report exports on a large clinic: the weekly review of a quarter as XLSX, PDF and CSV.

Goal (issue 11): on 100,000 referrals, the XLSX export of a quarter under 5 s, the PDF under
5 s. Measured twice: the export alone (render and write the document the dashboard already
holds, as its Export button does) and with the figures computed first (as a scheduled
`intake-app report weekly-review` does).

    BENCH_REFERRALS=100000 .venv/bin/python -m pytest tests/benchmarks/test_export_benchmark.py \
        -m benchmark -s -p no:cacheprovider

BENCH_DB names a demo database made before (`intake-app demo --referrals 100000 --seed 11`)
to skip making one. Figures go to standard output and to bench-results/exports.json.
"""

import json
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

import pytest

from intake_app.services.auth import sign_in
from intake_app.services.demo import create_demo, demo_password
from intake_app.services.reporting import build_report
from intake_app.services.reporting.exports import export

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_REFERRALS", "100000"))
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"
REPEAT = 3


def test_export_benchmark(tmp_path: Path) -> None:
    given = os.environ.get("BENCH_DB")
    db = Path(given) if given else tmp_path / "demo.db"
    if not given:
        started = time.perf_counter()
        create_demo(db, referrals=SIZE, seed=11)
        print(f"\ndemo of {SIZE} referrals made in {time.perf_counter() - started:.0f} s")
    signed_in = sign_in(db, "manager", demo_password("manager"))
    results: dict[str, object] = {"referrals": SIZE}
    try:
        end = signed_in.clinic.calendar.local_date(signed_in.clinic.now())
        start = end - timedelta(days=90)
        for by in ("service_line", "partner"):
            t = time.perf_counter()
            document = build_report(signed_in, "weekly_review", start, end, by=by)
            figures_s = time.perf_counter() - t
            rows = sum(len(table.rows) for table in document.tables)
            entry: dict[str, object] = {"figures_s": round(figures_s, 3), "table_rows": rows}
            for fmt in ("xlsx", "pdf", "csv"):
                samples = []
                for n in range(REPEAT):
                    folder = tmp_path / f"{by}-{fmt}-{n}"
                    folder.mkdir()
                    t = time.perf_counter()
                    written = export(signed_in, document, fmt, folder)
                    samples.append(time.perf_counter() - t)
                    assert written
                size = sum(p.stat().st_size for p in written)
                export_s = statistics.median(samples)
                entry[fmt] = {
                    "export_s": round(export_s, 3),
                    "with_figures_s": round(export_s + figures_s, 3),
                    "bytes": size,
                }
                print(
                    f"weekly review by {by} ({rows} rows): {fmt} export {export_s:.2f} s, "
                    f"with figures {export_s + figures_s:.2f} s, {size:,} bytes"
                )
            results[f"weekly_review_by_{by}"] = entry
    finally:
        signed_in.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "exports.json").write_text(json.dumps(results, indent=2))
