"""Who is working on the queue right now: the leases held on pending articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Article
from app.models.article import ArticleStatus


@dataclass(frozen=True, slots=True)
class Lease:
    owner: str
    articles: int
    expires_at: datetime
    expired: bool


def held(session: Session, now: datetime) -> list[Lease]:
    """One row per worker holding leases, soonest expiry first; expired ones are kept, marked."""
    rows = session.execute(
        select(Article.lease_owner, func.count(), func.min(Article.lease_expires_at))
        .where(Article.status == ArticleStatus.pending, Article.lease_owner.is_not(None))
        .group_by(Article.lease_owner)
    )
    leases = [
        Lease(owner, count, expires, expires < now)
        for owner, count, expires in rows
        if owner is not None and expires is not None
    ]
    return sorted(leases, key=lambda lease: lease.expires_at)


def oldest_pending(session: Session) -> datetime | None:
    """When the longest-waiting pending article was received."""
    return session.scalar(
        select(func.min(Article.received_at)).where(Article.status == ArticleStatus.pending)
    )
