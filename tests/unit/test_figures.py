"""The arithmetic of the report figures, on plain values."""

from datetime import date

import pytest

from intake_app.domain import DomainError
from intake_app.domain.figures import (
    FunnelCounts,
    median_p90,
    meets,
    met_text,
    month_of,
    ordered_groups,
    share,
    top_missing,
    week_of,
)
from intake_app.domain.standards import (
    DEFAULT_STANDARDS,
    make_standard,
    standards_from_json,
    standards_to_json,
    with_standard,
    without_standard,
)


@pytest.mark.parametrize(
    ("met", "count", "threshold", "expected"),
    [
        (93, 100, 0.93, True),  # exactly at the threshold: met
        (92, 100, 0.93, False),
        (14, 15, 0.93, True),  # 0.9333
        (13, 14, 0.93, False),  # 0.9286
        (9, 10, 0.9, True),
        (7, 100, 0.07, True),  # 0.07 * 100 is 7.000000000000001 in floating point
        (0, 0, 0.9, None),
    ],
)
def test_meets_compares_exactly(met: int, count: int, threshold: float, expected: object) -> None:
    assert meets(met, count, threshold) is expected


def test_met_is_written_out() -> None:
    assert [met_text(True), met_text(False), met_text(None)] == ["met", "not met", "no data"]


def test_shares_medians_and_groups() -> None:
    assert (share(2, 3), share(0, 0)) == (0.6667, None)
    # 1, 2, 3, 10: median at 1.5 -> 2.5; p90 at 2.7 -> 3 + .7 * 7 = 7.9
    assert median_p90([10.0, 1.0, 3.0, 2.0]) == (2.5, 7.9)
    assert median_p90([]) == (None, None)
    assert week_of(date(2026, 11, 8)) == "2026-11-02"  # a Sunday: the week of Monday 2
    assert week_of(date(2027, 1, 1)) == "2026-12-28"  # across a year end
    assert month_of(date(2026, 11, 30)) == "2026-11"
    assert ordered_groups(["soon", "all", "routine"]) == ["all", "routine", "soon"]


def test_top_missing_by_count_then_name() -> None:
    labels = {"imaging": "Imaging", "labs": "Labs", "insurance": "Insurance"}
    counts = {"labs": 2, "imaging": 2, "insurance": 5, "diagnosis": 1, "demographics": 0}
    assert top_missing(counts, labels) == "Insurance (5); Imaging (2); Labs (2)"
    assert top_missing({}, labels) == ""


def test_funnel_places_each_referral_where_it_stands() -> None:
    f = FunnelCounts.empty()
    f.add("new", None, False, False, False, False)  # open, not acknowledged
    f.add("new", None, True, False, False, False)  # open, acknowledged
    f.add("declined", "new", True, False, False, False)
    f.add("redirected", "triaged", True, True, False, False)
    f.add("no_show", "scheduled", True, True, True, False)
    f.add("scheduled", None, True, True, True, True)  # seen, then reopened: open again
    f.add("seen", "scheduled", True, True, True, True)
    assert [f.reached[s] for s in ("received", "acknowledged", "triaged", "scheduled", "seen")] == [
        7,
        6,
        4,
        3,
        2,
    ]
    assert dict(f.open_at) == {"received": 1, "acknowledged": 1, "scheduled": 1}
    assert f.closed_at["acknowledged"]["declined"] == 1
    assert f.closed_at["triaged"]["redirected"] == 1
    assert f.closed_at["scheduled"]["no_show"] == 1
    assert sum(sum(c.values()) for c in f.closed_at.values()) == 3


def test_standards_round_trip_and_replace_by_name() -> None:
    assert standards_from_json(standards_to_json(DEFAULT_STANDARDS)) == DEFAULT_STANDARDS
    new = make_standard(" Consult in 28 days ", "first_consult", "calendar", 28, 0.9)
    assert new.name == "Consult in 28 days"
    added = with_standard(DEFAULT_STANDARDS, new)
    assert added[-1] == new and len(added) == 3
    changed = with_standard(added, make_standard("CONSULT IN 28 DAYS", "triage", "business", 2, 1))
    assert len(changed) == 3 and changed[-1].measure == "triage"
    assert without_standard(changed, "consult in 28 days") == DEFAULT_STANDARDS
    with pytest.raises(DomainError, match="no standard named"):
        without_standard(DEFAULT_STANDARDS, "nope")


def test_a_damaged_setting_is_named() -> None:
    with pytest.raises(DomainError, match=r"^standards: the stored standards are unreadable"):
        standards_from_json('[{"name": "x"}]')
    with pytest.raises(DomainError, match=r"^standards: "):
        standards_from_json("not json")
