"""The audit log accepts only its next entry: no gaps, no replacing an entry.

`INSERT OR REPLACE` (and PostgreSQL's `ON CONFLICT DO UPDATE`) would otherwise swap an
existing entry for a forged one: SQLite's REPLACE deletes the old row without firing delete
triggers unless recursive_triggers is on. A BEFORE INSERT trigger that wants exactly
max(seq) + 1, linked to the current head's hash, refuses both before any conflict is seen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:30:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "the audit log accepts only its next entry"
GENESIS = "0" * 64
NEXT_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM audit_log)"
HEAD_HASH = f"coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '{GENESIS}')"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_next_only BEFORE INSERT ON audit_log "
            f"WHEN NEW.seq IS NOT {NEXT_SEQ} OR NEW.prev_hash IS NOT {HEAD_HASH} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif dialect == "postgresql":
        # A row-level BEFORE trigger sees the rows inserted before it in the same statement,
        # so a multi-row insert of consecutive entries passes.
        op.execute(
            "CREATE FUNCTION audit_log_next_only() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.seq IS DISTINCT FROM {NEXT_SEQ} "
            f"OR NEW.prev_hash IS DISTINCT FROM {HEAD_HASH} THEN "
            f"RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_log_next_only BEFORE INSERT ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_next_only()"
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_next_only")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_next_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_next_only()")
