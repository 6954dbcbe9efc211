"""What the search index (app/core/search_index.py) reads of the stored articles when it syncs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Article

Document = tuple[int, str | None, str]  # (article id, title, text)


class ArticleDocuments:
    """The articles of one session, read in id order; satisfies search_index.StoredArticles."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def ids_between(self, low: int, high: int) -> Sequence[int]:
        return self._session.scalars(
            select(Article.id).where(Article.id >= low, Article.id <= high)
        ).all()

    def count_above(self, highest: int) -> int:
        count = self._session.scalar(select(func.count(Article.id)).where(Article.id > highest))
        return int(count or 0)

    def after(self, start: int, limit: int) -> Sequence[Document]:
        rows = self._session.execute(
            select(Article.id, Article.title, Article.text)
            .where(Article.id > start)
            .order_by(Article.id)
            .limit(limit)
        ).all()
        return [(article_id, title, text) for article_id, title, text in rows]

    def among(self, ids: Sequence[int]) -> Sequence[Document]:
        rows = self._session.execute(
            select(Article.id, Article.title, Article.text).where(Article.id.in_(ids))
        )
        return [(article_id, title, text) for article_id, title, text in rows]

    def end_snapshot(self) -> None:
        self._session.rollback()
