"""Subscriptions: saved searches, owned by the API key that made them, and their deliveries.

``owner`` is the id of the API key of the request (None while the API is open and no key was
sent); a subscription another key made is answered as absent (404), never as forbidden.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.errors import DomainError, NotFoundError, RequestInvalidError
from app.models import Delivery, DeliveryState, Subscription
from app.models.article import Genre
from app.repositories import deliveries as delivery_rows
from app.repositories import subscriptions as subscription_rows
from app.schemas.page import Page
from app.schemas.subscription import (
    DeliveryView,
    SubscriptionCreated,
    SubscriptionView,
    WebhookView,
)
from app.services import cursor as cursors
from app.services import search, webhooks
from app.services.articles import page_size
from app.services.search import ArticleQuery

_CURSOR_KIND = "subscriptions"
_DELIVERY_CURSOR_KIND = "deliveries"
# what a subscription is told of: analysed articles, in no particular order of its own
_NOT_SAVED = ("statuses", "sort")


def query_json(query: ArticleQuery) -> dict[str, Any]:
    """An ArticleQuery as the `query` column holds it."""
    values = {k: v for k, v in asdict(query).items() if k not in _NOT_SAVED}
    for name in ("published_from", "published_to"):
        if values[name] is not None:
            values[name] = values[name].isoformat()
    return {k: list(v) if isinstance(v, list | tuple) else v for k, v in values.items()}


def query_of(stored: Mapping[str, Any]) -> ArticleQuery:
    """The ArticleQuery a `query` column holds."""
    values = dict(stored)
    for name in ("published_from", "published_to"):
        if values.get(name) is not None:
            values[name] = date.fromisoformat(values[name])
    values["genres"] = [Genre(g) for g in values.get("genres", ())]
    return ArticleQuery(**values)


@dataclass(frozen=True, slots=True)
class Changes:
    """A PATCH: what is not None changes."""

    name: str | None = None
    active: bool | None = None
    filters: tuple[dict[str, Any], ArticleQuery] | None = None
    webhook_url: str | None = None
    drop_webhook: bool = False


def create(
    session: Session,
    settings: Settings,
    *,
    owner: int | None,
    name: str,
    filters: dict[str, Any],
    query: ArticleQuery,
    webhook_url: str | None,
    now: datetime,
) -> SubscriptionCreated:
    """Save a search; its signing secret is in the answer, and never again."""
    _check(session, settings, query)
    if webhook_url is not None:
        webhooks.check_destination(webhook_url, settings)
    scheme, salt, secret = webhooks.new_secret(settings)
    subscription = subscription_rows.add(
        session,
        api_key_id=owner,
        name=_name(name),
        filters=filters,
        query=query_json(query),
        webhook_url=webhook_url,
        secret_scheme=scheme,
        secret_salt=salt,
        active=True,
        created_at=now,
        updated_at=now,
    )
    return SubscriptionCreated(**view(session, subscription).model_dump(), secret=secret)


def get(session: Session, owner: int | None, subscription_id: int) -> Subscription:
    found = subscription_rows.get(session, subscription_id, owner)
    if found is None:
        raise NotFoundError(f"There is no subscription {subscription_id}.")
    return found


def view(session: Session, subscription: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=subscription.id,
        name=subscription.name,
        filters=subscription.filters,
        webhook=WebhookView(url=subscription.webhook_url) if subscription.webhook_url else None,
        active=subscription.active,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
        feed=f"/v1/subscriptions/{subscription.id}/feed",
        deliveries=delivery_rows.counts(session, subscription.id),
    )


def list_page(
    session: Session,
    settings: Settings,
    owner: int | None,
    *,
    limit: int | None,
    cursor: str | None,
) -> Page[SubscriptionView]:
    """The owner's subscriptions, newest first."""
    size = page_size(settings, limit)
    before = _before(_CURSOR_KIND, cursor)
    rows = subscription_rows.page(session, owner, before_id=before, limit=size + 1)
    next_cursor = cursors.encode(_CURSOR_KIND, [rows[size - 1].id]) if len(rows) > size else None
    return Page[SubscriptionView](
        items=[view(session, s) for s in rows[:size]], next_cursor=next_cursor
    )


def update(
    session: Session,
    settings: Settings,
    owner: int | None,
    subscription_id: int,
    changes: Changes,
    now: datetime,
) -> SubscriptionView:
    """Rename, pause or resume, change the filters or the webhook."""
    subscription = get(session, owner, subscription_id)
    if changes.name is not None:
        subscription.name = _name(changes.name)
    if changes.active is not None:
        subscription.active = changes.active
    if changes.filters is not None:
        shown, query = changes.filters
        _check(session, settings, query)
        subscription.filters = shown
        subscription.query = query_json(query)
    if changes.drop_webhook:
        subscription.webhook_url = None
    elif changes.webhook_url is not None:
        subscription.webhook_url = webhooks.check_destination(changes.webhook_url, settings)
    subscription.updated_at = now
    session.flush()
    return view(session, subscription)


