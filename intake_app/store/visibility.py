"""Referrals of an unfinished import are hidden from every reader, in one place.

A large import writes its rows in several short transactions (so that it never holds the
write lock for long) and shows them only once the last one commits. Every ORM select of a
clinic's sessions passes through `hide_unfinished_imports`; the few Core selects over the
referrals table (the access-time report) add `finished_only` themselves.

The unfinished imports are read first, with a query on an indexed, nearly empty table;
when there are none (nearly always) the statement is left exactly as it was, so lists cost
nothing more. In SQLite a transaction reads one snapshot, so that read is made once per
transaction; PostgreSQL (read committed) gives each statement its own, so it is made for each.
"""

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Select, event, inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from intake_app.store.models import Import, Referral

WRITING, REMOVING, DONE, ABANDONED = "writing", "removing", "done", "abandoned"
UNFINISHED = (WRITING, REMOVING)
# Execution option: this statement sees unfinished imports' rows (their duplicate checks).
SHOW_UNFINISHED = "intake_show_unfinished_imports"
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]
_READ_IN = "intake_unfinished_imports"  # Session.info: (transaction, ids read in it)


# Not state IN (...): its expanding parameter is compiled anew on every run (0.2 ms, against
# 0.07 ms for this), and this runs before every read.
_UNFINISHED_IDS = select(Import.id).where(or_(*(Import.state == s for s in UNFINISHED)))


def unfinished_ids(connection: Connection) -> list[int]:
    return [int(r[0]) for r in connection.execute(_UNFINISHED_IDS)]


def visible(unfinished: Sequence[int]) -> ColumnElement[bool]:
    return or_(Referral.import_id.is_(None), Referral.import_id.not_in(list(unfinished)))


def finished_only(session: Session, stmt: S) -> S:
    """A Core select over referrals, without the rows of unfinished imports."""
    unfinished = unfinished_ids(session.connection())
    return stmt.where(visible(unfinished)) if unfinished else stmt


def _unfinished_seen_by(session: Session) -> list[int]:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return unfinished_ids(connection)
    transaction = session.get_transaction()
    read = session.info.get(_READ_IN)
    if read is None or read[0] is not transaction:
        read = session.info[_READ_IN] = (transaction, unfinished_ids(connection))
    return list(read[1])


def _hide(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.execution_options.get(SHOW_UNFINISHED):
        return
    unfinished = _unfinished_seen_by(state.session)
    if unfinished:
        state.statement = state.statement.options(
            with_loader_criteria(Referral, visible(unfinished), include_aliases=True)
        )


def hide_unfinished_imports(engine: Engine, *sessions: sessionmaker[Session]) -> None:
    """Make every ORM select of `sessions` skip the referrals of unfinished imports.

    A schema from before staged imports (migration 0005) has none: nothing to hide there.
    """
    if inspect(engine).has_table(Import.__tablename__):
        for maker in sessions:
            event.listen(maker, "do_orm_execute", _hide)
