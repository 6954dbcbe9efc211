"""Subscriptions (saved searches that push new matches) and their deliveries (the outbox).

A delivery row is written in the transaction that annotates the article it is about, so a match
is never lost nor invented; the worker loop sends it later (app/services/deliveries.py).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId, UTCDateTime


class DeliveryState(enum.StrEnum):
    # waiting for its (next) attempt
    pending = "pending"
    delivered = "delivered"
    # attempts used up, or refused for good (a 4xx, an unsafe destination); can be re-sent
    failed = "failed"
    # a subscription without a webhook: the match is only read through its feed
    feed = "feed"


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_api_key_id_id", "api_key_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The key that made it (None: made while the API was open); only that key sees it.
    api_key_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("api_keys.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    # The filters by their GET /v1/articles names, as shown to the client ...
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    # ... and as the search service reads them (app/services/subscriptions.query_of).
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    # `derived`: the signing secret is HMAC(LENS_WEBHOOK_SECRET_KEY, secret_salt); `plain`: the
    # salt is the secret itself (no server key was set).
    secret_scheme: Mapped[str] = mapped_column(String(16))
    secret_salt: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        # the worker's claim: due pending deliveries, oldest first
        Index("ix_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_deliveries_subscription_id_id", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # `webhook-id`: the same on every attempt and re-send, so receivers can de-duplicate.
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    subscription_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("articles.id", ondelete="CASCADE"))
    state: Mapped[DeliveryState] = mapped_column(
        Enum(
            DeliveryState,
            name="delivery_state",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    # The body as first written: every attempt sends (and signs) the same bytes.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # one entry per attempt: at, status (HTTP, or null), error, ms; the latest 50 are kept
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
