"""Access-time measures: percentiles (checked against numpy), hours, summaries (SPEC §5)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from intake_app.domain.metrics import MEASURES, MeasureSummary, hours_between, percentile, summarise

CHICAGO = ZoneInfo("America/Chicago")
QS = (0, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 100)


def test_percentile_equals_numpy_on_random_samples() -> None:
    rng = np.random.default_rng(20261118)
    checked = 0
    for _ in range(300):
        size = int(rng.integers(1, 60))
        kind = rng.integers(0, 3)
        if kind == 0:
            sample = rng.exponential(scale=48.0, size=size)  # access times in hours
        elif kind == 1:
            sample = rng.integers(0, 10, size=size).astype(float)  # many ties
        else:
            sample = rng.normal(0.0, 1000.0, size=size)  # negatives too
        values = [float(v) for v in sample]
        for q in (*QS, float(rng.uniform(0, 100))):
            assert percentile(values, q) == pytest.approx(
                float(np.percentile(sample, q)), rel=1e-12, abs=1e-9
            ), (values, q)
            checked += 1
    assert checked == 300 * (len(QS) + 1)


def test_percentile_does_not_need_sorted_input_and_leaves_it_alone() -> None:
    values = [9.0, 1.0, 5.0, 3.0]
    assert percentile(values, 50) == pytest.approx(4.0)
    assert values == [9.0, 1.0, 5.0, 3.0]


@pytest.mark.parametrize("q", QS)
def test_percentile_of_one_value_is_that_value(q: float) -> None:
    assert percentile([7.25], q) == 7.25


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0, 10.0), (10, 11.0), (50, 15.0), (90, 19.0), (100, 20.0)],
)
def test_percentile_of_two_values_interpolates(q: float, expected: float) -> None:
    assert percentile([10.0, 20.0], q) == pytest.approx(expected)
    assert percentile([20.0, 10.0], q) == pytest.approx(expected)


def test_percentile_of_hand_worked_sample() -> None:
    # Sorted: 1, 2, 4, 8, 16. p90 sits at rank 0.9 * 4 = 3.6: 8 + 0.6 * (16 - 8) = 12.8.
    values = [16.0, 1.0, 8.0, 2.0, 4.0]
    assert percentile(values, 50) == 4.0
    assert percentile(values, 90) == pytest.approx(12.8)
    assert percentile(values, 25) == 2.0


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_hours_between() -> None:
    start = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    assert hours_between(start, start + timedelta(minutes=90)) == 1.5
    assert hours_between(start, start - timedelta(hours=2)) == -2.0
    assert hours_between(start, datetime(2026, 11, 18, 9, 0, tzinfo=CHICAGO)) == 0.0


def test_hours_between_counts_elapsed_time_across_a_clock_change() -> None:
    # Noon to noon over the night daylight saving time ends (1 November 2026) is 25 hours.
    start = datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO)  # CDT, 17:00 UTC
    end = datetime(2026, 11, 1, 12, 0, tzinfo=CHICAGO)  # CST, 18:00 UTC
    assert hours_between(start, end) == 25.0
    assert hours_between(start.astimezone(UTC), end.astimezone(UTC)) == 25.0


def test_measures_are_the_four_access_times_of_the_spec() -> None:
    assert MEASURES == ("acknowledge", "records_complete", "triage", "first_consult")


def test_summary_of_no_referrals() -> None:
    assert summarise("triage", [], []) == MeasureSummary("triage", 0, None, None, None)


def test_summary_rounds_hours_to_hundredths_and_share_to_four_places() -> None:
    # Sorted 1/3, 2/3, 3: median 2/3 = 0.666.. -> 0.67; p90 at rank 1.8: 2/3 + 0.8 * (3 - 2/3)
    # = 2.5333.. -> 2.53. One of three within target: 0.3333.
    summary = summarise("first_consult", [3.0, 1 / 3, 2 / 3], [True, False, False])
    assert summary == MeasureSummary("first_consult", 3, 0.67, 2.53, 0.3333)


def test_summary_with_hand_worked_values() -> None:
    hours = [30.0, 2.0, 4.0, 1.0, 50.0, 8.0]
    # Sorted 1, 2, 4, 8, 30, 50: median at rank 2.5 = 6.0; p90 at rank 4.5 = 40.0.
    summary = summarise("acknowledge", hours, [True, True, True, True, False, False])
    assert summary.count == 6
    assert summary.median_hours == 6.0
    assert summary.p90_hours == 40.0
    assert summary.within_target_share == pytest.approx(0.6667, abs=1e-12)


def test_summary_share_extremes_and_unknown_target() -> None:
    assert summarise("triage", [5.0], [True]).within_target_share == 1.0
    assert summarise("triage", [5.0, 6.0], [False, False]).within_target_share == 0.0
    assert summarise("triage", [5.0], []).within_target_share is None


def test_summary_of_one_value() -> None:
    summary = summarise("records_complete", [12.345678], [True])
    assert summary == MeasureSummary("records_complete", 1, 12.35, 12.35, 1.0)


def test_summary_agrees_with_numpy_after_rounding() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        sample = rng.gamma(2.0, 30.0, size=int(rng.integers(1, 40)))
        within = [bool(v < 48.0) for v in sample]
        summary = summarise("triage", [float(v) for v in sample], within)
        assert summary.median_hours == pytest.approx(round(float(np.median(sample)), 2), abs=0.01)
        assert summary.p90_hours == pytest.approx(
            round(float(np.percentile(sample, 90)), 2), abs=0.01
        )
        assert summary.within_target_share == pytest.approx(sum(within) / len(within), abs=5e-5)
