"""Alembic environment: runs on the connection the store hands over (config.attributes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from backspasm.diary.models import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:  # the alembic command line, for writing new revisions: -x url=...
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///backspasm-dev.db")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
