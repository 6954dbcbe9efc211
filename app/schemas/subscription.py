"""Subscriptions and deliveries as the API shows them (the request bodies, whose `filters` are
generated from the search parameters, are in app/api/subscription_body.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models import DeliveryState

_SUBSCRIPTION_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "name": "Chinese outlets negative on India",
    "filters": {"actor": ["India"], "actor_sentiment": "negative", "outlet": ["China Daily"]},
    "webhook": {"url": "https://hooks.example.org/lens"},
    "active": True,
    "created_at": "2026-12-07T09:30:00Z",
    "updated_at": "2026-12-07T09:30:00Z",
    "feed": "/v1/subscriptions/7/feed",
    "deliveries": {"pending": 0, "delivered": 12, "failed": 1},
}


class WebhookView(BaseModel):
    url: str = Field(description="Where each new match is POSTed, signed (Standard Webhooks).")


class SubscriptionView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SUBSCRIPTION_EXAMPLE]})

    id: int
    name: str
    filters: dict[str, Any] = Field(
        description="The filters given, by the names of GET /v1/articles' parameters."
    )
    webhook: WebhookView | None = Field(description="Null: a feed-only subscription.")
    active: bool = Field(description="False while paused: no new match is recorded.")
    created_at: datetime
    updated_at: datetime
    feed: str = Field(description="The Atom feed of its matches, newest first.")
    deliveries: dict[str, int] = Field(
        description="Its matches by delivery state: `pending`, `delivered`, `failed`, and "
        "`feed` for a subscription without a webhook."
    )


class SubscriptionCreated(SubscriptionView):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUBSCRIPTION_EXAMPLE,
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "deliveries": {},
                }
            ]
        }
    )

    secret: str = Field(
        description="The signing secret (`whsec_` + base64), shown this once: verify each "
        "webhook's `webhook-signature` with it (any Standard Webhooks verifier)."
    )


class AttemptView(BaseModel):
    at: datetime
    status: int | None = Field(description="The HTTP status answered; null with no answer.")
    error: str | None
    milliseconds: int


_DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": 311,
    "event_id": "msg_2f0c8a4e9b1d4c57a3e6f1b2c3d4e5f6",
    "article_id": 1042,
    "state": "delivered",
    "attempts": 2,
    "created_at": "2026-12-07T09:41:02Z",
    "next_attempt_at": None,
    "delivered_at": "2026-12-07T09:41:27Z",
    "last_error": None,
    "log": [
        {"at": "2026-12-07T09:41:03Z", "status": 503, "error": "HTTP 503", "milliseconds": 41},
        {"at": "2026-12-07T09:41:27Z", "status": 204, "error": None, "milliseconds": 12},
    ],
}


class DeliveryView(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_DELIVERY_EXAMPLE]}
    )

    id: int
    event_id: str = Field(description="Sent as `webhook-id`; the same on every attempt.")
    article_id: int
    state: DeliveryState
    attempts: int = Field(description="Attempts since it was written or last re-sent.")
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    log: list[AttemptView] = Field(description="Each attempt, oldest first (the latest 50).")
