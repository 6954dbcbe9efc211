"""Analysis runs as users see them: how many articles each produced and when it was in use;
and the re-queueing of articles by the run that annotated them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import AnalysisRun, Article, ArticleHistory
from app.models.analysis_run import RunUsage
from app.models.article import ArticleStatus


@dataclass(frozen=True, slots=True)
class Stale:
    """Which analysed articles to queue again."""

    statuses: Sequence[ArticleStatus]
    # keep the articles this run annotated (the current models'); None keeps none
    keep_run_id: int | None = None
    # only the articles these runs annotated; empty: any run
    only_run_ids: Sequence[int] = ()


def with_usage(session: Session, *, after_id: int | None, limit: int) -> list[RunUsage]:
    """Runs, newest first, with their article counts and period of use."""
    query = select(AnalysisRun).order_by(AnalysisRun.id.desc()).limit(limit)
    if after_id is not None:
        query = query.where(AnalysisRun.id < after_id)
    runs = list(session.scalars(query))
    ids = [run.id for run in runs]
    current = _usage(session, Article.analysis_run_id, Article.analyzed_at, ids)
    earlier = _usage(session, ArticleHistory.analysis_run_id, ArticleHistory.analyzed_at, ids)
    usages = []
    for run in runs:
        count, first, last = current.get(run.id, (0, None, None))
        replaced, first_before, last_before = earlier.get(run.id, (0, None, None))
        times = [t for t in (first, last, first_before, last_before) if t is not None]
        usages.append(
            RunUsage(
                run=run,
                articles=count,
                replaced=replaced,
                first_used=min(times) if times else None,
                last_used=max(times) if times else None,
            )
        )
    return usages


def find_id(session: Session, fingerprint: str) -> int | None:
    return session.scalar(select(AnalysisRun.id).where(AnalysisRun.fingerprint == fingerprint))


def existing_ids(session: Session, run_ids: Sequence[int]) -> set[int]:
    return set(session.scalars(select(AnalysisRun.id).where(AnalysisRun.id.in_(run_ids))))


def count_stale(session: Session, stale: Stale, article_ids: Sequence[int] | None = None) -> int:
    """How many articles requeue_stale would queue (``article_ids``: only among these)."""
    query = select(func.count()).select_from(Article).where(*_stale(stale, article_ids))
    return session.scalar(query) or 0


def requeue_stale(session: Session, stale: Stale, article_ids: Sequence[int] | None = None) -> int:
    """Queue the matching articles again; their annotations stay until new ones replace them."""
    result = session.execute(
        update(Article)
        .where(*_stale(stale, article_ids))
        .values(status=ArticleStatus.pending, attempts=0, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def _stale(stale: Stale, article_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    # A leased article is being analysed right now, by the current models or soon replaced.
    conditions: list[ColumnElement[bool]] = [
        Article.status.in_(stale.statuses),
        Article.lease_owner.is_(None),
    ]
    if stale.keep_run_id is not None:
        conditions.append(
            or_(Article.analysis_run_id.is_(None), Article.analysis_run_id != stale.keep_run_id)
        )
    if stale.only_run_ids:
        conditions.append(Article.analysis_run_id.in_(stale.only_run_ids))
    if article_ids is not None:
        conditions.append(Article.id.in_(article_ids))
    return conditions


def _usage(
    session: Session, run_column: Any, time_column: Any, run_ids: Sequence[int]
) -> dict[int, tuple[int, datetime | None, datetime | None]]:
    if not run_ids:
        return {}
    rows = session.execute(
        select(run_column, func.count(), func.min(time_column), func.max(time_column))
        .where(run_column.in_(run_ids))
        .group_by(run_column)
    )
    return {run_id: (count, first, last) for run_id, count, first, last in rows}
