"""The passages that drove the author's stance toward each actor of an article.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before the stance model have none (null): their evidence is sentence indexes.
    with op.batch_alter_table("article_actors") as batch:
        batch.add_column(sa.Column("passages", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article_actors") as batch:
        batch.drop_column("passages")
