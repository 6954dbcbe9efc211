"""Sending the outbox: claim due deliveries, POST each signed, record the outcome.

Called by the worker loop (app/worker.py), which commits: the claim in a short transaction of
its own, the sending outside any transaction, the outcomes in another. A worker that dies
between the two leaves its deliveries leased; the lease runs out and another worker sends them
(at least once: the receiver de-duplicates by `webhook-id`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models import DeliveryState
from app.repositories import deliveries as delivery_rows
from app.repositories.deliveries import Leased
from app.services import webhooks
from app.services.webhooks import Outcome

logger = logging.getLogger(__name__)

# Longer than an attempt can take (every timeout of every delivery of a batch, one at a time).
_LEASE_SLACK_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Sent:
    delivery: Leased
    outcome: Outcome
    at: datetime


def claim(session: Session, settings: Settings, *, owner: str, now: datetime) -> list[Leased]:
    """Lease the deliveries due now, up to LENS_WEBHOOK_BATCH_SIZE."""
    per_attempt = 3 * settings.webhook_timeout_seconds
    lease = per_attempt * settings.webhook_batch_size + _LEASE_SLACK_SECONDS
    return delivery_rows.claim(
        session,
        owner=owner,
        now=now,
        lease_until=now + timedelta(seconds=lease),
        limit=settings.webhook_batch_size,
        max_attempts=webhooks.MAX_ATTEMPTS,
    )


def send(settings: Settings, batch: Sequence[Leased], now: datetime) -> list[Sent]:
    """POST every delivery of the batch, LENS_WEBHOOK_CONCURRENCY at a time."""
    if not batch:
        return []
    with webhooks.new_client(settings) as client:

        def one(delivery: Leased) -> Sent:
            try:
                secret = webhooks.secret_of(settings, delivery.secret_scheme, delivery.secret_salt)
            except webhooks.MissingServerKeyError as exc:
                return Sent(delivery, Outcome(None, str(exc), retry=False, milliseconds=0), now)
            outcome = webhooks.send(
                client,
                settings,
                url=delivery.url,
                secret=secret,
                event_id=delivery.event_id,
                body=webhooks.body_of(delivery.payload),
                sent_at=now,
            )
            return Sent(delivery, outcome, now)

        workers = min(settings.webhook_concurrency, len(batch))
        if workers == 1:
            return [one(d) for d in batch]
        with ThreadPoolExecutor(workers, thread_name_prefix="lens-webhook") as pool:
            return list(pool.map(one, batch))


def record(
    session: Session,
    sent: Sequence[Sent],
    *,
    owner: str,
    now: datetime,
    rng: random.Random | None = None,
) -> int:
    """Write each outcome (delivered, retried later, or failed); returns how many were kept.

    An outcome whose lease was lost meanwhile is dropped: another worker has the delivery.
    """
    kept = 0
    for item in sent:
        outcome, delivery = item.outcome, item.delivery
        state, next_at, delivered_at = DeliveryState.pending, None, None
        if outcome.delivered:
            state, delivered_at = DeliveryState.delivered, now
        elif outcome.retry and delivery.attempts < webhooks.MAX_ATTEMPTS:
            next_at = now + webhooks.retry_delay(delivery.attempts, rng)
        else:
            state = DeliveryState.failed
        entry = {
            "at": item.at.isoformat(),
            "status": outcome.status,
            "error": outcome.error,
            "milliseconds": outcome.milliseconds,
        }
        if delivery_rows.record(
            session,
            owner=owner,
            delivery_id=delivery.id,
            state=state,
            next_attempt_at=next_at,
            delivered_at=delivered_at,
            error=outcome.error,
            entry=entry,
        ):
            kept += 1
        else:
            logger.warning("delivery %d: lease lost before its outcome was recorded", delivery.id)
        if state is DeliveryState.failed:
            logger.warning(
                "delivery %d failed after %d attempts: %s",
                delivery.id,
                delivery.attempts,
                outcome.error,
            )
    return kept
