"""Deliveries, the outbox of subscriptions: written with the annotations, claimed with a lease.

As with the analysis queue (queue.py), every write after the claim is guarded by
``lease_owner``: a worker whose lease ran out (it hung, or was killed mid-send) changes nothing,
and the delivery is claimed again once its lease expires, so none is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.models import Delivery, DeliveryState, Subscription

_NO_SYNC = {"synchronize_session": False}
# the attempts a delivery's log keeps (re-sends add more)
LOG_LENGTH = 50


@dataclass(frozen=True, slots=True)
class Leased:
    """A claimed delivery with what sending it needs."""

    id: int
    event_id: str
    attempts: int
    payload: dict[str, Any]
    url: str
    secret_scheme: str
    secret_salt: str


def add(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Delivery), list(rows))


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.state == DeliveryState.pending,
        Delivery.next_attempt_at <= now,
        or_(Delivery.lease_expires_at.is_(None), Delivery.lease_expires_at < now),
    )


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
    max_attempts: int,
) -> list[Leased]:
    """Lease up to ``limit`` due deliveries (the longest due first), counting the attempt.

    One whose attempts are used up without an outcome (its workers kept dying mid-send, so the
    lease kept running out) is marked failed instead of claimed again.
    """
    # SKIP LOCKED: workers on PostgreSQL claim side by side; SQLite serialises writers, and the
    # UPDATE re-checks the condition, so no delivery is leased twice.
    due = session.execute(
        select(Delivery.id, Delivery.attempts)
        .where(_claimable(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    exhausted = [i for i, attempts in due if attempts >= max_attempts]
    candidates = [i for i, attempts in due if attempts < max_attempts]
    if exhausted:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(exhausted), _claimable(now))
            .values(
                state=DeliveryState.failed,
                next_attempt_at=None,
                lease_owner=None,
                lease_expires_at=None,
                last_error=func.coalesce(
                    Delivery.last_error, "no outcome was recorded within its lease"
                ),
            )
            .execution_options(**_NO_SYNC)
        )
    if not candidates:
        return []
    claimed = list(
        session.scalars(
            update(Delivery)
            .where(Delivery.id.in_(candidates), _claimable(now))
            .values(lease_owner=owner, lease_expires_at=lease_until, attempts=Delivery.attempts + 1)
            .returning(Delivery.id)
            .execution_options(**_NO_SYNC)
        )
    )
    if not claimed:
        return []
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.event_id,
            Delivery.attempts,
            Delivery.payload,
            Subscription.webhook_url,
            Subscription.secret_scheme,
            Subscription.secret_salt,
        )
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.id.in_(claimed))
        .order_by(Delivery.id)
    ).all()
    return [
        Leased(i, event, attempts, payload, url or "", scheme, salt)
        for i, event, attempts, payload, url, scheme, salt in rows
    ]


def record(
    session: Session,
    *,
    owner: str,
    delivery_id: int,
    state: DeliveryState,
    next_attempt_at: datetime | None,
    delivered_at: datetime | None,
    error: str | None,
    entry: dict[str, Any],
) -> bool:
    """Write an attempt's outcome if ``owner`` still holds the lease; False if it lost it."""
    log = session.scalar(select(Delivery.log).where(Delivery.id == delivery_id, _leased_by(owner)))
    if log is None:
        return False
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, _leased_by(owner))
        .values(
            state=state,
            next_attempt_at=next_attempt_at,
            delivered_at=delivered_at,
            last_error=error,
            lease_owner=None,
            lease_expires_at=None,
            log=[*log, entry][-LOG_LENGTH:],
        )
        .returning(Delivery.id)
        .execution_options(**_NO_SYNC)
    )
    return result.first() is not None


def _leased_by(owner: str) -> ColumnElement[bool]:
    return and_(Delivery.state == DeliveryState.pending, Delivery.lease_owner == owner)


def get(session: Session, subscription_id: int, delivery_id: int) -> Delivery | None:
    return session.scalars(
        select(Delivery).where(
            Delivery.id == delivery_id, Delivery.subscription_id == subscription_id
        )
    ).one_or_none()


def resend(session: Session, delivery: Delivery, now: datetime) -> None:
    """Queue a delivery again from its first attempt (its id, so its `webhook-id`, stays)."""
    delivery.state = DeliveryState.pending
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.lease_owner = None
    delivery.lease_expires_at = None
    session.flush()


def failed(session: Session, subscription_id: int) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.subscription_id == subscription_id,
                Delivery.state == DeliveryState.failed,
            )
            .order_by(Delivery.id)
        )
    )


def page(
    session: Session, subscription_id: int, *, before_id: int | None, limit: int
) -> list[Delivery]:
    """A subscription's deliveries, newest first, ``limit`` of them below ``before_id``."""
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if before_id is not None:
        query = query.where(Delivery.id < before_id)
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))


def counts(session: Session, subscription_id: int | None = None) -> dict[str, int]:
    """Deliveries by state (all subscriptions' with None)."""
    query = select(Delivery.state, func.count()).group_by(Delivery.state)
    if subscription_id is not None:
        query = query.where(Delivery.subscription_id == subscription_id)
    return {state.value: n for state, n in session.execute(query).all()}
