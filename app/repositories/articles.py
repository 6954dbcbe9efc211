"""Articles: idempotent insert, lookups, the filtered keyset-paginated list, queue counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.models import Article, ArticleActor, ArticleAuthor, Author, Outlet
from app.models.article import ArticleStatus
from app.repositories._conflicts import insert_ignoring_conflicts

# (published or None, id): the position of an article in the newest-first order
SortKey = tuple[datetime | None, int]


@dataclass(frozen=True, slots=True)
class ArticleFilters:
    # one set per requested actor: an article must mention one actor of every set
    actor_ids: Sequence[frozenset[int]] = ()
    outlet_key: str | None = None
    author_key: str | None = None
    published_from: datetime | None = None
    published_before: datetime | None = None
    statuses: Sequence[ArticleStatus] = field(default_factory=tuple)


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


def list_page(
    session: Session, filters: ArticleFilters, *, after: SortKey | None, limit: int
) -> list[Article]:
    """Newest first (unknown dates last, then higher ids first), starting after ``after``."""
    query = select(Article).where(*_conditions(filters))
    if after is not None:
        query = query.where(_after(after))
    query = (
        query.order_by(Article.published.desc().nulls_last(), Article.id.desc())
        .limit(limit)
        .options(
            joinedload(Article.outlet),
            joinedload(Article.sentiment),
            selectinload(Article.author_links),
            selectinload(Article.topics),
            selectinload(Article.actors),
        )
    )
    return list(session.scalars(query))


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
    counts = {status.value: 0 for status in ArticleStatus}
    counts.update({status.value: n for status, n in rows})
    return counts


def _conditions(filters: ArticleFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        exists().where(ArticleActor.article_id == Article.id, ArticleActor.actor_id.in_(ids))
        for ids in filters.actor_ids
    ]
    if filters.outlet_key is not None:
        conditions.append(
            Article.outlet_id
            == select(Outlet.id).where(Outlet.key == filters.outlet_key).scalar_subquery()
        )
    if filters.author_key is not None:
        conditions.append(
            exists()
            .where(ArticleAuthor.article_id == Article.id)
            .where(ArticleAuthor.author_id == Author.id, Author.key == filters.author_key)
        )
    if filters.published_from is not None:
        conditions.append(Article.published >= filters.published_from)
    if filters.published_before is not None:
        conditions.append(Article.published < filters.published_before)
    if filters.statuses:
        conditions.append(Article.status.in_(filters.statuses))
    return conditions


def _after(key: SortKey) -> ColumnElement[bool]:
    published, article_id = key
    if published is None:
        # Inside the trailing block of unknown dates, ordered by id only.
        return and_(Article.published.is_(None), Article.id < article_id)
    return or_(
        Article.published < published,
        and_(Article.published == published, Article.id < article_id),
        Article.published.is_(None),
    )
