"""What the corpus says about one actor: counts, sentiment by outlet, co-mentions, timelines.

Totals and co-mentions over all dates come from the roll-ups (app/models/rollup.py); over a date
range, and timelines, from the covering index on ``article_actors`` (actor, published, ...),
never from ``articles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from app.models import Actor, ActorOutletStats, ActorPair, ArticleActor, Outlet
from app.models.rollup import NO_OUTLET

Interval = Literal["day", "week", "month"]


@dataclass(frozen=True, slots=True)
class Tally:
    """Articles and mentions of an actor, and the authors' sentiment toward it."""

    articles: int
    mentions: int
    negative: int
    neutral: int
    positive: int
    score_sum: float


@dataclass(frozen=True, slots=True)
class OutletTally:
    outlet_id: int | None
    outlet: str | None
    tally: Tally


def article_counts(session: Session, actor_ids: Sequence[int]) -> dict[int, int]:
    """Actor id -> number of articles that mention it."""
    if not actor_ids:
        return {}
    rows = session.execute(
        select(ActorOutletStats.actor_id, func.sum(ActorOutletStats.articles))
        .where(ActorOutletStats.actor_id.in_(actor_ids))
        .group_by(ActorOutletStats.actor_id)
    )
    return {actor_id: int(n or 0) for actor_id, n in rows}


def total(session: Session, actor_id: int) -> Tally:
    """The actor's tally over every outlet."""
    stats = ActorOutletStats
    row = session.execute(
        select(
            func.coalesce(func.sum(stats.articles), 0),
            func.sum(stats.mentions),
            func.coalesce(func.sum(stats.negative), 0),
            func.coalesce(func.sum(stats.neutral), 0),
            func.coalesce(func.sum(stats.positive), 0),
            func.sum(stats.score_sum),
        ).where(stats.actor_id == actor_id)
    ).one()
    return _tally(row)


def by_outlet(session: Session, actor_id: int, limit: int) -> list[OutletTally]:
    """The actor's tally per outlet, the ``limit`` outlets that mention it most."""
    stats = ActorOutletStats
    rows = session.execute(
        select(
            stats.outlet_id,
            Outlet.name,
            stats.articles,
            stats.mentions,
            stats.negative,
            stats.neutral,
            stats.positive,
            stats.score_sum,
        )
        .outerjoin(Outlet, Outlet.id == stats.outlet_id)
        .where(stats.actor_id == actor_id, stats.articles > 0)
        .order_by(stats.articles.desc(), stats.outlet_id)
        .limit(limit)
    )
    return [
        OutletTally(
            outlet_id=None if outlet_id == NO_OUTLET else outlet_id,
            outlet=name,
            tally=_tally(counts),
        )
        for outlet_id, name, *counts in rows
    ]


def seen_between(
    session: Session, actor_id: int, start: datetime | None = None, end: datetime | None = None
) -> tuple[datetime | None, datetime | None]:
    """The first and last publication dates of articles that mention the actor (in [start,
    end) when given)."""
    first, last = session.execute(
        select(func.min(ArticleActor.published), func.max(ArticleActor.published)).where(
            ArticleActor.actor_id == actor_id, *_published(start, end)
        )
    ).one()
    return first, last


def total_between(
    session: Session, actor_id: int, start: datetime | None, end: datetime | None
) -> Tally:
    """The actor's tally over the articles published in [start, end)."""
    row = ArticleActor
    query = select(*_tally_columns()).where(row.actor_id == actor_id, *_published(start, end))
    return _tally(session.execute(query).one())


def by_outlet_between(
    session: Session, actor_id: int, limit: int, start: datetime | None, end: datetime | None
) -> list[OutletTally]:
    """As by_outlet, over the articles published in [start, end)."""
    row = ArticleActor
    articles = func.count()
    rows = session.execute(
        select(row.outlet_id, Outlet.name, *_tally_columns())
        .outerjoin(Outlet, Outlet.id == row.outlet_id)
        .where(row.actor_id == actor_id, *_published(start, end))
        .group_by(row.outlet_id, Outlet.name)
        .order_by(articles.desc(), row.outlet_id)
        .limit(limit)
    )
    return [
        OutletTally(outlet_id=outlet_id, outlet=name, tally=_tally(counts))
        for outlet_id, name, *counts in rows
    ]


