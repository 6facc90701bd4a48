"""Bulk inserts whose values are converted before the write lock is taken.

SQLAlchemy converts each bound value (aware times to UTC text, lists to JSON) while the
statement executes; for an import of many thousand rows that conversion took most of the
time the write lock was held. PreparedInsert does it beforehand, so under the lock only
the driver's executemany runs.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert

ROWS_PER_EXECUTE = 20000


class PreparedInsert:
    """Rows for `table`, bound for `dialect`; columns named in `late` are set later (ids)."""

    def __init__(
        self,
        dialect: Dialect,
        table: Table,
        rows: Iterable[Mapping[str, object]],
        late: Sequence[str] = (),
    ) -> None:
        rows = list(rows)
        keys = list(dict.fromkeys([*(rows[0] if rows else {}), *late]))
        compiled = insert(table).compile(dialect=dialect, column_keys=keys)
        # The statement also names columns with a client-side default that the rows omit.
        self._columns = list(compiled.positiontup or compiled.binds) if rows else keys
        defaults = {c: _scalar_default(table, c) for c in self._columns if c not in keys}
        self.sql = str(compiled)
        self._positional = bool(compiled.positional)
        self._index = {c: i for i, c in enumerate(self._columns)}
        processors: list[Callable[[Any], Any] | None] = [
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in self._columns
        ]
        self._params: list[list[object]] = []
        for row in rows:
            values: list[object] = []
            for column, process in zip(self._columns, processors, strict=True):
                value = row.get(column, defaults.get(column))
                if process is not None and value is not None:
                    value = process(value)
                values.append(value)
            self._params.append(values)

    def __len__(self) -> int:
        return len(self._params)

    def set(self, column: str, values: Sequence[object]) -> None:
        """Give each row its value of a `late` column (one not converted: ids, integers)."""
        index = self._index[column]
        for params, value in zip(self._params, values, strict=True):
            params[index] = value

    def execute(self, connection: Connection) -> None:
        for start in range(0, len(self._params), ROWS_PER_EXECUTE):
            chunk = self._params[start : start + ROWS_PER_EXECUTE]
            if self._positional:
                connection.exec_driver_sql(self.sql, [tuple(p) for p in chunk])
            else:
                connection.exec_driver_sql(
                    self.sql, [dict(zip(self._columns, p, strict=True)) for p in chunk]
                )


def _scalar_default(table: Table, column: str) -> object:
    default = table.c[column].default
    if default is None or not getattr(default, "is_scalar", False):
        raise ValueError(f"bulk insert into {table.name}: no value for {column}")
    return default.arg  # type: ignore[attr-defined]
