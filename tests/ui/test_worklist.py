"""The worklist: a paged table model over the services, its filters, search, sort and refresh."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QBrush, QIcon

from intake_app.domain.enums import CloseReason, Priority
from intake_app.services.auth import SignedIn
from intake_app.services.referrals import ReferralQuery, Referrals
from intake_app.ui.worklist.model import (
    COLUMN_INDEX,
    COLUMNS,
    PAGE_SIZE,
    DueStatusRole,
    ReferralIdRole,
    WorklistModel,
)
from intake_app.ui.worklist.view import WorklistView
from tests.factories import log_referral

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
DECORATION = Qt.ItemDataRole.DecorationRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole


def chicago(text: str) -> datetime:
    return datetime.fromisoformat(text + "-06:00")


def ids(model: WorklistModel) -> list[int]:
    return [model.data(model.index(r, 0), ReferralIdRole) for r in range(model.rowCount())]


def cell(model: WorklistModel, row: int, key: str, role: int = DISPLAY):  # type: ignore[no-untyped-def]
    return model.data(model.index(row, COLUMN_INDEX[key]), role)


def family_names(model: WorklistModel) -> list[str]:
    return [cell(model, r, "patient").split(",")[0] for r in range(model.rowCount())]


@pytest.fixture
def make_view(qtbot, bus):  # type: ignore[no-untyped-def]
    def _make(signed_in: SignedIn) -> WorklistView:
        view = WorklistView(signed_in, bus)
        qtbot.addWidget(view)
        view.resize(1280, 720)
        return view

    return _make


# -- the model ---------------------------------------------------------------------------


def test_model_passes_the_model_tester(sign_in_as, clock, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    for n in range(5):
        clock.advance(minutes=1)
        log_referral(cora, family_name=f"Tester{n}")
    qtmodeltester.check(WorklistModel(cora))
    paged = WorklistModel(cora, page_size=2)  # the tester fetches more as it goes
    qtmodeltester.check(paged)
    assert paged.rowCount() > 2


def test_columns_show_the_referral_in_clinic_time(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    lines = cora.clinic.service_lines
    required = [i for i in lines["medical_oncology"].checklist if i.required]
    rid = log_referral(cora, {required[0].key: None}, mrn="MRN-9")
    model = WorklistModel(cora)
    assert ids(model) == [rid]
    shown = {c.key: cell(model, 0, c.key) for c in COLUMNS}
    assert shown == {
        "received": "16 Nov 2026 09:30",  # received 15:30 UTC, shown in Chicago time
        "patient": "Fernández, Siobhán (14 Mar 1957)",
        "service_line": "Medical oncology",
        "partner": "Valley Gastroenterology",
        "channel": "Fax",
        "status": "New",
        "missing": str(len(required) - 1),
        "priority": "(Soon)",  # proposed, not final
        "next_due": "Acknowledge",
        "due": "Overdue · 17 Nov",
        "assigned": "–",
        "waiting": "1 d 23 h",  # Mon 09:30 to the clock's Wed 09:00
    }
    assert "MRN-9" in cell(model, 0, "patient", TOOLTIP)
    assert cell(model, 0, "missing", TOOLTIP).count("\n• ") == len(required) - 1
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))] == [
        "Received",
        "Waiting",
        "Patient",
        "Service line",
        "Partner",
        "Channel",
        "Status",
        "Assigned",
        "Missing",
        "Priority",
        "Next due",
        "Due",
    ]


def test_final_priority_replaces_the_proposal(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    rid = log_referral(cora)
    Referrals(tess).triage(rid, Priority.URGENT, reason="clinical judgement")
    model = WorklistModel(cora)
    assert (cell(model, 0, "priority"), cell(model, 0, "status")) == ("Urgent", "Triaged")
    assert "proposed: soon" in cell(model, 0, "priority", TOOLTIP)


def test_overdue_and_due_today_rows_stand_out_with_text_icon_and_tint(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")  # the clock: Wednesday 18 November, 09:00 in Chicago
    overdue = log_referral(cora, family_name="Late")  # Monday: acknowledgement due Tuesday
    today = log_referral(cora, family_name="Today", received_at=chicago("2026-11-17T09:00"))
    upcoming = log_referral(cora, family_name="Later", received_at=chicago("2026-11-18T08:45"))
    model = WorklistModel(cora)
    rows = {rid: model.row_of(rid) for rid in (overdue, today, upcoming)}

    row = rows[overdue]
    assert cell(model, row, "due", DueStatusRole) == "overdue"
    assert cell(model, row, "due").startswith("Overdue")
    assert cell(model, row, "due", TOOLTIP).startswith("Overdue: Acknowledge was due")
    icon = cell(model, row, "due", DECORATION)
    assert isinstance(icon, QIcon) and not icon.isNull()
    assert cell(model, row, "due", Qt.ItemDataRole.AccessibleTextRole).count("Overdue") >= 1
    late_tint = cell(model, row, "patient", BACKGROUND)
    assert isinstance(late_tint, QBrush)

    row = rows[today]
    assert cell(model, row, "due") == "Due today"
    assert cell(model, row, "due", TOOLTIP).startswith("Due today: Acknowledge")
    icon = cell(model, row, "due", DECORATION)
    assert isinstance(icon, QIcon) and not icon.isNull()
    today_tint = cell(model, row, "partner", BACKGROUND)
    assert isinstance(today_tint, QBrush) and today_tint.color() != late_tint.color()

    row = rows[upcoming]
    assert cell(model, row, "due") == "Thu 19 Nov"
    assert cell(model, row, "due", DECORATION) is None
    assert cell(model, row, "patient", BACKGROUND) is None
    assert cell(model, row, "due", DueStatusRole) == "upcoming"


def test_rows_arrive_a_page_at_a_time(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    logged = []
    for n in range(7):
        clock.advance(minutes=1)
        logged.append(log_referral(cora, family_name=f"Paged{n}"))
    model = WorklistModel(cora, page_size=3)
    assert (model.rowCount(), model.total, model.rows_fetched) == (3, 7, 3)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert ids(model) == logged[::-1]  # newest first
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # nothing more: no query
    assert model.rows_fetched == 7
    assert model.canFetchMore(model.index(0, 0)) is False  # a flat table


def test_sort_asks_the_database_and_skips_columns_without_an_order(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    for family in ("Mendes", "Abara", "Zhou", "Kowalski"):
        clock.advance(minutes=1)
        log_referral(cora, family_name=family)
    model = WorklistModel(cora, page_size=2)
    model.sort(COLUMN_INDEX["patient"], Qt.SortOrder.AscendingOrder)
    assert (model.query.sort, model.query.descending) == ("patient", False)
    assert family_names(model) == ["Abara", "Kowalski"]  # the first page of the whole order
    model.sort(COLUMN_INDEX["patient"], Qt.SortOrder.DescendingOrder)
    assert family_names(model) == ["Zhou", "Mendes"]
    queries = model.queries
    model.sort(COLUMN_INDEX["missing"], Qt.SortOrder.AscendingOrder)
    assert model.queries == queries and model.query.sort == "patient"


def test_the_model_follows_a_reopened_clinic(sign_in_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Unlocking the main window gives the same SignedIn a re-opened clinic."""
    cora = sign_in_as("cora")
    model = WorklistModel(cora)
    old = cora.clinic
    cora.clinic = sign_in_as("cora").clinic
    old.close()

    def closed() -> None:
        raise AssertionError("the model used the clinic closed by the lock")

    monkeypatch.setattr(old, "session", closed)
    rid = log_referral(cora)
    model.refresh()
    assert (ids(model), model.error) == ([rid], "")
    assert cell(model, 0, "received") == "16 Nov 2026 09:30"


