"""The request bodies of /v1/subscriptions; their `filters` are the search's own parameters
(app/api/search_params.SearchFilters), so a subscription takes exactly what GET /v1/articles
takes, checked the same way."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.search_params import SearchFilters
from app.schemas.text import STORABLE, STORABLE_NOT_BLANK

SubscriptionName = Annotated[str, StringConstraints(max_length=200), STORABLE_NOT_BLANK]
WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048), STORABLE]

_EXAMPLE: dict[str, Any] = {
    "name": "Chinese outlets negative on India",
    "filters": {"actor": ["India"], "actor_sentiment": "negative", "outlet": ["China Daily"]},
    "webhook": {"url": "https://hooks.example.org/lens"},
}


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = Field(
        description="An http(s) url; private, loopback and link-local hosts are refused unless "
        "the server sets LENS_WEBHOOK_ALLOW_PRIVATE=true.",
        examples=["https://hooks.example.org/lens"],
    )


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    name: SubscriptionName = Field(examples=["Chinese outlets negative on India"])
    filters: SearchFilters = Field(  # type: ignore[valid-type]
        default_factory=SearchFilters,
        description="The filters of GET /v1/articles by the same names (`actor` a list, "
        "`from`, `to`, ...); each one given must match. None: every analysed article.",
    )
    webhook: WebhookIn | None = Field(
        default=None, description="Where to POST each new match; leave out for a feed only."
    )


class SubscriptionPatch(BaseModel):
    """What is given changes; `webhook: null` removes the webhook (the feed stays)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"active": False}, {"name": "India, negative"}]},
    )

    name: SubscriptionName | None = None
    active: bool | None = Field(default=None, description="false pauses it, true resumes it.")
    filters: SearchFilters | None = None  # type: ignore[valid-type]
    webhook: WebhookIn | None = None
