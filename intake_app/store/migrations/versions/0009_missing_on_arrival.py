"""What each referral missed on arrival, stored on the referral (issue 11, benchmark).

The partner scorecard counts, per partner, the required items not in hand when a referral
was logged. Worked out from the item receipts, that joined some 300,000 receipts for a
quarter of 100,000 referrals; the services now keep it on the referral as it is logged,
imported or corrected, and this backfills existing rows from the receipts (an item counts
as in hand when its receipt time is not after the referral's receipt).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keys in checklist order, comma-separated, "" when none is missing: as
# domain.checklists.missing_on_arrival writes them. Times are stored as comparable text.
BACKFILL = """
UPDATE referrals SET missing_on_arrival = COALESCE((
    SELECT {aggregate} FROM (
        SELECT ci.key AS key FROM checklist_items AS ci
        WHERE ci.checklist_id = referrals.checklist_id AND ci.required
          AND NOT EXISTS (
              SELECT 1 FROM item_receipts AS ir
              WHERE ir.referral_id = referrals.id AND ir.item_key = ci.key
                AND ir.received_at <= referrals.received_at)
        ORDER BY ci.position)
), '')
"""


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing_on_arrival", sa.Text(), nullable=False, server_default="")
        )
    postgres = op.get_bind().dialect.name == "postgresql"
    aggregate = "string_agg(key, ',')" if postgres else "group_concat(key, ',')"
    op.execute(BACKFILL.format(aggregate=aggregate))


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("missing_on_arrival")
