"""Aggregates over a set of articles (one outlet's, one author's): the queries behind profiles.

A scope is a condition on ``articles``; each function aggregates the analysed articles in it.
An outlet's actors come from the roll-up (app/models/rollup.py) instead: an outlet may have
hundreds of thousands of actor rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from app.models import (
    Actor,
    ActorOutletStats,
    Article,
    ArticleActor,
    ArticleAuthor,
    ArticleSentiment,
    ArticleTopic,
    Outlet,
)
from app.repositories.actor_stats import Tally

Scope = ColumnElement[bool]
# (negative, neutral, positive, score sum)
LabelCounts = tuple[int, int, int, float]


def outlet_scope(outlet_id: int) -> Scope:
    return Article.outlet_id == outlet_id


def actor_scope(
    actor_id: int, lower: datetime | None = None, upper: datetime | None = None
) -> Scope:
    """The actor's articles, published in ``[lower, upper)`` when either is given."""
    articles = select(ArticleActor.article_id).where(ArticleActor.actor_id == actor_id)
    if lower is not None:
        articles = articles.where(ArticleActor.published >= lower)
    if upper is not None:
        articles = articles.where(ArticleActor.published < upper)
    return Article.id.in_(articles)


def author_scope(author_id: int) -> Scope:
    return Article.id.in_(
        select(ArticleAuthor.article_id).where(ArticleAuthor.author_id == author_id)
    )


def span(session: Session, scope: Scope) -> tuple[int, datetime | None, datetime | None]:
    """How many articles, and the first and last publication dates."""
    count, first, last = session.execute(
        select(func.count(), func.min(Article.published), func.max(Article.published)).where(scope)
    ).one()
    return int(count), first, last


def document_sentiment(session: Session, scope: Scope) -> LabelCounts:
    rows = {
        label: (int(n), float(total or 0.0))
        for label, n, total in session.execute(
            select(ArticleSentiment.label, func.count(), func.sum(ArticleSentiment.score))
            .join(Article, Article.id == ArticleSentiment.article_id)
            .where(scope)
            .group_by(ArticleSentiment.label)
        )
    }
    negative, neutral, positive = (rows.get(label, (0, 0.0))[0] for label in _LABELS)
    return negative, neutral, positive, sum(total for _, total in rows.values())


def topic_mix(
    session: Session, scope: Scope, limit: int, *, subtopics: bool = False
) -> list[tuple[str, str, int, str | None]]:
    """(code, label, articles, parent) of the top-level topics, or of the subtopics, the most
    frequent first."""
    n = func.count(func.distinct(ArticleTopic.article_id))
    level = ArticleTopic.parent.is_not(None) if subtopics else ArticleTopic.parent.is_(None)
    rows = session.execute(
        select(ArticleTopic.code, func.max(ArticleTopic.label), n, func.max(ArticleTopic.parent))
        .join(Article, Article.id == ArticleTopic.article_id)
        .where(scope, level)
        .group_by(ArticleTopic.code)
        .order_by(n.desc(), ArticleTopic.code)
        .limit(limit)
    )
    return [(code, label, int(count), parent) for code, label, count, parent in rows]


def outlet_actors(session: Session, outlet_id: int, limit: int) -> list[tuple[Actor, Tally]]:
    """The actors an outlet mentions most, with its authors' sentiment toward each."""
    stats = ActorOutletStats
    rows = session.execute(
        select(
            Actor,
            stats.articles,
            stats.mentions,
            stats.negative,
            stats.neutral,
            stats.positive,
            stats.score_sum,
        )
        .join(stats, stats.actor_id == Actor.id)
        .where(stats.outlet_id == outlet_id, stats.articles > 0)
        .order_by(stats.articles.desc(), Actor.id)
        .limit(limit)
    )
    return [
        (actor, Tally(int(a), int(m), int(neg), int(neu), int(pos), float(s)))
        for actor, a, m, neg, neu, pos, s in rows
    ]


def scope_actors(session: Session, scope: Scope, limit: int) -> list[tuple[Actor, Tally]]:
    """The actors the scope's articles mention most, with the sentiment toward each."""
    row = ArticleActor
    n = func.count()

    def labelled(label: str) -> Any:
        return func.sum(case((row.sentiment_label == label, 1), else_=0))

    counts = (
        select(
            row.actor_id.label("actor_id"),
            n.label("articles"),
            func.sum(row.mention_count).label("mentions"),
            labelled("negative").label("negative"),
            labelled("neutral").label("neutral"),
            labelled("positive").label("positive"),
            func.sum(row.sentiment_score).label("score_sum"),
        )
        .join(Article, Article.id == row.article_id)
        .where(scope)
        .group_by(row.actor_id)
        .order_by(n.desc(), row.actor_id)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(Actor, *[counts.c[name] for name in _TALLY])
        .join(counts, counts.c.actor_id == Actor.id)
        .order_by(counts.c.articles.desc(), Actor.id)
    )
    return [
        (actor, Tally(int(a), int(m), int(neg), int(neu), int(pos), float(s)))
        for actor, a, m, neg, neu, pos, s in rows
    ]


def author_outlets(session: Session, author_id: int) -> list[tuple[Outlet, int]]:
    n = func.count()
    rows = session.execute(
        select(Outlet, n)
        .join(Article, Article.outlet_id == Outlet.id)
        .join(ArticleAuthor, ArticleAuthor.article_id == Article.id)
        .where(ArticleAuthor.author_id == author_id)
        .group_by(Outlet.id)
        .order_by(n.desc(), Outlet.id)
    )
    return [(outlet, int(count)) for outlet, count in rows]


_LABELS = ("negative", "neutral", "positive")
_TALLY = ("articles", "mentions", "negative", "neutral", "positive", "score_sum")