def co_mentioned_between(
    session: Session, actor_id: int, limit: int, start: datetime | None, end: datetime | None
) -> list[tuple[Actor, int]]:
    """As co_mentioned, over the articles published in [start, end)."""
    one, other = aliased(ArticleActor), aliased(ArticleActor)
    n = func.count()
    counted = (
        select(other.actor_id.label("actor_id"), n.label("articles"))
        .join(one, one.article_id == other.article_id)
        .where(one.actor_id == actor_id, other.actor_id != actor_id, *_published(start, end, one))
        .group_by(other.actor_id)
        .order_by(n.desc(), other.actor_id)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(Actor, counted.c.articles)
        .join(counted, counted.c.actor_id == Actor.id)
        .order_by(counted.c.articles.desc(), Actor.id)
    )
    return [(actor, int(articles)) for actor, articles in rows]


def co_mentioned(session: Session, actor_id: int, limit: int) -> list[tuple[Actor, int]]:
    """The actors most often mentioned in the same articles, with how many articles."""
    rows = session.execute(
        select(Actor, ActorPair.articles)
        .join(ActorPair, ActorPair.other_actor_id == Actor.id)
        .where(ActorPair.actor_id == actor_id, ActorPair.articles > 0)
        .order_by(ActorPair.articles.desc(), Actor.id)
        .limit(limit)
    )
    return [(actor, n) for actor, n in rows]


def timeline(
    session: Session,
    actor_id: int,
    interval: Interval,
    *,
    start: datetime,
    end: datetime,
    outlet_ids: frozenset[int] | None,
) -> dict[date, Tally]:
    """Period start -> tally, for the periods in [start, end) that have articles."""
    period = _period(session.get_bind().dialect.name, interval)
    row = ArticleActor
    query = (
        select(period, *_tally_columns())
        .where(row.actor_id == actor_id, *_published(start, end))
        .group_by(period)
    )
    if outlet_ids is not None:
        query = query.where(row.outlet_id.in_(sorted(outlet_ids)))
    return {_as_date(bucket): _tally(counts) for bucket, *counts in session.execute(query)}


def _tally_columns() -> list[Any]:
    """A Tally's columns over ``article_actors`` rows: articles, mentions, labels, score sum."""
    row = ArticleActor

    def labelled(label: str) -> Any:
        return func.sum(case((row.sentiment_label == label, 1), else_=0))

    return [
        func.count(),
        func.sum(row.mention_count),
        func.coalesce(labelled("negative"), 0),
        func.coalesce(labelled("neutral"), 0),
        func.coalesce(labelled("positive"), 0),
        func.sum(row.sentiment_score),
    ]


def _published(
    start: datetime | None, end: datetime | None, row: Any = ArticleActor
) -> list[ColumnElement[bool]]:
    conditions = []
    if start is not None:
        conditions.append(row.published >= start)
    if end is not None:
        conditions.append(row.published < end)
    return conditions


def _tally(values: Sequence[Any]) -> Tally:
    articles, mentions, negative, neutral, positive, score_sum = values
    return Tally(
        int(articles),
        int(mentions or 0),
        int(negative),
        int(neutral),
        int(positive),
        float(score_sum or 0.0),
    )


def _period(dialect: str, interval: Interval) -> Any:
    published = ArticleActor.published
    if dialect == "postgresql":
        return func.date_trunc(interval, func.timezone("UTC", published))
    # SQLite stores UTC text; weeks start on Monday, as PostgreSQL's date_trunc('week').
    if interval == "day":
        return func.date(published)
    if interval == "week":
        return func.date(published, "-6 days", "weekday 1")
    return func.strftime("%Y-%m-01", published)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
