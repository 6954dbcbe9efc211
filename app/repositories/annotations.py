"""An article's annotation rows: deleted and inserted together when it is (re)analysed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from app.db import Base
from app.models import ArticleActor, ArticleSentiment, ArticleTopic, Mention

_TABLES: tuple[type[Base], ...] = (Mention, ArticleActor, ArticleTopic, ArticleSentiment)


def delete_for(session: Session, article_ids: Sequence[int]) -> None:
    """Remove every annotation of these articles (before writing their new ones)."""
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
    for model, rows in (
        (ArticleSentiment, sentiments),
        (ArticleTopic, topics),
        (ArticleActor, actors),
        (Mention, mentions),
    ):
        if rows:
            session.execute(insert(model), rows)
