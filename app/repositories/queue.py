"""The analysis queue is the articles table: claim with a lease, then finish, fail or release.

Every write is guarded by ``lease_owner``, so a worker whose lease was taken over changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, and_, case, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import Article
from app.models.article import ArticleStatus

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class Claimed:
    article_id: int
    text: str
    # read by the analysis for actors' names and salience (`Analyzer.analyze`)
    title: str | None = None


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        Article.status == ArticleStatus.pending,
        or_(Article.lease_expires_at.is_(None), Article.lease_expires_at < now),
    )


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
    max_attempts: int,
) -> tuple[list[Claimed], int]:
    """Lease up to ``limit`` pending articles (oldest first); also the number given up on.

    An article whose attempts are used up (its worker kept dying, so the lease kept expiring) is
    marked failed instead of claimed again.
    """
    # SKIP LOCKED lets workers claim side by side on PostgreSQL; SQLite ignores it and
    # serialises writers, and the UPDATE re-checks the condition, so no article is leased twice.
    candidates = session.execute(
        select(Article.id, Article.attempts)
        .where(_claimable(now))
        .order_by(Article.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    exhausted = [i for i, attempts in candidates if attempts >= max_attempts]
    fresh = [i for i, attempts in candidates if attempts < max_attempts]
    given_up = 0
    if exhausted:
        given_up = _rowcount(
            session,
            update(Article)
            .where(Article.id.in_(exhausted), _claimable(now))
            .values(
                status=ArticleStatus.failed,
                lease_owner=None,
                lease_expires_at=None,
                last_error=func.coalesce(
                    Article.last_error, "analysis did not finish within its lease"
                ),
            )
            .execution_options(**_NO_SYNC),
        )
    claimed: list[Claimed] = []
    if fresh:
        rows = session.execute(
            update(Article)
            .where(Article.id.in_(fresh), _claimable(now))
            .values(lease_owner=owner, lease_expires_at=lease_until, attempts=Article.attempts + 1)
            .returning(Article.id, Article.text, Article.title)
            .execution_options(**_NO_SYNC)
        ).all()
        claimed = sorted(
            (Claimed(i, text, title) for i, text, title in rows), key=lambda c: c.article_id
        )
    return claimed, given_up


def finish(
    session: Session, *, owner: str, article_ids: list[int], run_id: int, now: datetime
) -> set[int]:
    """Mark the articles still leased by ``owner`` done; returns those, the ones to annotate."""
    if not article_ids:
        return set()
    rows = session.execute(
        update(Article)
        .where(Article.id.in_(article_ids), _owned_by(owner))
        .values(
            status=ArticleStatus.done,
            lease_owner=None,
            lease_expires_at=None,
            last_error=None,
            analysis_run_id=run_id,
            analyzed_at=now,
        )
        .returning(Article.id)
        .execution_options(**_NO_SYNC)
    ).scalars()
    return set(rows)


def fail(session: Session, *, owner: str, article_id: int, error: str, max_attempts: int) -> bool:
    """Record a failed attempt: back to pending, or failed once the attempts are used up."""
    updated = _rowcount(
        session,
        update(Article)
        .where(Article.id == article_id, _owned_by(owner))
        .values(
            status=case(
                (Article.attempts >= max_attempts, ArticleStatus.failed.value),
                else_=ArticleStatus.pending.value,
            ),
            lease_owner=None,
            lease_expires_at=None,
            last_error=error,
        )
        .execution_options(**_NO_SYNC),
    )
    return updated == 1


def release(session: Session, *, owner: str, article_ids: list[int]) -> int:
    """Give leased articles back untouched (a stopping worker), refunding the attempt."""
    if not article_ids:
        return 0
    return _rowcount(
        session,
        update(Article)
        .where(Article.id.in_(article_ids), _owned_by(owner))
        .values(lease_owner=None, lease_expires_at=None, attempts=Article.attempts - 1)
        .execution_options(**_NO_SYNC),
    )


def requeue(session: Session, *, statuses: list[ArticleStatus]) -> int:
    """Queue articles for analysis again; their annotations stay until new ones replace them."""
    return _rowcount(
        session,
        update(Article)
        .where(Article.status.in_(statuses), Article.lease_owner.is_(None))
        .values(status=ArticleStatus.pending, attempts=0, last_error=None)
        .execution_options(**_NO_SYNC),
    )


def _owned_by(owner: str) -> ColumnElement[bool]:
    return and_(Article.status == ArticleStatus.pending, Article.lease_owner == owner)


def _rowcount(session: Session, statement: Executable) -> int:
    return cast(CursorResult[Any], session.execute(statement)).rowcount
