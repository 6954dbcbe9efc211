"""Authors: their affiliations (lookups and the list: named.py; creation: article_bulk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Article, ArticleAuthor


def affiliations(session: Session, author_id: int) -> list[tuple[str, int, datetime | None]]:
    """(affiliation, articles, latest published) as the author's articles give them, latest
    first."""
    latest = func.max(Article.published)
    rows = session.execute(
        select(ArticleAuthor.affiliation, func.count(), latest)
        .join(Article, Article.id == ArticleAuthor.article_id)
        .where(ArticleAuthor.author_id == author_id, ArticleAuthor.affiliation.is_not(None))
        .group_by(ArticleAuthor.affiliation)
        .order_by(latest.desc().nulls_last(), func.count().desc(), ArticleAuthor.affiliation)
    )
    return [(str(name), int(n), at) for name, n, at in rows]
