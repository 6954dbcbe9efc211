"""Raw articles: pages kept compressed, where each field came from, genre scores, language
skips, author affiliations, and text revisions in the history.

- ``articles``: ``genre_source`` (given, extracted or detected) and ``genre_score``;
  ``field_sources`` (title, authors, outlet, ... -> given or extracted); ``revision`` (1 for the
  text first received); ``skip_reason`` and the status ``skipped`` (stored, not analysed: a
  language the models do not read).
- ``article_sources``: the page an article was extracted from, gzip-compressed, so a better
  extractor can run again later.
- ``article_authors.affiliation``: the author's affiliation as this article gives it.
- ``article_history``: ``reason`` (reannotated or revised), ``revision``, and for a revision the
  earlier ``title`` and ``text``; ``replaced_by_run_id`` is null for a revision (no run
  replaced those annotations: a new text did).

SQLite cannot alter a CHECK constraint, and rebuilding ``articles`` would cascade-delete every
annotation (foreign keys are on) and drop its full-text triggers; the wider status list is
written into its schema as SQLite documents for relaxing a constraint (writable_schema inside
the migration's transaction; existing rows satisfy the new check).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_STATUSES = ("pending", "done", "failed")
_NEW_STATUSES = (*_OLD_STATUSES, "skipped")
_CHECK = "ck_articles_article_status"


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _set_status_check(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(_CHECK), "articles", type_="check")
        op.create_check_constraint("article_status", "articles", _status_check(new))
        return
    before = f"CONSTRAINT {_CHECK} CHECK ({_status_check(old)})"
    after = f"CONSTRAINT {_CHECK} CHECK ({_status_check(new)})"
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
    ).scalar_one()
    if before not in sql:
        raise RuntimeError(f"articles has no constraint {before!r}; cannot change it")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'articles'",
        (sql.replace(before, after),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _set_status_check(_OLD_STATUSES, _NEW_STATUSES)
    op.add_column("articles", sa.Column("genre_source", sa.String(16), nullable=True))
    op.add_column("articles", sa.Column("genre_score", sa.Float(), nullable=True))
    op.add_column("articles", sa.Column("field_sources", sa.JSON(), nullable=True))
    op.add_column(
        "articles", sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("articles", sa.Column("skip_reason", sa.Text(), nullable=True))
    op.execute("UPDATE articles SET genre_source = 'given' WHERE genre <> 'unknown'")
    op.create_index("ix_articles_genre_source", "articles", ["genre_source"])
    op.add_column("article_authors", sa.Column("affiliation", sa.String(300), nullable=True))
    op.create_table(
        "article_sources",
        sa.Column("article_id", _id(), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("extractor", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name="fk_article_sources_article_id_articles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_sources"),
    )
    with op.batch_alter_table("article_history") as batch:
        batch.add_column(
            sa.Column("reason", sa.String(16), nullable=False, server_default="reannotated")
        )
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("title", sa.Text(), nullable=True))
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch.alter_column("replaced_by_run_id", existing_type=_id(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM article_history WHERE replaced_by_run_id IS NULL")
    with op.batch_alter_table("article_history") as batch:
        batch.alter_column("replaced_by_run_id", existing_type=_id(), nullable=False)
        batch.drop_column("text")
        batch.drop_column("title")
        batch.drop_column("revision")
        batch.drop_column("reason")
    op.drop_table("article_sources")
    with op.batch_alter_table("article_authors") as batch:
        batch.drop_column("affiliation")
    op.drop_index("ix_articles_genre_source", table_name="articles")
    # Columns of a table other tables reference: plain DROP COLUMN (SQLite >= 3.35), no rebuild.
    for column in ("skip_reason", "revision", "field_sources", "genre_score", "genre_source"):
        op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
    op.execute(
        "UPDATE articles SET status = 'failed', last_error = 'skipped before a downgrade' "
        "WHERE status = 'skipped'"
    )
    _set_status_check(_NEW_STATUSES, _OLD_STATUSES)
