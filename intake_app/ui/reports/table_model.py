"""Any report `Table` as a Qt model: values written as the exports write them, sorted as
numbers (a share by its value, not its text), empty cells last."""

import math
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from intake_app.domain.report_tables import Column, Table

# The raw value of a cell (a number stays a number), for sorting and for the tests.
ValueRole = Qt.ItemDataRole.UserRole + 1
_NUMERIC = {"count", "share", "hours", "days"}
_EMPTY = "–"

_Index = QModelIndex | QPersistentModelIndex


def format_value(value: object, kind: str) -> str:
    """A cell as people read it: shares as percentages, durations with one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _EMPTY
    if kind == "share" and isinstance(value, int | float):
        return f"{value * 100:.1f} %"
    if kind in ("hours", "days") and isinstance(value, int | float):
        return f"{value:,.1f}"
    if kind == "count" and isinstance(value, int | float):
        return f"{value:,.0f}"
    if kind == "met" and isinstance(value, bool):
        return "met" if value else "not met"
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


class ReportTableModel(QAbstractTableModel):
    """Read-only rows of one report table; `set_table` shows another. `names` writes the
    values of some text columns as people read them (a service line's name for its key);
    the raw value stays in ValueRole, as the CSV writes it."""

    def __init__(
        self,
        table: Table | None = None,
        parent: QObject | None = None,
        names: Mapping[str, Callable[[str], str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._table = table
        self.names = dict(names or {})

    @property
    def table(self) -> Table | None:
        return self._table

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def column(self, section: int) -> Column:
        assert self._table is not None
        return self._table.columns[section]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._table is None else len(self._table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._table is None else len(self._table.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._table is None or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._table.columns):
            return None
        column = self._table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.label
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None or not index.isValid():
            return None
        value = self._table.rows[index.row()][index.column()]
        column = self._table.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            name = self.names.get(column.key)
            if name is not None and isinstance(value, str):
                return name(value)
            return format_value(value, column.kind)
        if role == ValueRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.kind in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class ReportSortProxy(QSortFilterProxyModel):
    """Sorts by the raw values: 9 before 10, 9.5 % before 10 %, empty cells last either way."""

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a = left.data(ValueRole)
        b = right.data(ValueRole)
        if a is None or b is None:
            # Empty last in both orders: "less" than nothing when ascending, more when not.
            if a is None and b is None:
                return False
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (a is not None) == ascending
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a < b
        # Text by what is shown (a service line's name, not its key).
        return str(left.data()).casefold() < str(right.data()).casefold()