def test_a_user_without_access_sees_the_refusal(sign_in_as, make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view(sign_in_as("admin"))  # administrators manage users, not referrals
    assert view.model.rowCount() == 0
    assert "may not list referrals" in view.error_label.text()
    assert view.count_label.text() == "0 referrals"


# -- the view ------------------------------------------------------------------------------


@pytest.fixture
def mixed(sign_in_as, clock):  # type: ignore[no-untyped-def]
    """Referrals across lines, states, priorities and users; name -> id."""
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    lines = cora.clinic.service_lines
    all_items = {i.key: None for i in lines["hematology"].checklist if i.required}
    out = {}
    clock.advance(minutes=1)
    out["Nguyen"] = log_referral(cora, family_name="Nguyen", mrn="MRN-100")
    clock.advance(minutes=1)
    out["Abara"] = log_referral(
        cora,
        all_items,
        family_name="Abara",
        service_line="hematology",
        partner="Harbor Neurology Group",
        received_at=chicago("2026-11-18T08:45"),
    )
    clock.advance(minutes=1)
    out["Okafor"] = log_referral(cora, family_name="Okafor", service_line="hematology")
    clock.advance(minutes=1)
    out["Smith"] = log_referral(cora, family_name="Smith", mrn="MRN-200")
    Referrals(tess).triage(out["Okafor"], Priority.URGENT, reason="clinical judgement")
    Referrals(tess).triage(out["Smith"], Priority.ROUTINE, reason="clinical judgement")
    Referrals(tess).close(out["Nguyen"], CloseReason.DECLINED, "not for oncology")
    # Logged by someone else, so "my recent" leaves it out.
    from intake_app.domain.enums import Role
    from intake_app.services.auth import sign_in
    from intake_app.services.users import add_user

    add_user(sign_in_as("admin"), "cleo", "cleo-password-1", [Role.COORDINATOR])
    cleo = sign_in(cora.clinic.db_path, "cleo", "cleo-password-1", clock=clock)
    try:
        clock.advance(minutes=1)
        out["Brown"] = log_referral(
            cleo, family_name="Brown", received_at=chicago("2026-11-18T08:50")
        )
    finally:
        cleo.close()
    return cora, out


def pick(combo, data: str) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_filters_change_the_rows(mixed, make_view) -> None:  # type: ignore[no-untyped-def]
    cora, logged = mixed
    view = make_view(cora)

    def shown() -> set[str]:
        by_id = {v: k for k, v in logged.items()}
        return {by_id[i] for i in ids(view.model)}

    assert shown() == set(logged)
    assert view.count_label.text() == "5 referrals"
    pick(view.status_filter, "open")
    assert shown() == {"Abara", "Okafor", "Smith", "Brown"}
    assert view.count_label.text() == "4 referrals"
    pick(view.status_filter, "triaged")
    assert shown() == {"Okafor", "Smith"}
    pick(view.line_filter, "hematology")
    assert shown() == {"Okafor"}
    assert view.count_label.text() == "1 referral"
    pick(view.status_filter, "any")
    assert shown() == {"Abara", "Okafor"}
    pick(view.line_filter, "any")
    pick(view.priority_filter, "routine")
    assert shown() == {"Smith"}
    pick(view.priority_filter, "any")
    view.incomplete_only.setChecked(True)
    assert shown() == {"Nguyen", "Okafor", "Smith", "Brown"}  # Abara came complete
    view.incomplete_only.setChecked(False)
    view.overdue_only.setChecked(True)
    # Received Monday, acknowledgement due in a business day; Smith, routine, has two (due
    # today, not overdue) and the declined referral is due nothing.
    assert shown() == {"Okafor"}
    view.overdue_only.setChecked(False)
    view.mine_recent.setChecked(True)
    assert shown() == {"Nguyen", "Abara", "Okafor", "Smith"}  # Brown was logged by Cleo
    assert view.model.query.mine_recent_days == 7
    view.mine_recent.setChecked(False)
    assert shown() == set(logged)


def test_search_as_you_type_waits_for_a_pause_then_asks_once(mixed, make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    cora, logged = mixed
    view = make_view(cora)
    before = view.model.queries
    qtbot.keyClicks(view.search, "oka")
    assert view.model.rowCount() == 5  # not yet: the search waits for a pause
    qtbot.waitUntil(lambda: ids(view.model) == [logged["Okafor"]], timeout=2000)
    assert view.model.queries == before + 1  # one query for three keystrokes
    assert view.count_label.text() == "1 referral"
    view.search.setText("mrn-2")
    qtbot.waitUntil(lambda: ids(view.model) == [logged["Smith"]], timeout=2000)
    view.search.setText("harbor")  # the partner
    qtbot.waitUntil(lambda: ids(view.model) == [logged["Abara"]], timeout=2000)
    view.search.setText("zzz")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=2000)
    assert view.count_label.text() == "0 referrals"
    view.search.setFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)  # clears at once
    assert view.model.rowCount() == 5 and view.search.text() == ""


