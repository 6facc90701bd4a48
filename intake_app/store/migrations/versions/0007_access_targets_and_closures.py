"""Access targets and the clinic's closures as settings in the database (triage issue, item 1).

Targets move from a file read at start into `access_targets`, each with its unit (business or
calendar days), seeded from resources/access_targets.json: new databases are made by running
the migrations, so the seed here serves them and existing databases alike. `closures` holds
the days the clinic adds to (or, "open", takes off) the country's public holidays.
`audit_log.detail` carries a settings change's before and after; added with a plain ALTER
TABLE (no table rebuild), so the audit log's triggers stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:20:00

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Bumped with every change of targets or closures, so other workstations reload them.
REVISION_SETTING = "access_settings_revision"


def upgrade() -> None:
    from intake_app.domain.targets import seed_entries
    from intake_app.paths import resource

    targets = op.create_table(
        "access_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_line_key", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=12), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name="fk_access_targets_changed_by_users"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "service_line_key", "priority", "measure", name="uq_access_targets_key"
        ),
    )
    op.create_table(
        "closures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"], name="fk_closures_added_by_users"),
        sa.PrimaryKeyConstraint("day"),
    )
    op.add_column("audit_log", sa.Column("detail", sa.Text(), nullable=False, server_default=""))
    seed = json.loads(resource("access_targets.json").read_text(encoding="utf-8"))
    op.bulk_insert(
        targets,
        [
            {
                "service_line_key": line,
                "priority": priority,
                "measure": measure,
                "days": target.days,
                "unit": target.unit.value,
            }
            for (line, priority, measure), target in seed_entries(seed)
        ],
    )
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(settings, [{"key": REVISION_SETTING, "value": "1"}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM settings WHERE key = :key").bindparams(key=REVISION_SETTING))
    # Not batch mode: rebuilding audit_log would drop its triggers (SQLite 3.35+ drops a
    # column in place). Entries that carried a detail no longer verify afterwards.
    op.execute("ALTER TABLE audit_log DROP COLUMN detail")
    op.drop_table("closures")
    op.drop_table("access_targets")
