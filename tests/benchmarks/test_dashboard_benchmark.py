"""The dashboard on 100,000 referrals: from choosing a period to the chart's first paint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -m benchmark -s \
        tests/benchmarks/test_dashboard_benchmark.py

BENCH_REFERRALS sets the size (default 100,000); BENCH_DB reuses a demo database made before
(`intake-app demo --db PATH --referrals 100000`). Figures go to bench-results/dashboard.json.
"""

import json
import os
import statistics
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject  # noqa: TID251 (a GUI benchmark)
from PySide6.QtWidgets import QApplication  # noqa: TID251

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_REFERRALS", "100000"))
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"
GOAL_MS = 1000


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BENCH_DB"):
        return Path(os.environ["BENCH_DB"])
    from intake_app.services.demo import create_demo

    path = tmp_path_factory.mktemp("dashboard-bench") / "demo.db"
    create_demo(path, referrals=SIZE, seed=3)
    return path


class Painted(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def test_first_paint_after_choosing_a_period(qapp: QApplication, big_demo: Path) -> None:
    from intake_app.services.auth import sign_in
    from intake_app.services.demo import demo_users
    from intake_app.ui.main_window import MainWindow

    signed_in = sign_in(big_demo, "manager", demo_users(big_demo)["manager"])
    window = MainWindow(signed_in, big_demo)
    window.resize(1500, 900)
    window.show()
    qapp.processEvents()
    dashboard = window.dashboard
    figures: dict[str, object] = {"referrals": SIZE, "goal_ms": GOAL_MS}

    def measure(choice: str, runs: int) -> dict[str, object]:
        paints, computes, reports = [], [], []
        for _ in range(runs):
            dashboard.set_period("custom")  # so that the choice below is a change
            qapp.processEvents()
            section = dashboard.current_section()
            # Painted when the chart (if there is one to draw) and the table have painted.
            targets = [section.panes[0].view.viewport()]
            if section.chart_view is not None:
                targets.append(section.chart_view.viewport())
            filters = [Painted() for _ in targets]
            for target, painted in zip(targets, filters, strict=True):
                target.installEventFilter(painted)
            start = time.perf_counter()
            dashboard.set_period(choice)
            shown = [t for t in targets if t.isVisible()]
            waiting = [f for t, f in zip(targets, filters, strict=True) if t in shown]
            deadline = start + 30
            while any(f.at is None for f in waiting) and time.perf_counter() < deadline:
                qapp.processEvents()
            for target, painted in zip(targets, filters, strict=True):
                target.removeEventFilter(painted)
            times = [f.at for f in waiting]
            assert times and None not in times
            painted_at = max(t for t in times if t is not None)
            paints.append((painted_at - start) * 1000)
            computes.append(dashboard.last_compute_ms)
            reports.append(dashboard.last_report_ms)
        first, last = dashboard.dates()
        return {
            "period": f"{first}..{last}",
            "first_paint_median_ms": round(statistics.median(paints)),
            "first_paint_max_ms": round(max(paints)),
            "of_which_build_report_ms": round(statistics.median(reports)),
            "of_which_report_tables_and_chart_ms": round(statistics.median(computes)),
        }

    try:
        # The landing section (access times) for each period choice.
        for choice in ("this_week", "last_week", "last_4_weeks", "this_quarter"):
            figures[f"access_times/{choice}"] = measure(choice, 5)
        # Every other section for a quarter.
        for key in dashboard.sections:
            if key != "access_times":
                dashboard.show_section(key)
                figures[f"{key}/this_quarter"] = measure("this_quarter", 3)
    finally:
        window.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
