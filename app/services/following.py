"""Subscriptions matched where articles finish: in the transaction that stores their analyses.

A subscription is told of an article when the article starts to match it: after its first
analysis, or after a re-analysis or a revision that makes it match. A re-analysis after which
it still matches (or still does not) writes nothing, so re-annotating a corpus sends nothing
new unless what the filters read changed. Each match is one delivery row, written with the
annotations (an outbox): a crash loses neither, and rolls back both.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.errors import DomainError
from app.models import DeliveryState
from app.repositories import article_search
from app.repositories import deliveries as delivery_rows
from app.repositories import subscriptions as subscription_rows
from app.services import search
from app.services.subscriptions import query_of

logger = logging.getLogger(__name__)

EVENT_TYPE = "article.matched"
Matches = set[tuple[int, int]]  # (subscription id, article id)


@dataclass(frozen=True, slots=True)
class _Watch:
    subscription_id: int
    name: str
    has_webhook: bool
    search: search.Search


class Followers:
    """The active subscriptions, their filters resolved once per batch."""

    def __init__(self, watches: Sequence[_Watch], settings: Settings) -> None:
        self._watches = list(watches)
        self._settings = settings

    @classmethod
    def load(cls, session: Session, settings: Settings) -> Followers:
        watches = []
        for subscription in subscription_rows.active(session):
            try:
                prepared = search.prepare(session, settings, query_of(subscription.query))
            except DomainError as exc:
                # checked when saved; a setting changed since (LENS_MAX_QUERY_ACTORS, taxonomy)
                logger.warning("subscription %d skipped: %s", subscription.id, exc.detail)
                continue
            watches.append(
                _Watch(subscription.id, subscription.name, bool(subscription.webhook_url), prepared)
            )
        return cls(watches, settings)

    def matches(self, session: Session, article_ids: Sequence[int]) -> Matches:
        """Which subscriptions these articles match, as stored now."""
        found: Matches = set()
        if not article_ids:
            return found
        for watch in self._watches:
            for article_id in article_search.matching(session, watch.search.filters, article_ids):
                found.add((watch.subscription_id, article_id))
        return found

    def record(
        self, session: Session, article_ids: Sequence[int], before: Matches, now: datetime
    ) -> int:
        """Write a delivery for each match of these articles that was not one ``before``."""
        new = sorted(self.matches(session, article_ids) - before)
        if not new:
            return 0
        watches = {w.subscription_id: w for w in self._watches}
        matched = {w.subscription_id: w.search.matched for w in self._watches}
        # each article as a list item, loaded once per set of actors to highlight
        wanted: dict[frozenset[int], set[int]] = {}
        for subscription_id, article_id in new:
            wanted.setdefault(matched[subscription_id], set()).add(article_id)
        items: dict[tuple[int, frozenset[int]], dict[str, Any]] = {}
        for actors, ids in wanted.items():
            for summary in search.summaries(session, sorted(ids), actors):
                items[(summary.id, actors)] = summary.model_dump(mode="json")
        rows = []
        for subscription_id, article_id in new:
            watch = watches[subscription_id]
            payload = self._payload(watch, items[(article_id, matched[subscription_id])], now)
            rows.append(
                {
                    "event_id": f"msg_{uuid.uuid4().hex}",
                    "subscription_id": subscription_id,
                    "article_id": article_id,
                    "state": DeliveryState.pending if watch.has_webhook else DeliveryState.feed,
                    "payload": payload,
                    "attempts": 0,
                    "next_attempt_at": now if watch.has_webhook else None,
                    "created_at": now,
                    "log": [],
                }
            )
        delivery_rows.add(session, rows)
        return len(rows)

    def _payload(self, watch: _Watch, article: dict[str, Any], now: datetime) -> dict[str, Any]:
        base = (self._settings.public_url or "").rstrip("/")
        return {
            "type": EVENT_TYPE,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": {
                "subscription": {"id": watch.subscription_id, "name": watch.name},
                "article": article,
                "link": f"{base}/v1/articles/{article['id']}",
            },
        }
