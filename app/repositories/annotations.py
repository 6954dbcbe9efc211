"""An article's annotation rows: deleted and inserted together when it is (re)analysed.

Writes keep the actor roll-ups (app/repositories/rollups.py) and the copies of the article's
``published`` and ``outlet_id`` on its actor rows in step, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from app.core.db import Base
from app.models import Article, ArticleActor, ArticleSentiment, ArticleTopic, Mention
from app.repositories import quotations, rollups

# the quotations (children first) are annotations too: they point into the article's text
_TABLES: tuple[type[Base], ...] = (
    *quotations.TABLES,
    Mention,
    ArticleActor,
    ArticleTopic,
    ArticleSentiment,
)


def delete_for(session: Session, article_ids: Sequence[int]) -> None:
    """Remove every annotation of these articles (before writing their new ones)."""
    rollups.apply(session, article_ids, -1)
    for model in _TABLES:
        session.execute(
            delete(model)
            .where(model.__table__.c.article_id.in_(article_ids))
            .execution_options(synchronize_session=False)
        )


def add(
    session: Session,
    *,
    sentiments: list[dict[str, Any]],
    topics: list[dict[str, Any]],
    actors: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
) -> None:
    """Insert annotation rows, each table in one executemany."""
    actors = _with_article_columns(session, actors)
    for model, rows in (
        (ArticleSentiment, sentiments),
        (ArticleTopic, topics),
        (ArticleActor, actors),
        (Mention, mentions),
    ):
        if rows:
            session.execute(insert(model), rows)
    rollups.apply(session, [row["article_id"] for row in actors], 1)


def set_detected_genres(session: Session, genres: dict[int, tuple[str, float]]) -> None:
    """Record the genre the analysis detected, where none was given or extracted."""
    if not genres:
        return
    statement = (
        update(Article)
        .where(
            Article.id == bindparam("article_id"),
            or_(Article.genre_source.is_(None), Article.genre_source == "detected"),
        )
        .values(
            genre=bindparam("new_genre"),
            genre_score=bindparam("new_score"),
            genre_source="detected",
        )
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(
        statement,
        [
            {"article_id": article_id, "new_genre": label, "new_score": score}
            for article_id, (label, score) in sorted(genres.items())
        ],
    )


def _with_article_columns(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = sorted({row["article_id"] for row in rows})
    if not ids:
        return rows
    articles = {
        article_id: (published, outlet_id)
        for article_id, published, outlet_id in session.execute(
            select(Article.id, Article.published, Article.outlet_id).where(Article.id.in_(ids))
        )
    }
    return [
        row | dict(zip(("published", "outlet_id"), articles[row["article_id"]], strict=True))
        for row in rows
    ]
