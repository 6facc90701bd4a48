"""The managers' dashboard: landing page, recomputing, sorting, click-through, permissions,
the dark palette, and that the charts stay out of the sign-in."""

import subprocess
import sys
from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from intake_app.domain.report_tables import Column, Table
from intake_app.services.reporting import build_report
from intake_app.ui.common.style import dark_palette
from intake_app.ui.main_window import MainWindow
from intake_app.ui.reports.table_model import ReportSortProxy, ReportTableModel, ValueRole
from tests.factories import log_referral


def chicago(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def referrals(sign_in_as):  # type: ignore[no-untyped-def]
    """Five referrals in November 2026: two service lines, two channels."""
    from intake_app.domain.enums import Channel

    cora = sign_in_as("cora")
    made = []
    for day, line, channel in (
        ("2026-11-02T09:00", "medical_oncology", Channel.FAX),
        ("2026-11-03T10:00", "medical_oncology", Channel.EMAIL),
        ("2026-11-09T11:00", "radiation_oncology", Channel.FAX),
        ("2026-11-10T12:00", "radiation_oncology", Channel.FAX),
        ("2026-11-16T09:30", "medical_oncology", Channel.PHONE),
    ):
        made.append(
            log_referral(
                cora,
                received_at=chicago(day),
                service_line=line,
                channel=channel,
                family_name=f"Patient{len(made)}",
                mrn=f"MRN-{len(made)}",
            )
        )
    return made


def make_window(qtbot, signed_in, clinic_files, prompter) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(signed_in, clinic_files.db, prompter)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def shown_rows(pane) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    model = pane.model
    return [
        tuple(model.index(r, c).data(ValueRole) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def test_managers_land_on_the_dashboard_and_see_build_reports_numbers(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals
) -> None:
    mona = sign_in_as("mona")
    window = make_window(qtbot, mona, clinic_files, prompter)
    assert window.current_page() == "reports"
    dashboard = window.dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    section = dashboard.sections["access_times"]
    expected = build_report(
        mona, "access_times", date(2026, 11, 1), date(2026, 11, 30), by="service_line"
    )
    assert shown_rows(section.panes[0]) == list(expected.tables[0].rows)
    # The chart draws the same groups the table lists.
    assert section.chart_data is not None
    assert set(section.chart_data.groups) == {"all", "medical_oncology", "radiation_oncology"}
    assert "Medical oncology" in " ".join(section.chart_data.labels)


def test_period_group_and_clock_choices_recompute(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals
) -> None:
    mona = sign_in_as("mona")
    dashboard = make_window(qtbot, mona, clinic_files, prompter).dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 8))
    with qtbot.waitSignal(dashboard.computed):
        dashboard.group_by.setCurrentIndex(dashboard.group_by.findData("channel"))
    with qtbot.waitSignal(dashboard.computed):
        dashboard.held_radios["adjusted"].setChecked(True)
    shown = dashboard.document("access_times")
    assert shown is not None
    assert (shown.group_by, shown.held) == ("channel", "adjusted")
    assert (shown.period_start, shown.period_end) == (date(2026, 11, 1), date(2026, 11, 8))
    expected = build_report(
        mona, "access_times", date(2026, 11, 1), date(2026, 11, 8), by="channel", held="adjusted"
    )
    assert shown_rows(dashboard.sections["access_times"].panes[0]) == list(expected.tables[0].rows)
    groups = {row[1] for row in expected.tables[0].rows}
    assert groups == {"all", "fax", "email"}  # two referrals in the week, the rest outside
    # A named period: last week of the clinic's today (the clock: Wednesday 18 Nov 2026).
    with qtbot.waitSignal(dashboard.computed):
        dashboard.set_period("last_week")
    assert dashboard.dates() == (date(2026, 11, 9), date(2026, 11, 15))
    assert not dashboard.start_edit.isEnabled()


def test_other_roles_have_no_reports_page(qtbot, sign_in_as, clinic_files, prompter) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    assert "reports" not in window._page_keys
    assert not hasattr(window, "dashboard")


def test_tables_sort_numbers_as_numbers_and_empty_cells_last(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    table = Table(
        "partners",
        "Partner scorecard",
        (
            Column("group", "Partner"),
            Column("sent", "Sent", "count"),
            Column("complete_share", "Complete on arrival", "share"),
        ),
        (("B", 9, 0.095), ("A", 10, None), ("C", 2, 0.5), ("D", 100, 0.1)),
    )
    model = ReportTableModel(table)
    qtmodeltester.check(model)
    proxy = ReportSortProxy()
    proxy.setSourceModel(model)

    def column(number: int) -> list[str]:
        return [proxy.index(r, number).data() for r in range(proxy.rowCount())]

    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert column(1) == ["2", "9", "10", "100"]
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    assert column(2) == ["9.5 %", "10.0 %", "50.0 %", "–"]
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    assert column(2) == ["50.0 %", "10.0 %", "9.5 %", "–"]
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert column(0) == ["D", "C", "B", "A"]


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = channel(c.redF()), channel(c.greenF()), channel(c.blueF())
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_charts_read_in_light_and_dark_palettes_without_colour(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals, scheme
) -> None:
    from PySide6.QtCharts import QAbstractBarSeries

    from intake_app.ui.reports.charts import PATTERNS

    window = make_window(qtbot, sign_in_as("mona"), clinic_files, prompter)
    dashboard = window.dashboard
    if scheme == "dark":
        window.setPalette(dark_palette())  # reaches the page as a palette change
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    view = dashboard.sections["access_times"].chart_view
    chart = view.chart()
    ground = chart.backgroundBrush().color()
    assert (ground.lightness() < 128) == (scheme == "dark")
    assert contrast(chart.titleBrush().color(), ground) >= 7
    assert contrast(chart.legend().labelColor(), ground) >= 7
    for axis in chart.axes():
        assert contrast(axis.labelsColor(), ground) >= 7
    (bars,) = [s for s in chart.series() if isinstance(s, QAbstractBarSeries)]
    # Each bar carries its value, and the sets differ by pattern, not only by colour.
    assert bars.isLabelsVisible()
    assert [b.brush().style() for b in bars.barSets()] == list(PATTERNS[: bars.count()])
    for bar_set in bars.barSets():
        assert contrast(bar_set.labelColor(), ground) >= 7
        assert contrast(bar_set.pen().color(), ground) >= 3
    assert dashboard.palette().color(QPalette.ColorRole.Window).lightness() < 128 or (
        scheme == "light"
    )


def test_the_sign_in_and_main_window_do_not_load_qt_charts() -> None:
    probe = (
        "import sys; import intake_app.ui.session.signin, intake_app.ui.main_window, "
        "intake_app.ui.reports.dashboard; print('PySide6.QtCharts' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


def test_the_worklist_lists_exactly_a_set_of_referrals(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals
) -> None:
    window = make_window(qtbot, sign_in_as("cora"), clinic_files, prompter)
    worklist = window.worklist
    worklist.search.setText("Patient0")
    worklist.apply_filters()
    chosen = (referrals[1], referrals[3])
    # More ids than SQLite takes parameters: the set is written into the query.
    window.show_report_group((*chosen, *range(10_000, 50_000)), "the 2 referrals behind Fax")
    model = worklist.model
    assert sorted(model.summary(r).id for r in range(model.rowCount())) == sorted(chosen)
    assert worklist.group_bar.isVisible()
    assert "behind Fax" in worklist.group_label.text()
    assert worklist.search.text() == ""  # the set, not the set within an older search
    worklist.group_clear.click()
    assert model.rowCount() == len(referrals)
    assert not worklist.group_bar.isVisible()
