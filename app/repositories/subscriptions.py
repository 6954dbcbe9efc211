"""Subscriptions: saved searches, each owned by the API key that made it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.models import Subscription


def _owned_by(owner: int | None) -> ColumnElement[bool]:
    # None: made while the API was open, seen by requests without a key
    if owner is None:
        return Subscription.api_key_id.is_(None)
    return Subscription.api_key_id == owner


def add(session: Session, **values: Any) -> Subscription:
    subscription = Subscription(**values)
    session.add(subscription)
    session.flush()
    return subscription


def get(session: Session, subscription_id: int, owner: int | None) -> Subscription | None:
    """The subscription if ``owner`` made it; another key's is as good as absent."""
    return session.scalars(
        select(Subscription).where(Subscription.id == subscription_id, _owned_by(owner))
    ).one_or_none()


def find(session: Session, subscription_id: int) -> Subscription | None:
    """Whoever made it (for the command line, which manages them all)."""
    return session.get(Subscription, subscription_id)


def page(
    session: Session, owner: int | None, *, before_id: int | None, limit: int
) -> list[Subscription]:
    """Newest first, ``limit`` of them below ``before_id``; ``owner`` None with ``everyone``."""
    query = select(Subscription).where(_owned_by(owner))
    if before_id is not None:
        query = query.where(Subscription.id < before_id)
    return list(session.scalars(query.order_by(Subscription.id.desc()).limit(limit)))


def every(session: Session) -> Sequence[Subscription]:
    """All of them, every owner's, oldest first (the command line)."""
    return session.scalars(select(Subscription).order_by(Subscription.id)).all()


def active(session: Session) -> Sequence[Subscription]:
    """The ones that match new articles now, oldest first."""
    return session.scalars(
        select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)
    ).all()


def delete(session: Session, subscription: Subscription) -> None:
    session.delete(subscription)
    session.flush()
