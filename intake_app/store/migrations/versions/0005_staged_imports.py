"""Staged imports: a large import is written in short transactions and shown when done.

An import holding the write lock for all its rows (minutes for 150,000) locked everyone
out; now each step holds it briefly, and readers skip the referrals of an unfinished import.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(length=80), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partner_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index("ix_imports_state", ["state"], unique=False)
    # Not batch mode: on SQLite that copies the referrals table to add one column. SQLite adds
    # a nullable column with an inline REFERENCES in place (ALTER TABLE ... ADD COLUMN).
    if op.get_context().dialect.name == "sqlite":
        op.execute("ALTER TABLE referrals ADD COLUMN import_id INTEGER REFERENCES imports (id)")
    else:
        op.add_column("referrals", sa.Column("import_id", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "referrals", "imports", ["import_id"], ["id"])
    op.create_index("ix_referrals_import", "referrals", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_referrals_import", table_name="referrals")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("import_id")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_index("ix_imports_state")
    op.drop_table("imports")
