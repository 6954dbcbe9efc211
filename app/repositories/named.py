"""Outlets and authors: things known by a name, each with the articles that name them.

One implementation for both: the lookup a filter term makes (the name in any case or spacing,
or the id), the row by id, and the list by article count.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models import Article, ArticleAuthor, Author, Outlet
from app.models.keys import normalize_key, parse_id

Named = TypeVar("Named", Outlet, Author)

# the column that links an article to each kind (an article has one outlet, many authors)
_ARTICLE_LINK: dict[type[Outlet | Author], InstrumentedAttribute[int | None]] = {
    Outlet: Article.outlet_id,
    Author: ArticleAuthor.author_id,
}


def get(session: Session, entity: type[Named], entity_id: int) -> Named | None:
    return session.get(entity, entity_id)


def resolve(session: Session, entity: type[Named], term: str) -> frozenset[int]:
    """The ids a filter term names: the name in any case or spacing, or the id."""
    condition = entity.key == normalize_key(term)
    if (entity_id := parse_id(term)) is not None:
        condition = or_(condition, entity.id == entity_id)
    return frozenset(session.scalars(select(entity.id).where(condition)))


def with_counts(
    session: Session,
    entity: type[Named],
    *,
    query: str | None = None,
    after: tuple[int, int] | None,
    limit: int,
) -> list[tuple[Named, int]]:
    """By article count (most first, then id), optionally those whose name has ``query``;
    ``after`` is the last (count, id) seen."""
    link = _ARTICLE_LINK[entity]
    counts = (
        select(link.label("owner_id"), func.count().label("n"))
        .where(link.is_not(None))
        .group_by(link)
        .subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    statement = select(entity, n).outerjoin(counts, counts.c.owner_id == entity.id)
    if query:
        statement = statement.where(entity.key.contains(normalize_key(query), autoescape=True))
    if after is not None:
        count, last_id = after
        statement = statement.where(or_(n < count, (n == count) & (entity.id > last_id)))
    rows = session.execute(statement.order_by(n.desc(), entity.id).limit(limit)).all()
    return [(row, int(count)) for row, count in rows]
