"""What model changes did: the analysis runs with their use, and an article's earlier analyses."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models.analysis_run import RunUsage
from app.repositories import history, runs
from app.schemas.article import ArticleDetail
from app.schemas.page import Page
from app.schemas.runs import ArticleWithHistory, HistoryEntry, RunView
from app.services import cursor as cursors
from app.services.articles import page_size

_CURSOR_KIND = "runs"


def article_history(session: Session, article_id: int) -> list[HistoryEntry]:
    """The article's earlier analyses, the most recently replaced first."""
    return [HistoryEntry.model_validate(row) for row in history.for_article(session, article_id)]


def with_history(session: Session, detail: ArticleDetail) -> ArticleWithHistory:
    """``detail`` with its earlier analyses added (GET /v1/articles/{id}?include=history)."""
    return ArticleWithHistory(**detail.model_dump(), history=article_history(session, detail.id))


def runs_with_usage(session: Session, limit: int) -> list[RunUsage]:
    """The newest ``limit`` analysis runs with their article counts (`lens runs`)."""
    return runs.with_usage(session, after_id=None, limit=limit)


def list_runs(
    session: Session, settings: Settings, *, limit: int | None, cursor: str | None
) -> Page[RunView]:
    """Analysis runs, newest first, with their article counts and when they were in use."""
    size = page_size(settings, limit)
    after = cursors.decode_int(cursors.decode(_CURSOR_KIND, cursor, 1)[0]) if cursor else None
    usages = runs.with_usage(session, after_id=after, limit=size + 1)
    next_cursor = (
        cursors.encode(_CURSOR_KIND, [usages[size - 1].run.id]) if len(usages) > size else None
    )
    return Page[RunView](items=[RunView.of(u) for u in usages[:size]], next_cursor=next_cursor)
