"""Article history keeps the replaced annotations' relations (who said what about whom).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # null for the snapshots written before: they did not record the relations
    op.add_column("article_history", sa.Column("relations", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("article_history", "relations")
