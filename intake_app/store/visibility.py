"""Referrals of an unfinished import are hidden from every reader, in one place.

A large import writes its rows in several short transactions (so that it never holds the
write lock for long) and shows them only once the last one commits. Every ORM select of a
clinic's sessions passes through `hide_unfinished_imports`; the few Core selects over the
referrals table (the access-time report) add `finished_only` themselves.

The unfinished imports are read first, with a query on an indexed, nearly empty table;
when there are none (nearly always) the statement is left exactly as it was, so lists cost
nothing more. In SQLite the read and the statement share one transaction's snapshot.
"""

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, Select, event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from intake_app.store.models import Import, Referral

WRITING, REMOVING, DONE, ABANDONED = "writing", "removing", "done", "abandoned"
UNFINISHED = (WRITING, REMOVING)
# Execution option: this statement sees unfinished imports' rows (their duplicate checks).
SHOW_UNFINISHED = "intake_show_unfinished_imports"
S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def unfinished_ids(connection: Connection) -> list[int]:
    rows = connection.execute(select(Import.id).where(Import.state.in_(UNFINISHED)))
    return [int(r[0]) for r in rows]


def visible(unfinished: Sequence[int]) -> ColumnElement[bool]:
    return or_(Referral.import_id.is_(None), Referral.import_id.not_in(list(unfinished)))


def finished_only(session: Session, stmt: S) -> S:
    """A Core select over referrals, without the rows of unfinished imports."""
    unfinished = unfinished_ids(session.connection())
    return stmt.where(visible(unfinished)) if unfinished else stmt


def _hide(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.execution_options.get(SHOW_UNFINISHED):
        return
    unfinished = unfinished_ids(state.session.connection())
    if unfinished:
        state.statement = state.statement.options(
            with_loader_criteria(Referral, visible(unfinished), include_aliases=True)
        )


def hide_unfinished_imports(sessions: sessionmaker[Session]) -> None:
    """Make every ORM select of `sessions` skip the referrals of unfinished imports."""
    event.listen(sessions, "do_orm_execute", _hide)
