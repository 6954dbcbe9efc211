"""Articles: idempotent insert, lookups, queue counts (the search is in article_search.py)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Actor, Article, ArticleActor
from app.models.article import ArticleStatus


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
            selectinload(Article.actors).joinedload(ArticleActor.actor).joinedload(Actor.part_of),
            selectinload(Article.mentions),
            selectinload(Article.quotations),
        )
    )


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
    counts = {status.value: 0 for status in ArticleStatus}
    counts.update({status.value: n for status, n in rows})
    return counts
