"""The rows behind a list item of the article search, read in four plain queries per page.

Plain rows, not ORM objects: a page of 20 articles with their authors, topics and some 200 actor
rows costs a few milliseconds less to build, on every request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Actor,
    Article,
    ArticleActor,
    ArticleAuthor,
    ArticleSentiment,
    ArticleTopic,
    Author,
    Outlet,
)
from app.models.article import ArticleStatus, Genre


@dataclass(slots=True)
class ItemRow:
    """What a list item shows of one article, read with plain rows (no ORM objects)."""

    id: int
    title: str | None
    url: str | None
    published: datetime | None
    published_known: bool
    status: ArticleStatus
    genre: Genre
    genre_source: str | None
    language: str | None
    outlet: str | None
    sentiment: tuple[str, float] | None
    authors: list[str] = field(default_factory=list)
    # (code, label, score), best first: top-level topics, and subtopics (parent in ``parents``)
    topics: list[tuple[str, str, float]] = field(default_factory=list)
    subtopics: list[tuple[str, str, float]] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)
    # (id, key, name, kind, sentiment label, sentiment score), most salient first
    actors: list[tuple[int, str, str, str, str, float]] = field(default_factory=list)


def load(session: Session, ids: Sequence[int], *, light: bool, top_topics: int) -> list[ItemRow]:
    """The list items of these articles, in the order of ``ids``; ``light`` skips annotations."""
    if not ids:
        return []
    wanted = sorted(ids)
    rows = session.execute(
        select(
            Article.id,
            Article.title,
            Article.url,
            Article.published,
            Article.published_known,
            Article.status,
            Article.genre,
            Article.genre_source,
            Article.language,
            Outlet.name,
            ArticleSentiment.label,
            ArticleSentiment.score,
        )
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .outerjoin(ArticleSentiment, ArticleSentiment.article_id == Article.id)
        .where(Article.id.in_(wanted))
    )
    items = {
        row[0]: ItemRow(
            *row[:10], sentiment=None if light or row[10] is None else (row[10], row[11])
        )
        for row in rows
    }
    authors = session.execute(
        select(ArticleAuthor.article_id, Author.name)
        .join(Author, Author.id == ArticleAuthor.author_id)
        .where(ArticleAuthor.article_id.in_(wanted))
        .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
    )
    for article_id, name in authors:
        items[article_id].authors.append(name)
    if not light:
        _annotations(session, wanted, items, top_topics)
    return [items[i] for i in ids if i in items]


def _annotations(
    session: Session, ids: list[int], items: dict[int, ItemRow], top_topics: int
) -> None:
    topics = session.execute(
        select(
            ArticleTopic.article_id,
            ArticleTopic.code,
            ArticleTopic.label,
            ArticleTopic.score,
            ArticleTopic.parent,
        )
        .where(ArticleTopic.article_id.in_(ids))
        .order_by(ArticleTopic.article_id, ArticleTopic.score.desc(), ArticleTopic.code)
    )
    for article_id, code, label, score, parent in topics:
        item = items[article_id]
        level = item.topics if parent is None else item.subtopics
        if len(level) < top_topics:
            level.append((code, label, score))
            if parent is not None:
                item.parents[code] = parent
    actors = session.execute(
        select(
            ArticleActor.article_id,
            Actor.id,
            Actor.key,
            Actor.name,
            Actor.kind,
            ArticleActor.sentiment_label,
            ArticleActor.sentiment_score,
        )
        .join(Actor, Actor.id == ArticleActor.actor_id)
        .where(ArticleActor.article_id.in_(ids))
        .order_by(ArticleActor.article_id, ArticleActor.salience.desc(), Actor.id)
    )
    for article_id, *actor in actors:
        items[article_id].actors.append(tuple(actor))  # type: ignore[arg-type]
