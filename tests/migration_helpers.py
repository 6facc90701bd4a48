"""Test-only migrations, written into a temporary copy of the migrations folder (never shipped)."""

import shutil
import textwrap
from pathlib import Path

import pytest

from intake_app.store import schema

TEST_REVISION = "0099"
SHIPPED = schema.MIGRATIONS

# A table rebuild on SQLite (batch mode): partners is copied, dropped and renamed, while
# referrals refer to it.
ADD_PARTNER_NOTE = """
with op.batch_alter_table("partners") as batch:
    batch.add_column(sa.Column("note", sa.String(200), nullable=False, server_default=""))
"""

FAILS_AFTER_REBUILD = (
    ADD_PARTNER_NOTE
    + """
raise RuntimeError("this migration fails half-way, after its table rebuild")
"""
)

KILLED_AFTER_REBUILD = (
    ADD_PARTNER_NOTE
    + """
import os
import signal

os.kill(os.getpid(), signal.SIGKILL)
"""
)

# Leaves referrals pointing at partners that no longer exist.
ORPHANS_REFERRALS = """
op.execute("DELETE FROM partners")
"""


def install_test_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> str:
    """Copy the shipped migrations, add revision 0099 after the head, point schema at the copy."""
    monkeypatch.setattr(schema, "MIGRATIONS", SHIPPED)
    head = schema.head_revision()
    folder = tmp_path / "migrations"
    if not folder.exists():
        shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("__pycache__"))
    upgrade = textwrap.indent(body.strip(), "    ")
    (folder / "versions" / f"{TEST_REVISION}_test_only.py").write_text(
        f'''"""Test only."""

import sqlalchemy as sa
from alembic import op

revision = "{TEST_REVISION}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
    pass
''',
        encoding="utf-8",
    )
    monkeypatch.setattr(schema, "MIGRATIONS", folder)
    return head
