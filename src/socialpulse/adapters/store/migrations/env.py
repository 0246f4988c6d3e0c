"""Alembic environment: run by `Store.migrate()` with the connection it already holds."""

from __future__ import annotations

from alembic import context

from socialpulse.adapters.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from sqlalchemy import create_engine

    connection = create_engine(str(context.config.get_main_option("sqlalchemy.url"))).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
