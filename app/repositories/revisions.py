"""Revisions written: a new text for a stored url replaces the old one, which is kept.

The earlier title and text, and the gist of their annotations, go to the article's history
(reason ``revised``); the annotations themselves are removed, since their offsets point into
the earlier text; the article is queued again (or skipped, as a new one would be) with its
revision number raised. Its id, url and received time stay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Article, ArticleAuthor, ArticleHistory, ArticleSource
from app.repositories import annotations as annotation_rows
from app.repositories import history

# Columns of the new row that a revision carries over to the stored article.
_REPLACED = (
    "title",
    "text",
    "outlet_id",
    "published",
    "language",
    "genre",
    "genre_source",
    "genre_score",
    "field_sources",
    "content_hash",
    "status",
)


def had_text(session: Session, article_id: int, title: str | None, text: str) -> bool:
    """Whether the article had this title and text before a revision replaced them."""
    found = session.execute(
        select(ArticleHistory.id)
        .where(
            ArticleHistory.article_id == article_id,
            ArticleHistory.reason == "revised",
            ArticleHistory.text == text,
            ArticleHistory.title.is_(None) if title is None else ArticleHistory.title == title,
        )
        .limit(1)
    ).first()
    return found is not None


def revise(
    session: Session, article_id: int, row: dict[str, Any], now: datetime, *, new_authors: bool
) -> int:
    """Replace the stored article's text by ``row``'s; returns the new revision number.

    Metadata the revision does not carry (no title, no authors) stays as stored. The caller
    links the new authors, if any, and keeps the new page (as for a new article).
    """
    article = session.scalars(
        select(Article).where(Article.id == article_id).with_for_update()
    ).one()
    history.snapshot_revision(session, article, now=now)
    annotation_rows.delete_for(session, [article_id])
    for model in (ArticleAuthor, ArticleSource) if new_authors else (ArticleSource,):
        session.execute(
            delete(model)
            .where(model.__table__.c.article_id == article_id)
            .execution_options(synchronize_session=False)
        )
    for column in _REPLACED:
        kept_genre = column.startswith("genre") and row["genre_source"] is None
        if row[column] is not None and not kept_genre:
            setattr(article, column, row[column])
    if row["published"] is not None:
        article.published_known = row["published_known"]
    article.skip_reason = row["skip_reason"]
    article.revision += 1
    article.attempts = 0
    article.last_error = None
    # A worker still holding the old text loses its lease: its results are not written.
    article.lease_owner = None
    article.lease_expires_at = None
    article.analysis_run_id = None
    article.analyzed_at = None
    session.flush()
    session.expire(article, ["author_links", "source"])
    return article.revision
