"""Alembic's entry: run the migrations on the connection civilkort.store.migrate hands over.

On PostgreSQL the whole upgrade is one transaction (DDL is transactional there), holding the writers'
advisory lock, so no save happens half-way through a schema change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from civilkort.store.base import WRITE_LOCK

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Kør migreringer med 'python -m etl migrate' (civilkort.store.migrate.upgrade).")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
    context.run_migrations()
