"""Read side: full-text search, denormalised actor rows, actor roll-ups, and query indexes.

- Full-text search over title and text: SQLite gets an FTS5 external-content table kept in step
  by triggers; PostgreSQL a stored tsvector column (title weighted above text) with a GIN index.
- ``article_actors`` carries a copy of its article's ``published`` and ``outlet_id``, so a filter
  on an actor, an actor's timeline and its page of articles read one covering index instead of
  joining every mention of a popular actor to ``articles``.
- ``actor_outlet_stats`` and ``actor_pairs`` hold per-actor counts (by outlet) and co-mention
  counts, kept up to date by the annotation writes (app/repositories/annotations.py): an actor
  profile is a few hundred rows to read, not millions.
- ``(outlet_id, published, id)``: an outlet's articles in date order, with the id tie-break.

The search structures and the covering index (INCLUDE on PostgreSQL, extra key columns on
SQLite) differ by backend and the ORM cannot describe them on both, so they are named in
``app.core.db.MIGRATION_ONLY_NAMES`` and left out of model comparisons.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FTS = [
    # External content: the text lives once, in `articles`; the index holds only tokens.
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, text, content='articles', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    # Only a change of the indexed columns touches the index (status updates are frequent).
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

_POSTGRES_FTS = [
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', text), 'B')) STORED",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]

_SQLITE_INDEXES = [
    # Covering: an actor's timeline and profile never touch the table.
    "CREATE INDEX ix_article_actors_actor_published ON article_actors "
    "(actor_id, published, article_id, outlet_id, mention_count, sentiment_label, "
    "sentiment_score)",
]

_POSTGRES_INDEXES = [
    # Ascending, NULL last: scanned forwards for oldest first, backwards for newest first (the
    # search reads dated articles and undated ones in separate phases, so NULL never interleaves).
    "CREATE INDEX ix_article_actors_actor_published ON article_actors "
    "(actor_id, published, article_id) "
    "INCLUDE (outlet_id, mention_count, sentiment_label, sentiment_score)",
]

_BACKFILL = [
    "UPDATE article_actors SET "
    "published = (SELECT a.published FROM articles a WHERE a.id = article_actors.article_id), "
    "outlet_id = (SELECT a.outlet_id FROM articles a WHERE a.id = article_actors.article_id)",
    "INSERT INTO actor_outlet_stats "
    "(actor_id, outlet_id, articles, mentions, negative, neutral, positive, score_sum) "
    "SELECT actor_id, coalesce(outlet_id, 0), count(*), sum(mention_count), "
    "sum(CASE WHEN sentiment_label = 'negative' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN sentiment_label = 'neutral' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN sentiment_label = 'positive' THEN 1 ELSE 0 END), "
    "sum(sentiment_score) FROM article_actors GROUP BY actor_id, coalesce(outlet_id, 0)",
    "INSERT INTO actor_pairs (actor_id, other_actor_id, articles) "
    "SELECT a.actor_id, b.actor_id, count(*) FROM article_actors a "
    "JOIN article_actors b ON b.article_id = a.article_id AND b.actor_id <> a.actor_id "
    "GROUP BY a.actor_id, b.actor_id",
]


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _actor_fk(table: str, column: str = "actor_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["actors.id"], name=f"fk_{table}_{column}_actors", ondelete="CASCADE"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_FTS if dialect == "sqlite" else _POSTGRES_FTS:
        op.execute(statement)

    op.add_column(
        "article_actors", sa.Column("published", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("article_actors", sa.Column("outlet_id", _id(), nullable=True))
    # Superseded by ix_article_actors_actor_published; the primary key serves the lookups by
    # article.
    op.drop_index("ix_article_actors_actor_id_article_id", table_name="article_actors")
    for statement in _SQLITE_INDEXES if dialect == "sqlite" else _POSTGRES_INDEXES:
        op.execute(statement)
    op.drop_index("ix_articles_outlet_id_published", table_name="articles")
    op.create_index("ix_articles_outlet_id_published", "articles", ["outlet_id", "published", "id"])

    op.create_index("ix_article_topics_code_article_id", "article_topics", ["code", "article_id"])
    op.create_index(
        "ix_article_sentiments_score_article_id", "article_sentiments", ["score", "article_id"]
    )

    op.create_table(
        "actor_outlet_stats",
        sa.Column("actor_id", _id(), nullable=False),
        # 0 for articles without an outlet: a primary key column cannot be NULL
        sa.Column("outlet_id", _id(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        _actor_fk("actor_outlet_stats"),
        sa.PrimaryKeyConstraint("actor_id", "outlet_id", name="pk_actor_outlet_stats"),
    )
    op.create_index(
        "ix_actor_outlet_stats_outlet_id_articles", "actor_outlet_stats", ["outlet_id", "articles"]
    )
    op.create_table(
        "actor_pairs",
        sa.Column("actor_id", _id(), nullable=False),
        sa.Column("other_actor_id", _id(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        _actor_fk("actor_pairs"),
        _actor_fk("actor_pairs", "other_actor_id"),
        sa.PrimaryKeyConstraint("actor_id", "other_actor_id", name="pk_actor_pairs"),
    )
    for statement in _BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("actor_pairs")
    op.drop_table("actor_outlet_stats")
    op.drop_index("ix_article_sentiments_score_article_id", table_name="article_sentiments")
    op.drop_index("ix_article_topics_code_article_id", table_name="article_topics")
    op.execute("DROP INDEX ix_article_actors_actor_published")
    op.drop_index("ix_articles_outlet_id_published", table_name="articles")
    op.create_index("ix_articles_outlet_id_published", "articles", ["outlet_id", "published"])
    op.create_index(
        "ix_article_actors_actor_id_article_id", "article_actors", ["actor_id", "article_id"]
    )
    with op.batch_alter_table("article_actors") as batch:
        batch.drop_column("outlet_id")
        batch.drop_column("published")

    if dialect == "sqlite":
        for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE articles_fts")
    else:
        op.execute("DROP INDEX ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN search_vector")
