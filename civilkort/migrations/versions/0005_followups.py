"""Revision 5: the coordinators' follow-up worklist (issue 14: "Opfølgning" on the radar).

* ``followups``: one row per record a council follows up, keyed by the record's stable id in the build
  (``organisation_id``, ``collaboration_id``: the ids the data's own files give, kept by every rebuild),
  what kind of record it is, and the council that follows it up (a collaboration across two councils is
  followed up by each).  ``status`` is ``aaben``, ``kontaktet``, ``forlaenget`` or ``afsluttet``; ``note``
  a short text; ``title`` the record's name when last changed, so a record that has left the build is still
  named; ``requested_at``/``requested_by`` the last "bed om opdatering" e-mail sent by the server.
  ``version`` grows with every change (an edit from an older version is a Conflict), and every change is
  audited like any other (``audit``, entity ``followups``, key ``record_id|entity|council_id``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    """Add the follow-up worklist."""
    op.create_table(
        "followups",
        sa.Column("record_id", TEXT, nullable=False),
        sa.Column("entity", TEXT, nullable=False),  # organisation, collaboration
        sa.Column("council_id", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("note", TEXT),
        sa.Column("title", TEXT),
        sa.Column("updated_by", TEXT, nullable=False),
        sa.Column("updated_at", TEXT, nullable=False),
        sa.Column("requested_at", TEXT),
        sa.Column("requested_by", TEXT),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("record_id", "entity", "council_id"),
        sa.CheckConstraint("entity IN ('organisation', 'collaboration')"),
        sa.CheckConstraint("status IN ('aaben', 'kontaktet', 'forlaenget', 'afsluttet')"),
    )
    op.create_index("followups_council", "followups", ["council_id", "status"])
