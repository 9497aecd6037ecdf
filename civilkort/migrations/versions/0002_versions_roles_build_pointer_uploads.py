"""Revision 2: a version per record, roles, the build pointer, uploads' records, and audit by record.

* ``version`` on workshops, entries and sequences: every change adds one, and an edit made from an older
  version is refused (civilkort.store.base.Conflict) instead of overwriting someone else's change.
* ``roles``: who is coordinator (``koordinator``: of a council), regional coordinator (``regional``: of a
  region) or administrator (``admin``, scope ``*``), granted by whom and when.  ``subject`` is the login's
  e-mail, casefolded.  The audit key of a role is ``subject|role|scope``.
* ``build_pointer``: the one row ``current`` naming the build every replica serves (compare-and-set by
  ``Store.switch_build``).
* ``uploads``: coordinators' uploads (files as a JSON list of {name, sha256, size}; councils as JSON).
* ``audit_entity``: an index for one record's trail (who changed it last, for a conflict's message).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    """Add record versions and the tables for roles, the build pointer and uploads."""
    for table in ("workshops", "entries", "sequences"):
        op.add_column(table, sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")))
    op.create_table(
        "roles",
        sa.Column("subject", TEXT, nullable=False),
        sa.Column("role", TEXT, nullable=False),
        sa.Column("scope", TEXT, nullable=False),  # council_id, region_id or '*'
        sa.Column("granted_by", TEXT, nullable=False),
        sa.Column("granted_at", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("subject", "role", "scope"),
        sa.CheckConstraint("role IN ('koordinator', 'regional', 'admin')"),
    )
    op.create_table(
        "build_pointer",
        sa.Column("name", TEXT, primary_key=True),
        sa.Column("build", TEXT, nullable=False),
        sa.Column("sha256", TEXT, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("built_at", TEXT),
        sa.Column("switched_at", TEXT, nullable=False),
        sa.Column("switched_by", TEXT, nullable=False),
        sa.CheckConstraint("name = 'current'"),
    )
    op.create_table(
        "uploads",
        sa.Column("upload_id", TEXT, primary_key=True),
        sa.Column("uploaded_by", TEXT),
        sa.Column("uploaded_at", TEXT),
        sa.Column("files", TEXT),  # JSON list of {name, sha256, size}
        sa.Column("council_ids", TEXT),  # JSON list
        sa.Column("status", TEXT),
        sa.Column("build", TEXT),
    )
    op.create_index("audit_entity", "audit", ["entity", "entity_id", "audit_id"])
