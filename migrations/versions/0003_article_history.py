"""Article history: the gist of annotations that a re-analysis replaced.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "article_history",
        sa.Column("id", _id(), nullable=False),
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("analysis_run_id", _id(), nullable=True),
        sa.Column("replaced_by_run_id", _id(), nullable=False),
        sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentiment_label", sa.String(16), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("sentiment_probabilities", sa.JSON(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_history_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["analysis_run_id"],
            ["analysis_runs.id"],
            name="fk_article_history_analysis_run_id_analysis_runs",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_run_id"],
            ["analysis_runs.id"],
            name="fk_article_history_replaced_by_run_id_analysis_runs",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_article_history"),
    )
    op.create_index("ix_article_history_article_id", "article_history", ["article_id"])
    op.create_index("ix_article_history_analysis_run_id", "article_history", ["analysis_run_id"])


def downgrade() -> None:
    op.drop_table("article_history")
