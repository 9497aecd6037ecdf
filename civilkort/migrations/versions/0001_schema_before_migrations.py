"""Revision 1: the store's schema as it was before migrations (workshops, entries, sequences, snapshots,
duplicate decisions, audit).

On an empty database it creates the tables.  A SQLite store made by the code before migrations (tables,
no ``alembic_version``) is adopted instead: tables it has are kept, and columns that the old code added
to an older file when it opened it (``entries.review_note``, ``merge_fields``, ``applied_at``,
``applied_as``) are added if missing; alembic then records revision 1, as if it had always been there.

Text is compared byte-wise on both backends (PostgreSQL columns use the "C" collation, as SQLite does),
so sorting and uniqueness give the same rows whichever backend runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid


def _tables() -> dict[str, tuple[list[sa.Column], list[sa.Constraint], dict]]:
    """Each table: columns, constraints, options (fresh objects on every call)."""
    return {
        "workshops": (
            [
                sa.Column("workshop_id", TEXT, primary_key=True),
                sa.Column("name", TEXT, nullable=False),
                sa.Column("council_id", TEXT),
                sa.Column("held_on", TEXT, nullable=False),  # ISO date
                sa.Column("code_hash", TEXT, nullable=False),  # see civilkort.auth.hash_code
                sa.Column("code_expires_at", TEXT, nullable=False),  # ISO timestamp, UTC
                sa.Column("snapshot_id", TEXT),
                sa.Column("created_by", TEXT, nullable=False),
                sa.Column("created_at", TEXT, nullable=False),
            ],
            [],
            {},
        ),
        "entries": (
            [
                sa.Column("entry_id", TEXT, primary_key=True),
                sa.Column("workshop_id", TEXT, sa.ForeignKey("workshops.workshop_id"), nullable=False),
                sa.Column("kind", TEXT, nullable=False),
                sa.Column("title", TEXT, nullable=False),
                sa.Column("payload", TEXT, nullable=False, server_default=sa.text("'{}'")),  # JSON
                sa.Column("lat", sa.Float),
                sa.Column("lon", sa.Float),
                sa.Column("municipality_code", sa.Integer),
                sa.Column("author", TEXT, nullable=False),
                sa.Column("created_at", TEXT, nullable=False),
                sa.Column("status", TEXT, nullable=False, server_default=sa.text("'ny'")),
                sa.Column("reviewed_by", TEXT),
                sa.Column("reviewed_at", TEXT),
                sa.Column("merged_into", TEXT),  # id of the existing record it was merged into
                sa.Column("client_token", TEXT, unique=True),  # one per form submission
                sa.Column("review_note", TEXT),  # the coordinator's reason (rejection) or remark
                sa.Column("merge_fields", TEXT),  # JSON list: fields a merge replaces
                sa.Column("applied_at", TEXT),  # when it went into the data
                sa.Column("applied_as", TEXT),  # the record id it became or was merged into
            ],
            [
                sa.CheckConstraint("kind IN ('organisation', 'tilbud', 'samarbejde', 'note')"),
                sa.CheckConstraint("status IN ('ny', 'godkendt', 'flettet', 'afvist')"),
            ],
            {},
        ),
        "sequences": (
            [
                sa.Column("sequence_id", TEXT, primary_key=True),
                sa.Column("name", TEXT, nullable=False),
                sa.Column("council_id", TEXT),
                sa.Column("steps", TEXT, nullable=False),  # JSON list of views
                sa.Column("created_by", TEXT, nullable=False),
                sa.Column("created_at", TEXT, nullable=False),
                sa.Column("updated_at", TEXT, nullable=False),
            ],
            [],
            {},
        ),
        "snapshots": (
            [
                sa.Column("snapshot_id", TEXT, primary_key=True),
                sa.Column("name", TEXT, nullable=False),
                sa.Column("file", TEXT, nullable=False),  # file name under data/snapshots/
                sa.Column("built_at", TEXT),  # the frozen build's own date
                sa.Column("workshop_id", TEXT),
                sa.Column("created_by", TEXT, nullable=False),
                sa.Column("created_at", TEXT, nullable=False),
            ],
            [],
            {},
        ),
        "duplicate_decisions": (
            [
                sa.Column("pair_key", TEXT, primary_key=True),  # the two record keys, sorted, joined by '|'
                sa.Column("key_a", TEXT, nullable=False),
                sa.Column("key_b", TEXT, nullable=False),
                sa.Column("decision", TEXT, nullable=False),
                sa.Column("keep_key", TEXT),  # for 'flet': the record that stays
                sa.Column("note", TEXT),
                sa.Column("decided_by", TEXT, nullable=False),
                sa.Column("decided_at", TEXT, nullable=False),
            ],
            [sa.CheckConstraint("decision IN ('flet', 'hold_adskilt')")],
            {},
        ),
        "audit": (
            [
                sa.Column("audit_id", AUDIT_ID, primary_key=True, autoincrement=True),
                sa.Column("at", TEXT, nullable=False),
                sa.Column("actor", TEXT, nullable=False),
                sa.Column("action", TEXT, nullable=False),
                sa.Column("entity", TEXT, nullable=False),  # table name
                sa.Column("entity_id", TEXT, nullable=False),
                sa.Column("before", TEXT),  # JSON row, NULL when created
                sa.Column("after", TEXT),  # JSON row, NULL when deleted
                sa.Column("undoes", AUDIT_ID, sa.ForeignKey("audit.audit_id")),
                sa.Column("undone_by", AUDIT_ID, sa.ForeignKey("audit.audit_id")),
            ],
            [],
            {"sqlite_autoincrement": True},
        ),
    }


def upgrade() -> None:
    """Create the tables, or adopt a store the old code made (adding the columns it lacks)."""
    inspector = sa.inspect(op.get_bind())
    for name, (columns, constraints, options) in _tables().items():
        if not inspector.has_table(name):
            op.create_table(name, *columns, *constraints, **options)
            continue
        have = {c["name"] for c in inspector.get_columns(name)}
        for column in columns:
            if column.name not in have:
                op.add_column(name, column)
    if "entries_workshop" not in {i["name"] for i in inspector.get_indexes("entries")}:
        op.create_index("entries_workshop", "entries", ["workshop_id", "created_at"])
