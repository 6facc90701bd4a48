"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 returned
None from every void method without a reference, and the program aborted ("deallocating
None") after about 5,000 calls; constraints.txt pins a release without that fault."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_methods_keep_the_reference_count_of_none(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCharts import QBarSet

    label, bar_set = QLabel(), QBarSet("x")
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
        bar_set.append(1.0)
    # The fault took one reference a call: 400 fewer. A few either way are Python's own.
    assert abs(sys.getrefcount(None) - before) < 20
