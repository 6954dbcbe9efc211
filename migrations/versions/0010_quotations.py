"""Quotations with their speakers and targets, and the speaker -> target relations (issue 29).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def _article(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["article_id"], ["articles.id"], name=f"fk_{table}_article_id_articles", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "quotations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("article_id", _ID, nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cue", sa.String(40), nullable=True),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("speaker_id", _ID, nullable=True),
        sa.Column("speaker_name", sa.String(300), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", _WHEN, nullable=True),
        sa.Column("outlet_id", _ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_quotations"),
        _article("quotations"),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["actors.id"], name="fk_quotations_speaker_id_actors"
        ),
        sa.CheckConstraint("kind IN ('direct', 'reported')", name="ck_quotations_kind"),
    )
    op.create_index("ix_quotations_article_id", "quotations", ["article_id"])
    op.create_index("ix_quotations_speaker_id_id", "quotations", ["speaker_id", "id"])
    op.create_table(
        "quotation_targets",
        sa.Column("quotation_id", _ID, nullable=False),
        sa.Column("actor_id", _ID, nullable=False),
        sa.Column("article_id", _ID, nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("quotation_id", "actor_id", name="pk_quotation_targets"),
        sa.ForeignKeyConstraint(
            ["quotation_id"],
            ["quotations.id"],
            name="fk_quotation_targets_quotation_id_quotations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name="fk_quotation_targets_actor_id_actors"
        ),
        _article("quotation_targets"),
        sa.CheckConstraint(
            "label IN ('negative', 'neutral', 'positive')", name="ck_quotation_targets_label"
        ),
    )
    op.create_index("ix_quotation_targets_article_id", "quotation_targets", ["article_id"])
    op.create_index(
        "ix_quotation_targets_actor_id_quotation_id",
        "quotation_targets",
        ["actor_id", "quotation_id"],
    )
    op.create_table(
        "actor_relations",
        sa.Column("article_id", _ID, nullable=False),
        sa.Column("speaker_id", _ID, nullable=False),
        sa.Column("target_id", _ID, nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("published", _WHEN, nullable=True),
        sa.Column("outlet_id", _ID, nullable=True),
        sa.PrimaryKeyConstraint("article_id", "speaker_id", "target_id", name="pk_actor_relations"),
        _article("actor_relations"),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["actors.id"], name="fk_actor_relations_speaker_id_actors"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["actors.id"], name="fk_actor_relations_target_id_actors"
        ),
    )
    op.create_index(
        "ix_actor_relations_speaker_id_published", "actor_relations", ["speaker_id", "published"]
    )
    op.create_index(
        "ix_actor_relations_target_id_published", "actor_relations", ["target_id", "published"]
    )


def downgrade() -> None:
    op.drop_table("actor_relations")
    op.drop_table("quotation_targets")
    op.drop_table("quotations")