def test_clicking_a_header_sorts_in_the_database(mixed, make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    cora, _ = mixed
    view = make_view(cora)
    view.show()
    qtbot.waitExposed(view)
    header = view.table.horizontalHeader()

    def click(key: str) -> None:
        column = COLUMN_INDEX[key]
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    click("patient")
    assert family_names(view.model) == ["Abara", "Brown", "Nguyen", "Okafor", "Smith"]
    assert header.sortIndicatorSection() == COLUMN_INDEX["patient"]
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    click("patient")
    assert family_names(view.model) == ["Smith", "Okafor", "Nguyen", "Brown", "Abara"]
    click("due")  # soonest deadline first; the declined referral has none
    assert view.model.query.sort == "due"
    dues = [cell(view.model, r, "due") for r in range(view.model.rowCount())]
    assert next(d for d in dues if d).startswith("Overdue")
    queries = view.model.queries
    click("missing")  # no database order: nothing happens, the indicator stays
    assert view.model.queries == queries
    assert header.sortIndicatorSection() == COLUMN_INDEX["due"]


def test_double_click_or_enter_opens_the_referral(mixed, make_view, qtbot, bus) -> None:  # type: ignore[no-untyped-def]
    cora, _ = mixed
    view = make_view(cora)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    second = view.model.data(view.model.index(1, 0), ReferralIdRole)
    rect = view.table.visualRect(view.model.index(1, COLUMN_INDEX["patient"]))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected_referral() == second
    with qtbot.waitSignal(bus.open_referral, check_params_cb=lambda rid: rid == second):
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    view.table.setCurrentIndex(QModelIndex())
    view.focus_search()
    assert view.search.hasFocus()
    qtbot.keyClick(view.search, Qt.Key.Key_Down)  # from the search into the list, first row
    assert view.table.hasFocus() and view.table.currentIndex().row() == 0
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.table.currentIndex().row() == 1
    with qtbot.waitSignal(bus.open_referral, check_params_cb=lambda rid: rid == second):
        qtbot.keyClick(view.table, Qt.Key.Key_Return)


def test_a_change_on_the_bus_refreshes_with_the_same_filters(
    sign_in_as, clock, make_view, bus
) -> None:  # type: ignore[no-untyped-def]
    cora = sign_in_as("cora")
    first = log_referral(cora, family_name="First", service_line="hematology")
    view = make_view(cora)
    pick(view.line_filter, "hematology")
    view.select_referral(first)
    clock.advance(minutes=1)
    other = log_referral(cora, family_name="Other", service_line="medical_oncology")
    clock.advance(minutes=1)
    second = log_referral(cora, family_name="Second", service_line="hematology")
    assert ids(view.model) == [first]  # nothing moves until the bus says so
    bus.referrals_changed.emit(second)
    assert ids(view.model) == [second, first]
    assert other not in ids(view.model)
    assert view.count_label.text() == "2 referrals"
    assert view.selected_referral() == first  # the selection follows the referral


# -- 100,000 referrals -----------------------------------------------------------------------

BIG = 100_000
BIG_NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def big_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    """A clinic of 100,000 synthetic referrals, built once (about a minute)."""
    from intake_app.domain.enums import Role
    from intake_app.services.auth import create_clinic, sign_in
    from intake_app.services.demo import rows_to_csv, synthetic_rows
    from intake_app.services.importer import parse_csv, write_records
    from intake_app.services.users import add_user

    def clock() -> datetime:
        return BIG_NOW

    db: Path = tmp_path_factory.mktemp("big") / "big.db"
    created = create_clinic(
        db, "admin", "admin-password-1", timezone="America/Chicago", clock=clock
    )
    try:
        add_user(created.session, "cora", "coordinator-pw-1", [Role.COORDINATOR])
    finally:
        created.session.close()
    cora = sign_in(db, "cora", "coordinator-pw-1", clock=clock)
    try:
        clinic = cora.clinic
        rows = synthetic_rows(BIG, 11, clinic.now(), clinic.settings.timezone)
        records = parse_csv(
            rows_to_csv(rows), clinic.service_lines, clinic.calendar.tz, clinic.now()
        )
        write_records(cora, records, action="test_import")
        yield cora
    finally:
        cora.close()


@pytest.mark.slow
def test_a_hundred_thousand_referrals_load_one_page(big_clinic, bus, qtbot) -> None:  # type: ignore[no-untyped-def]
    view = WorklistView(big_clinic, bus)
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    qtbot.waitExposed(view)
    model = view.model
    assert model.total == BIG
    assert model.rowCount() == PAGE_SIZE
    assert view.count_label.text() == "100,000 referrals"
    for row in range(PAGE_SIZE):  # everything the view can show answers from what was fetched
        for column in range(model.columnCount()):
            model.data(model.index(row, column), DISPLAY)
    assert model.rows_fetched == PAGE_SIZE
    assert model.queries == 1

    # Scrolling to the end of what is loaded fetches exactly one more page.
    view.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE, timeout=5000)
    assert model.rows_fetched == 2 * PAGE_SIZE

    # A change elsewhere reloads what was loaded, in one query, and keeps the place.
    view.select_referral(model.summary(300).id)
    scrolled = view.table.verticalScrollBar().value()
    assert scrolled > 0
    bus.referrals_changed.emit(-1)
    assert model.rowCount() == 2 * PAGE_SIZE and model.rows_fetched == 4 * PAGE_SIZE
    assert view.table.verticalScrollBar().value() == scrolled
    assert view.table.currentIndex().row() == 300
    fetched = model.rows_fetched

    # Sorting and searching are new queries, each one page long, from the top.
    model.sort(COLUMN_INDEX["patient"], Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == PAGE_SIZE and model.rows_fetched == fetched + PAGE_SIZE
    assert view.table.verticalScrollBar().value() == 0
    names = [model.summary(r).family_name for r in range(PAGE_SIZE)]
    assert names == sorted(names)
    first = Referrals(big_clinic).page(ReferralQuery(sort="patient", descending=False, limit=1))
    assert names[0] == first.rows[0].family_name
    view.search.setText("MRN10000")
    qtbot.waitUntil(lambda: model.total < BIG, timeout=5000)
    assert model.total > 0 and model.rowCount() == min(model.total, PAGE_SIZE)
    assert all(model.summary(r).mrn.startswith("MRN10000") for r in range(model.rowCount()))
    assert model.rows_fetched == fetched + PAGE_SIZE + model.rowCount()
    assert date(1935, 1, 1) <= model.summary(0).date_of_birth


def test_missing_items_are_named_in_the_tooltip(qtbot, sign_in_as, bus) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from intake_app.ui.worklist.view import WorklistView
    from tests.factories import log_referral

    cora = sign_in_as("cora")
    required = [i for i in cora.clinic.service_lines["hematology"].checklist if i.required]
    log_referral(cora, {i.key: None for i in required[1:-1]}, service_line="hematology")
    view = WorklistView(cora, bus)
    qtbot.addWidget(view)
    model = view.model
    column = next(
        i
        for i in range(model.columnCount())
        if model.headerData(i, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Missing"
    )
    index = model.index(0, column)
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "2"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == (
        f"Required, not yet received:\n• {required[0].label}\n• {required[-1].label}"
    )


def test_the_assigned_filter_and_columns_show_who_works_what(  # type: ignore[no-untyped-def]
    sign_in_as, make_view, qtbot, clock
) -> None:
    cora, tess = sign_in_as("cora"), sign_in_as("tess")
    taken, given, free = (log_referral(cora, mrn=f"MRN-{n}") for n in range(3))
    Referrals(tess).assign_to_me(taken)
    Referrals(cora).assign(given, "cora")
    clock.advance(days=2, hours=3)
    view = make_view(tess)
    view.show()
    qtbot.waitExposed(view)
    rows = {view.model.summary(r).id: r for r in range(view.model.rowCount())}
    assert cell(view.model, rows[taken], "assigned") == "tess"
    assert cell(view.model, rows[given], "assigned") == "cora"
    assert cell(view.model, rows[free], "assigned") == "–"
    assert cell(view.model, rows[free], "assigned", TOOLTIP) == "Not assigned to anyone"
    # Received Mon 09:30; the clock is now Fri 12:00.
    assert cell(view.model, rows[free], "waiting") == "4 d 2 h"
    assert cell(view.model, rows[free], "waiting", TOOLTIP).endswith("waiting: 4 d 2 h")

    # Keyboard: Tab from the priority filter reaches it, and arrows choose.
    view.priority_filter.setFocus()
    qtbot.keyClick(view.priority_filter, Qt.Key.Key_Tab)
    assert view.focusWidget() is view.ownership_filter
    qtbot.keyClick(view.ownership_filter, Qt.Key.Key_Down)
    assert view.ownership_filter.currentText() == "Mine"
    assert ids(view.model) == [taken]
    qtbot.keyClick(view.ownership_filter, Qt.Key.Key_Down)
    assert view.ownership_filter.currentText() == "Unassigned"
    assert ids(view.model) == [free]
    assert view.count_label.text() == "1 referral"
    pick(view.ownership_filter, "all")
    assert set(ids(view.model)) == {taken, given, free}
