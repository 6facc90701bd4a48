"""Migrations match the models; a database from a newer application is refused."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from intake_app.services.auth import sign_in
from intake_app.store import DatabaseTooNew
from intake_app.store.models import Base
from intake_app.store.schema import head_revision
from tests.conftest import ADMIN_PASSWORD


def test_migrations_produce_the_models_schema(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with admin.clinic.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_database_records_its_schema_version(sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with admin.clinic.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == head_revision()


def test_database_newer_than_the_application_is_refused(clinic_files, sign_in_as) -> None:  # type: ignore[no-untyped-def]
    admin = sign_in_as("admin")
    with admin.clinic.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    admin.close()
    with pytest.raises(DatabaseTooNew, match="newer Referral Intake"):
        sign_in(clinic_files.db, "admin", ADMIN_PASSWORD)
