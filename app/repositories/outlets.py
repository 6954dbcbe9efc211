"""Outlets: lookups by id or name, and the list with article counts (creation: article_bulk)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import Article, Outlet
from app.models.keys import normalize_key, parse_id


def get(session: Session, outlet_id: int) -> Outlet | None:
    return session.get(Outlet, outlet_id)


def with_counts(
    session: Session, *, query: str | None = None, after: tuple[int, int] | None, limit: int
) -> list[tuple[Outlet, int]]:
    """Outlets by article count (most first, then id); ``after`` is the last (count, id) seen."""
    counts = (
        select(Article.outlet_id, func.count().label("n"))
        .where(Article.outlet_id.is_not(None))
        .group_by(Article.outlet_id)
        .subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    statement = select(Outlet, n).outerjoin(counts, counts.c.outlet_id == Outlet.id)
    if query:
        statement = statement.where(Outlet.key.contains(normalize_key(query), autoescape=True))
    if after is not None:
        count, last_id = after
        statement = statement.where(or_(n < count, (n == count) & (Outlet.id > last_id)))
    rows = session.execute(statement.order_by(n.desc(), Outlet.id).limit(limit)).all()
    return [(outlet, count) for outlet, count in rows]


def resolve(session: Session, term: str) -> frozenset[int]:
    """Outlets a filter term names: the name in any case or spacing, or the id."""
    condition = Outlet.key == normalize_key(term)
    if (outlet_id := parse_id(term)) is not None:
        condition = or_(condition, Outlet.id == outlet_id)
    return frozenset(session.scalars(select(Outlet.id).where(condition)))
