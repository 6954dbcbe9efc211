"""Authors: lookups by id or name (creation: article_bulk)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Article, ArticleAuthor, Author
from app.models.keys import normalize_key, parse_id


def resolve(session: Session, term: str) -> frozenset[int]:
    """Authors a filter term names: the name in any case or spacing, or the id."""
    condition = Author.key == normalize_key(term)
    if (author_id := parse_id(term)) is not None:
        condition = or_(condition, Author.id == author_id)
    return frozenset(session.scalars(select(Author.id).where(condition)))


def get(session: Session, author_id: int) -> Author | None:
    return session.get(Author, author_id)


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
