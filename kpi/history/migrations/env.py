"""Alembic's environment for the history store: always run programmatically by
`kpi.history.store`, which passes the connection (inside its write lock) in `config.attributes`."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
