"""Subtopics: a topic row may name its top-level topic (``parent``); null for a top-level topic.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_topics") as batch:
        batch.add_column(sa.Column("parent", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article_topics") as batch:
        batch.drop_column("parent")
