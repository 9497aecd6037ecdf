"""Revision 4: a workshop's running code, sealed, so that a coordinator can show it again.

* ``workshops.code_sealed``: the code encrypted with AES-GCM under a key derived from the service's cookie
  secret (civilkort.sealed_code), bound to the workshop and its ``code_hash``; never the code in clear.
  Workshops made before this revision have none: their code cannot be shown again, only replaced.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    """Add the sealed code to workshops."""
    op.add_column("workshops", sa.Column("code_sealed", TEXT))
