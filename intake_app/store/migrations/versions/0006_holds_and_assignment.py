"""Holds (clock stops) and ownership on referrals (triage issue, items 2 and 4).

A hold is a pair of timeline events (hold_started, hold_ended); the referral keeps the open
hold's reason and start, and the patient-unavailable time held so far, so that lists can show
"On hold since ..." and due times can be extended without replaying every timeline. The
assigned user is who works the referral now (assignment is also an event).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_reason", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("held_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("patient_held_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_referrals_assigned_to_id_users", "users", ["assigned_to_id"], ["id"]
        )
        batch_op.create_index("ix_referrals_assigned", ["assigned_to_id"], unique=False)
    # The hold events of a period (adjusted access times) without reading every event.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_kind_time", ["kind", "effective_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_kind_time")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_assigned")
        batch_op.drop_constraint("fk_referrals_assigned_to_id_users", type_="foreignkey")
        for column in (
            "assigned_at",
            "assigned_to_id",
            "patient_held_seconds",
            "held_since",
            "hold_reason",
        ):
            batch_op.drop_column(column)
