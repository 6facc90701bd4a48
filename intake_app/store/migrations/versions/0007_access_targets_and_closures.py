"""Access targets and the clinic's closures as settings in the database (triage issue, item 1).

Placeholder: the targets work fills this in (tables, and seeding from
resources/access_targets.json for existing databases).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:20:00

"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
