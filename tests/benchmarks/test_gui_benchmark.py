"""Desktop benchmark on 100,000 referrals: launch to sign-in, sign-in to painted worklist,
search-as-you-type latency, peak memory.

    .venv/bin/python -m pytest tests/benchmarks/test_gui_benchmark.py -m benchmark -s

BENCH_REFERRALS sets the size (default 100,000). Figures go to bench-results/gui.json.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark
SIZE = int(os.environ.get("BENCH_REFERRALS", "100000"))
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"

SIGN_IN_PROBE = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from intake_app.ui.app import make_app
from intake_app.ui.session.signin import SignInDialog

class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", flush=True)
            sys.exit(0)
        return False

app = make_app()
dialog = SignInDialog(Path(sys.argv[1]))
painted = Painted()
dialog.installEventFilter(painted)
dialog.show()
app.exec()
"""


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from intake_app.services.demo import create_demo

    path = tmp_path_factory.mktemp("gui-bench") / "demo.db"
    start = time.perf_counter()
    create_demo(path, referrals=SIZE, seed=3)
    print(f"built {SIZE} referrals in {time.perf_counter() - start:.0f} s")
    return path


def env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_gui_benchmark(big_demo: Path) -> None:
    figures: dict[str, object] = {"referrals": SIZE}
    launches = []
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", SIGN_IN_PROBE, str(big_demo)],
            capture_output=True,
            text=True,
            env=env(),
            timeout=60,
            check=True,
        )
        assert "painted" in out.stdout
        launches.append(time.perf_counter() - start)
    figures["launch_to_sign_in_window_ms"] = round(statistics.median(launches) * 1000)

    smoke = subprocess.run(
        [sys.executable, "-m", "intake_app", "--smoke-test", "--db", str(big_demo)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
        check=True,
    )
    found = re.search(r"first paint: (\d+) ms from launch, (\d+) ms after unlocking", smoke.stdout)
    assert found, smoke.stdout + smoke.stderr
    figures["smoke_first_paint_from_launch_ms"] = int(found.group(1))
    figures["unlocked_to_painted_worklist_ms"] = int(found.group(2))
    peak = re.search(r"peak memory: (\d+) MB", smoke.stdout)
    assert peak, smoke.stdout
    figures["peak_memory_mb"] = int(peak.group(1))  # of the application, measured inside it
    figures["search_keystroke_ms"] = search_latency(big_demo)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gui.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))


def search_latency(db: Path) -> dict[str, float]:
    """Typing 'ngu' one key at a time: time from each key to the model holding the answer,
    without the 150 ms pause the search field waits for the typing to stop."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from intake_app.services.auth import sign_in
    from intake_app.services.demo import demo_users
    from intake_app.ui.app import make_app
    from intake_app.ui.common.bus import Bus
    from intake_app.ui.worklist.view import WorklistView

    app = make_app()
    signed_in = sign_in(db, "coordinator", demo_users(db)["coordinator"])
    view = WorklistView(signed_in, Bus())
    view.resize(1280, 720)
    view.show()
    app.processEvents()
    samples = []
    for _ in range(3):
        text = ""
        for letter in "ngu":
            text += letter
            start = time.perf_counter()
            view.search.setText(text)
            view.apply_filters()  # what the pause timer calls
            app.processEvents()
            samples.append((time.perf_counter() - start) * 1000)
        view.search.clear()
        view.apply_filters()
    view.close()
    view.deleteLater()
    app.processEvents()
    signed_in.close()
    ordered = sorted(samples)
    return {"median": round(statistics.median(ordered), 1), "max": round(ordered[-1], 1)}
