"""Articles: idempotent insert, lookups, queue counts (the search is in article_search.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Article, ArticleAuthor
from app.models.article import ArticleStatus
from app.repositories._conflicts import insert_ignoring_conflicts


def insert_new(session: Session, values: dict[str, Any]) -> int | None:
    """Insert an article; None when one with the same url or content hash exists already."""
    statement = insert_ignoring_conflicts(session, Article).values(**values).returning(Article.id)
    return session.execute(statement).scalar_one_or_none()


def find_duplicate(session: Session, url: str | None, content_hash: str) -> Article | None:
    """The stored article with this url, else the one with this content hash."""
    condition = Article.content_hash == content_hash
    if url is not None:
        condition = or_(Article.url == url, condition)
    rows = session.scalars(select(Article).where(condition)).all()
    by_url = [a for a in rows if url is not None and a.url == url]
    matches = by_url or rows
    return matches[0] if matches else None


def link_authors(session: Session, article_id: int, author_ids: list[int]) -> None:
    if author_ids:
        session.execute(
            insert(ArticleAuthor),
            [
                {"article_id": article_id, "author_id": author_id, "position": position}
                for position, author_id in enumerate(author_ids)
            ],
        )


def get_detail(session: Session, article_id: int) -> Article | None:
    """The article with every annotation loaded."""
    return session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .options(
            joinedload(Article.outlet),
            joinedload(Article.analysis_run),
            joinedload(Article.sentiment),
            selectinload(Article.author_links),
            selectinload(Article.topics),
            selectinload(Article.actors),
            selectinload(Article.mentions),
        )
    )


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
    counts = {status.value: 0 for status in ArticleStatus}
    counts.update({status.value: n for status, n in rows})
    return counts
