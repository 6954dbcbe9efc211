"""The queue as the operator's commands see it (`lens status`, `lens requeue`, `lens analyze`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.models.article import ArticleStatus
from app.repositories import article_search, articles, leases, queue
from app.repositories.leases import Lease


@dataclass(frozen=True, slots=True)
class QueueState:
    counts: dict[str, int]  # articles by status
    leases: list[Lease]  # the workers holding articles, and until when
    oldest_pending: datetime | None  # when the longest-waiting article was received
    newest_id: int  # the highest article id stored (0 when there are none)


def state(session: Session, now: datetime | None = None) -> QueueState:
    now = now or utcnow()
    return QueueState(
        counts=articles.count_by_status(session),
        leases=leases.held(session, now),
        oldest_pending=leases.oldest_pending(session),
        newest_id=article_search.max_article_id(session),
    )


def count_by_status(session: Session) -> dict[str, int]:
    return articles.count_by_status(session)


def requeue(session: Session, statuses: list[ArticleStatus]) -> int:
    """Queue the articles with these statuses for analysis again; how many were queued."""
    return queue.requeue(session, statuses=statuses)