def delete(session: Session, owner: int | None, subscription_id: int) -> None:
    """Delete a subscription and its deliveries (pending ones are not sent)."""
    subscription_rows.delete(session, get(session, owner, subscription_id))


def delivery_page(
    session: Session,
    settings: Settings,
    owner: int | None,
    subscription_id: int,
    *,
    limit: int | None,
    cursor: str | None,
) -> Page[DeliveryView]:
    """A subscription's deliveries, newest first, each with its attempts."""
    get(session, owner, subscription_id)
    size = page_size(settings, limit)
    before = _before(_DELIVERY_CURSOR_KIND, cursor)
    rows = delivery_rows.page(session, subscription_id, before_id=before, limit=size + 1)
    next_cursor = (
        cursors.encode(_DELIVERY_CURSOR_KIND, [rows[size - 1].id]) if len(rows) > size else None
    )
    return Page[DeliveryView](
        items=[DeliveryView.model_validate(d) for d in rows[:size]], next_cursor=next_cursor
    )


def resend(
    session: Session, owner: int | None, subscription_id: int, delivery_id: int, now: datetime
) -> DeliveryView:
    """Queue a delivery again (with the same `webhook-id`); the worker sends it."""
    subscription = get(session, owner, subscription_id)
    if subscription.webhook_url is None:
        raise RequestInvalidError(
            f"Subscription {subscription_id} has no webhook: read its feed instead."
        )
    delivery = _delivery(session, subscription_id, delivery_id)
    if delivery.state is DeliveryState.pending and delivery.lease_owner is not None:
        raise RequestInvalidError(f"Delivery {delivery_id} is being sent right now.")
    delivery_rows.resend(session, delivery, now)
    return DeliveryView.model_validate(delivery)


def _delivery(session: Session, subscription_id: int, delivery_id: int) -> Delivery:
    found = delivery_rows.get(session, subscription_id, delivery_id)
    if found is None:
        raise NotFoundError(f"Subscription {subscription_id} has no delivery {delivery_id}.")
    return found


def _check(session: Session, settings: Settings, query: ArticleQuery) -> None:
    """The search's own checks (an unknown name is a 422), the errors placed in the body."""
    try:
        search.prepare(session, settings, query)
    except DomainError as exc:
        for error in exc.errors:
            if error.get("loc", [None])[0] == "query":
                error["loc"] = ["body", "filters", *error["loc"][1:]]
        raise


def _before(kind: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (last,) = cursors.decode(kind, cursor, 1)
    return cursors.decode_int(last)


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RequestInvalidError("A subscription needs a name.")
    return name


# The command line manages every key's subscriptions (`lens subscriptions`).


def every(session: Session) -> list[tuple[SubscriptionView, int | None]]:
    """Every subscription, oldest first, with the id of the key that owns it."""
    return [(view(session, s), s.api_key_id) for s in subscription_rows.every(session)]


def find(session: Session, subscription_id: int) -> Subscription:
    found = subscription_rows.find(session, subscription_id)
    if found is None:
        raise NotFoundError(f"There is no subscription {subscription_id}.")
    return found


def send_test(
    session: Session, settings: Settings, subscription_id: int, now: datetime
) -> webhooks.Outcome:
    """POST a signed `subscription.test` event to the webhook now, and say what came back."""
    subscription = find(session, subscription_id)
    if subscription.webhook_url is None:
        raise RequestInvalidError(f"Subscription {subscription_id} has no webhook.")
    payload = {
        "type": "subscription.test",
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {"subscription": {"id": subscription.id, "name": subscription.name}},
    }
    secret = webhooks.secret_of(settings, subscription.secret_scheme, subscription.secret_salt)
    with webhooks.new_client(settings) as client:
        return webhooks.send(
            client,
            settings,
            url=subscription.webhook_url,
            secret=secret,
            event_id=f"msg_test_{uuid.uuid4().hex}",
            body=webhooks.body_of(payload),
            sent_at=now,
        )


def resend_failed(
    session: Session, subscription_id: int, delivery_ids: Sequence[int], now: datetime
) -> int:
    """Queue again the given deliveries of a subscription, or all its failed ones."""
    subscription = find(session, subscription_id)
    if subscription.webhook_url is None:
        raise RequestInvalidError(f"Subscription {subscription_id} has no webhook.")
    if delivery_ids:
        chosen = [_delivery(session, subscription_id, i) for i in delivery_ids]
    else:
        chosen = delivery_rows.failed(session, subscription_id)
    for delivery in chosen:
        delivery_rows.resend(session, delivery, now)
    return len(chosen)
