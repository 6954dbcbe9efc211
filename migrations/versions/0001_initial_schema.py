"""Initial schema: outlets, authors, articles (the queue), actors, annotations, analysis runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SENTIMENT_CHECK = "{column} IN ('negative', 'neutral', 'positive')"


def _id() -> sa.types.TypeEngine[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _article_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["article_id"],
        ["articles.id"],
        name=f"fk_{table}_article_id_articles",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "outlets",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outlets"),
        sa.UniqueConstraint("key", name="uq_outlets_key"),
    )
    op.create_table(
        "authors",
        sa.Column("id", _id(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_authors"),
        sa.UniqueConstraint("key", name="uq_authors_key"),
    )
    op.create_table(
        "actors",
        sa.Column("id", _id(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('country', 'person', 'organization', 'group', 'place')", name="ck_actors_kind"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_actors"),
        sa.UniqueConstraint("key", name="uq_actors_key"),
    )
    op.create_table(
        "actor_aliases",
        sa.Column("id", _id(), nullable=False),
        sa.Column("actor_id", _id(), nullable=False),
        sa.Column("alias", sa.String(300), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name="fk_actor_aliases_actor_id_actors", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_actor_aliases"),
        sa.UniqueConstraint("actor_id", "alias", name="uq_actor_aliases_actor_id_alias"),
    )
    op.create_index("ix_actor_aliases_alias", "actor_aliases", ["alias"])
    op.create_table(
        "analysis_runs",
        sa.Column("id", _id(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analysis_runs"),
        sa.UniqueConstraint("fingerprint", name="uq_analysis_runs_fingerprint"),
    )
    op.create_table(
        "articles",
        sa.Column("id", _id(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("outlet_id", _id(), nullable=True),
        sa.Column("published", _utc(), nullable=True),
        sa.Column("published_known", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column(
            "genre",
            sa.Enum(
                "opinion",
                "news",
                "unknown",
                name="genre",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "done",
                "failed",
                name="article_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("analysis_run_id", _id(), nullable=True),
        sa.Column("analyzed_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["analysis_run_id"],
            ["analysis_runs.id"],
            name="fk_articles_analysis_run_id_analysis_runs",
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name="fk_articles_outlet_id_outlets"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("content_hash", name="uq_articles_content_hash"),
        sa.UniqueConstraint("url", name="uq_articles_url"),
    )
    op.create_index("ix_articles_outlet_id_published", "articles", ["outlet_id", "published"])
    op.create_index("ix_articles_published_id", "articles", ["published", "id"])
    op.create_index("ix_articles_status", "articles", ["status"])
    op.create_table(
        "article_authors",
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("author_id", _id(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _article_fk("article_authors"),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name="fk_article_authors_author_id_authors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "author_id", name="pk_article_authors"),
    )
    op.create_index("ix_article_authors_author_id", "article_authors", ["author_id"])
    op.create_table(
        "article_sentiments",
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=False),
        sa.Column("drivers", sa.JSON(), nullable=False),
        sa.Column("sentences", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            _SENTIMENT_CHECK.format(column="label"), name="ck_article_sentiments_label"
        ),
        _article_fk("article_sentiments"),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_sentiments"),
    )
    op.create_table(
        "article_topics",
        sa.Column("id", _id(), nullable=False),
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        _article_fk("article_topics"),
        sa.PrimaryKeyConstraint("id", name="pk_article_topics"),
    )
    op.create_index("ix_article_topics_article_id", "article_topics", ["article_id"])
    op.create_table(
        "article_actors",
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("actor_id", _id(), nullable=False),
        sa.Column("mention_count", sa.Integer(), nullable=False),
        sa.Column("salience", sa.Float(), nullable=False),
        sa.Column("sentiment_label", sa.String(16), nullable=False),
        sa.Column("sentiment_score", sa.Float(), nullable=False),
        sa.Column("sentiment_probabilities", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            _SENTIMENT_CHECK.format(column="sentiment_label"),
            name="ck_article_actors_sentiment_label",
        ),
        _article_fk("article_actors"),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actors.id"], name="fk_article_actors_actor_id_actors"
        ),
        sa.PrimaryKeyConstraint("article_id", "actor_id", name="pk_article_actors"),
    )
    op.create_index(
        "ix_article_actors_actor_id_article_id", "article_actors", ["actor_id", "article_id"]
    )
    op.create_table(
        "mentions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("actor_id", _id(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("sentence_index", sa.Integer(), nullable=False),
        _article_fk("mentions"),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], name="fk_mentions_actor_id_actors"),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
    )
    op.create_index("ix_mentions_actor_id", "mentions", ["actor_id"])
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])


def downgrade() -> None:
    # Children first; their indexes go with them.
    for table in (
        "mentions",
        "article_actors",
        "article_topics",
        "article_sentiments",
        "article_authors",
        "articles",
        "analysis_runs",
        "actor_aliases",
        "actors",
        "authors",
        "outlets",
    ):
        op.drop_table(table)
