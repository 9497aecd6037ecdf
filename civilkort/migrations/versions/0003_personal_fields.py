"""Revision 3: personal fields live in the store, never in a build the public replicas serve.

* ``personal_builds``: one row per build whose personal fields are kept here (its content name), when they
  were written and how many records carry any.  Deleting a row deletes its fields (pruned with the builds).
* ``personal_fields``: per build, per record, the personal fields (contact person, role mailbox, tovholder;
  every field ``civilkort.schema`` marks ``is_personal``) as one JSON object of the non-empty ones.
  ``layer`` is ``built`` (the record as the build serves it, with its ``council_id``: who may see it) or
  ``input`` (the typed input row the build was made from, so a rebuild keeps them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    """Add the tables for the builds' personal fields."""
    op.create_table(
        "personal_builds",
        sa.Column("build", TEXT, primary_key=True),  # the build's content name (civilkort.builds)
        sa.Column("written_at", TEXT, nullable=False),
        sa.Column("n_records", sa.Integer, nullable=False),
    )
    op.create_table(
        "personal_fields",
        sa.Column("build", TEXT, nullable=False),
        sa.Column("layer", TEXT, nullable=False),
        sa.Column("entity", TEXT, nullable=False),  # the table: organisations, collaborations, ...
        sa.Column("record_id", TEXT, nullable=False),
        sa.Column("council_id", TEXT),  # the record's council in the build (None: national, or an input row)
        sa.Column("fields", TEXT, nullable=False),  # JSON object of the non-empty personal fields
        sa.PrimaryKeyConstraint("build", "layer", "entity", "record_id"),
        sa.ForeignKeyConstraint(["build"], ["personal_builds.build"], ondelete="CASCADE"),
        sa.CheckConstraint("layer IN ('built', 'input')"),
    )
