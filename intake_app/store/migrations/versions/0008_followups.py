"""Follow-ups of missing records: the ladder's progress on each referral (triage issue, item 5).

Each referral keeps how many follow-up steps were done and when the last was, and its next
step and due time (kept with every change, like `due_at`), indexed for the "follow-ups due"
list. The ladder itself is a setting (`followup_ladder`, absent means the default ladder).
Open referrals still missing records get their first step's due time here, from the clinic's
time zone and public holidays (closures the clinic adds later apply from their next change).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from intake_app.domain.calendar import BusinessCalendar
from intake_app.domain.enums import State
from intake_app.domain.followups import DEFAULT_LADDER, next_followup
from intake_app.store.models import UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("followups_done", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("followup_done_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("followup_step", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("followup_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_referrals_followup_due", ["followup_due_at"], unique=False)
    _first_steps()


def _first_steps() -> None:
    bind = op.get_bind()
    settings = dict(bind.execute(sa.text("SELECT key, value FROM settings")).all())
    calendar = BusinessCalendar(
        settings.get("timezone", "UTC"),
        settings.get("holiday_country") or None,
        settings.get("holiday_subdivision") or None,
    )
    referrals = sa.table(
        "referrals",
        sa.column("id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("received_at", UTCDateTime),
        sa.column("records_complete_at", UTCDateTime),
        sa.column("hold_reason", sa.String),
        sa.column("followup_step", sa.Integer),
        sa.column("followup_due_at", UTCDateTime),
    )
    open_states = [s.value for s in State if s.is_open]
    rows = bind.execute(
        sa.select(
            referrals.c.id, referrals.c.state, referrals.c.received_at, referrals.c.hold_reason
        ).where(referrals.c.state.in_(open_states), referrals.c.records_complete_at.is_(None))
    ).all()
    for referral_id, state, received_at, hold_reason in rows:
        due = next_followup(
            ladder=DEFAULT_LADDER,
            state=State(state),
            received_at=received_at,
            records_complete=False,
            hold_reason=hold_reason,
            steps_done=0,
            last_done_at=None,
            calendar=calendar,
        )
        if due is not None:
            bind.execute(
                referrals.update()
                .where(referrals.c.id == referral_id)
                .values(followup_step=due.step, followup_due_at=due.due_at)
            )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_followup_due")
        for column in ("followup_due_at", "followup_step", "followup_done_at", "followups_done"):
            batch_op.drop_column(column)
