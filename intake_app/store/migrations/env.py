"""Alembic environment: runs on the connection the application hands it."""

from alembic import context

from intake_app.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through intake_app.store.schema, not the alembic CLI")
if not connection.in_transaction():
    # schema.upgrade holds one transaction for all of them, so a failure changes nothing.
    raise RuntimeError("migrations run inside intake_app.store.schema's transaction")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
