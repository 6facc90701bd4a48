"""Letters through the service: one letter, and a batch of 200 (target < 50 ms a letter).

.venv/bin/python -m pytest tests/benchmarks/test_letters_benchmark.py -m benchmark -s
"""

import json
import statistics
import time
from pathlib import Path

import pytest

from intake_app.domain.letters import LetterKind
from intake_app.services.auth import sign_in
from intake_app.services.demo import create_demo, demo_password
from intake_app.services.letters import Letters
from intake_app.services.referrals import ReferralQuery, Referrals

pytestmark = pytest.mark.benchmark
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


def test_letters_benchmark(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    create_demo(db, referrals=600, seed=5)
    signed_in = sign_in(db, "coordinator", demo_password("coordinator"))
    try:
        ids = [r.id for r in Referrals(signed_in).page(ReferralQuery(limit=200)).rows]
        letters = Letters(signed_in)
        singles = []
        for referral_id in ids[:20]:
            start = time.perf_counter()
            letters.render([referral_id], LetterKind.ACKNOWLEDGEMENT)
            singles.append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = letters.render(ids, LetterKind.ACKNOWLEDGEMENT)
        batch = time.perf_counter() - start
        start = time.perf_counter()
        letters.record(ids, LetterKind.ACKNOWLEDGEMENT, "printed")
        record = time.perf_counter() - start
    finally:
        signed_in.close()
    assert pdf is not None
    figures = {
        "one_letter_median_ms": round(statistics.median(singles) * 1000, 1),
        "batch_200_seconds": round(batch, 2),
        "batch_ms_per_letter": round(batch / len(ids) * 1000, 1),
        "record_200_ms": round(record * 1000, 1),
        "batch_pdf_kib": len(pdf) // 1024,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "letters.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
