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


def medical_oncology_in_november(referrals: list[int]) -> list[int]:
    return [referrals[0], referrals[1], referrals[4]]


def choose_row(pane, group: str) -> None:  # type: ignore[no-untyped-def]
    """Select the table row of `group` and press Enter, as a user does."""
    from PySide6.QtTest import QTest

    proxy = pane.proxy
    key = [c.key for c in pane.model.table.columns].index("group")
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, key).data(ValueRole) == group)
    pane.view.setFocus()
    pane.view.setCurrentIndex(proxy.index(row, key))
    QTest.keyClick(pane.view, Qt.Key.Key_Return)


def test_a_group_row_lists_exactly_its_referrals_in_the_worklist(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals
) -> None:
    window = make_window(qtbot, sign_in_as("mona"), clinic_files, prompter)
    dashboard = window.dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    choose_row(dashboard.sections["access_times"].panes[0], "medical_oncology")
    assert window.current_page() == "worklist"
    model = window.worklist.model
    shown = sorted(model.summary(r).id for r in range(model.rowCount()))
    assert shown == sorted(medical_oncology_in_november(referrals))
    assert "Medical oncology" in window.worklist.group_label.text()
    # Names for a user who may read referrals.
    assert model.summary(0).family_name.startswith("Patient")


def test_a_bar_click_lists_its_group(qtbot, sign_in_as, clinic_files, prompter, referrals) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCharts import QAbstractBarSeries
    from PySide6.QtCore import QPointF

    window = make_window(qtbot, sign_in_as("mona"), clinic_files, prompter)
    dashboard = window.dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    view = dashboard.sections["access_times"].chart_view
    chart = view.chart()
    (bars,) = [s for s in chart.series() if isinstance(s, QAbstractBarSeries)]
    # Bands are drawn bottom-up: band i is the group categories[i]. Nobody in the fixture
    # reached a first consult, so the bars are empty: the band is what takes the click.
    index = view.categories.index("radiation_oncology")
    (value_axis,) = chart.axes(Qt.Orientation.Horizontal)
    point = chart.mapToPosition(QPointF(value_axis.max() / 2, index + 0.3), bars)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(chart.mapToScene(point))
    )
    assert window.current_page() == "worklist"
    model = window.worklist.model
    assert sorted(model.summary(r).id for r in range(model.rowCount())) == [
        referrals[2],
        referrals[3],
    ]


def test_a_manager_who_may_not_read_referrals_gets_ids_only(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals, monkeypatch
) -> None:
    from intake_app.domain.enums import Role
    from intake_app.services.errors import ServiceError
    from intake_app.services.permissions import ROLE_PERMISSIONS, Permission
    from intake_app.services.reporting import referrals_behind

    monkeypatch.setitem(ROLE_PERMISSIONS, Role.MANAGER, frozenset({Permission.RUN_REPORTS}))
    mona = sign_in_as("mona")
    window = make_window(qtbot, mona, clinic_files, prompter)
    dashboard = window.dashboard
    assert window.current_page() == "reports"
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    choose_row(dashboard.sections["access_times"].panes[0], "medical_oncology")
    assert window.current_page() == "reports"  # not the worklist
    (_title, text), *_ = prompter.asked
    assert all(str(i) in text for i in medical_oncology_in_november(referrals))
    assert "Patient" not in text and "MRN" not in text
    # No identified export: not on screen, not through the page, not from the service.
    assert not dashboard.export_actions["identified"].isEnabled()
    paths = []
    dashboard.ask_save_path = lambda name, fmt: paths.append(name)  # type: ignore[assignment]
    assert dashboard.export_identified() == []
    assert paths == []
    assert prompter.asked[-1] == ("Export with names", "Needs the identified-export permission")
    with pytest.raises(ServiceError):
        referrals_behind(
            mona,
            "access_times",
            date(2026, 11, 1),
            date(2026, 11, 30),
            "service_line",
            "medical_oncology",
            identified=True,
        )


def test_export_writes_the_section_as_shown(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals, tmp_path
) -> None:
    import csv

    dashboard = make_window(qtbot, sign_in_as("mona"), clinic_files, prompter).dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    asked = []

    def save_path(name: str, fmt: str):  # type: ignore[no-untyped-def]
        asked.append(name)
        return tmp_path / name

    dashboard.ask_save_path = save_path  # type: ignore[assignment]
    (path,) = dashboard.export("csv")
    assert asked == ["access-times-access-times-2026-11-01-to-2026-11-30.csv"]
    assert path.stat().st_mode & 0o777 == 0o600
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    shown = dashboard.document("access_times").tables[0]
    assert [(r["group"], r["measure"], int(r["count"])) for r in rows] == [
        (row[1], row[2], row[3]) for row in shown.rows
    ]
    (workbook,) = dashboard.export("xlsx", "review")
    assert workbook.name == "weekly-review-2026-11-01-to-2026-11-30.xlsx"
    assert workbook.stat().st_size > 0


def answer_identified_dialog(qtbot, tick: bool, fmt: str = "csv") -> None:  # type: ignore[no-untyped-def]
    """When the dialog opens (under exec), tick the box or not, then OK or Cancel."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from intake_app.ui.reports.export import IdentifiedExportDialog

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, IdentifiedExportDialog):
            QTimer.singleShot(20, answer)
            return
        assert not dialog.ok.isEnabled()  # nothing is written without the explicit choice
        if tick:
            dialog.confirm.setChecked(True)
            dialog.format.setCurrentIndex(dialog.format.findData(fmt))
            dialog.ok.click()
        else:
            dialog.reject()

    QTimer.singleShot(0, answer)


def test_an_identified_export_needs_the_managers_explicit_choice(  # type: ignore[no-untyped-def]
    qtbot, sign_in_as, clinic_files, prompter, referrals, tmp_path
) -> None:
    window = make_window(qtbot, sign_in_as("mona"), clinic_files, prompter)
    dashboard = window.dashboard
    dashboard.set_custom_period(date(2026, 11, 1), date(2026, 11, 30))
    assert not dashboard.export_actions["identified"].isEnabled()  # no group chosen yet
    choose_row(dashboard.sections["access_times"].panes[0], "medical_oncology")
    assert dashboard.export_actions["identified"].isEnabled()
    out = tmp_path / "out"
    out.mkdir()
    dashboard.ask_save_path = lambda name, fmt: out / name  # type: ignore[assignment]
    answer_identified_dialog(qtbot, tick=False)
    assert dashboard.export_identified() == []
    assert list(out.iterdir()) == []
    answer_identified_dialog(qtbot, tick=True, fmt="csv")
    (path,) = dashboard.export_identified()
    assert "identified" in path.name
    text = path.read_text(encoding="utf-8")
    for number in (0, 1, 4):  # the medical-oncology referrals, by name
        assert f"Patient{number}" in text
    assert "Patient2" not in text
    assert path.stat().st_mode & 0o777 == 0o600
