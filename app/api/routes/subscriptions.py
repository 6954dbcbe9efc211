"""Subscriptions: saved searches that push new matches (signed webhooks) and serve them as Atom."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.api.auth import OwnerDep
from app.api.deps import SessionDep, SettingsDep, write_transaction
from app.api.search_params import saved_filters
from app.api.subscription_body import SubscriptionIn, SubscriptionPatch
from app.core.db import utcnow
from app.models.keys import MAX_ID
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.subscription import DeliveryView, SubscriptionCreated, SubscriptionView
from app.schemas.text import Storable
from app.services import feeds, subscriptions
from app.services.subscriptions import Changes

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])

SubscriptionId = Annotated[int, Path(ge=1, le=MAX_ID, description="The subscription's id.")]
Limit = Annotated[
    int | None, Query(description="Page size; default 20, at most `LENS_MAX_PAGE_SIZE`.")
]
Cursor = Annotated[Storable | None, Query(description="`next_cursor` of the previous page.")]
FeedToken = Annotated[
    Storable | None,
    Query(
        description="An API key, for feed readers that cannot send `Authorization` "
        "(needed only where keys are).",
        examples=["lens_AbCd1234..."],
    ),
]

_CREATE_DESCRIPTION = """
Saves a search: `filters` takes the names of `GET /v1/articles`' filters (`actor` as a list,
`actor_mode`, `actor_sentiment`, `outlet`, `author`, `from`, `to`, `topic`, `genre`, `language`,
`sentiment`, `min_sentiment`, `max_sentiment`, `q`), checked as the search checks them (an
unknown name is a `422`).

From now on, every article whose analysis makes it match (a first analysis, a re-analysis or a
revision) is a *delivery*: POSTed to `webhook.url` by the workers, signed as Standard Webhooks
does (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with backoff for over a
day on timeouts, connection errors, 5xx, 408 and 429; and listed in the Atom feed
`/v1/subscriptions/{id}/feed`. Leave `webhook` out for a feed only.

The answer carries the signing `secret` (`whsec_` + base64) this once. The subscription belongs
to the API key that made it: other keys see a `404`.
"""

_ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An Atom feed, newest first.",
        "content": {
            feeds.MEDIA_TYPE: {
                "schema": {"type": "string"},
                "example": '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom">...<entry><title>China, Russia '
                "have to forge closer ties</title>...<summary>China Daily · 2021-03-24\n"
                "Author's stance: United States negative (-0.46); China positive (+0.31)"
                "</summary></entry></feed>",
            }
        },
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    description=_CREATE_DESCRIPTION,
    responses=problem_responses(400, 413, 422, 503),
)
def create_subscription(
    body: SubscriptionIn,
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    response: Response,
) -> SubscriptionCreated:
    """Save a search; new matches are POSTed to its webhook and listed in its feed."""
    shown, query = saved_filters(body.filters)
    with write_transaction(session):
        created = subscriptions.create(
            session,
            settings,
            owner=owner,
            name=body.name,
            filters=shown,
            query=query,
            webhook_url=body.webhook.url if body.webhook else None,
            now=utcnow(),
        )
    response.headers["Location"] = f"/v1/subscriptions/{created.id}"
    return created


@router.get("", response_model=Page[SubscriptionView], responses=problem_responses(400, 422, 503))
def list_subscriptions(
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Page[SubscriptionView]:
    """Your subscriptions, newest first."""
    return subscriptions.list_page(session, settings, owner, limit=limit, cursor=cursor)


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionView,
    responses=problem_responses(404, 422, 503),
)
def read_subscription(
    subscription_id: SubscriptionId, session: SessionDep, owner: OwnerDep
) -> SubscriptionView:
    """One subscription, with its deliveries counted by state."""
    return subscriptions.view(session, subscriptions.get(session, owner, subscription_id))


@router.patch(
    "/{subscription_id}",
    response_model=SubscriptionView,
    responses=problem_responses(400, 404, 413, 422, 503),
)
def update_subscription(
    subscription_id: SubscriptionId,
    body: SubscriptionPatch,
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
) -> SubscriptionView:
    """Pause (`active: false`), resume, rename, or change its filters or webhook."""
    given = body.model_fields_set
    changes = Changes(
        name=body.name,
        active=body.active,
        filters=saved_filters(body.filters) if body.filters is not None else None,
        webhook_url=body.webhook.url if body.webhook else None,
        drop_webhook="webhook" in given and body.webhook is None,
    )
    with write_transaction(session):
        return subscriptions.update(session, settings, owner, subscription_id, changes, utcnow())


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(404, 422, 503),
)
def delete_subscription(
    subscription_id: SubscriptionId, session: SessionDep, owner: OwnerDep
) -> Response:
    """Delete a subscription and its deliveries; pending ones are not sent."""
    with write_transaction(session):
        subscriptions.delete(session, owner, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=Page[DeliveryView],
    responses=problem_responses(400, 404, 422, 503),
)
def list_deliveries(
    subscription_id: SubscriptionId,
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Page[DeliveryView]:
    """Its deliveries, newest first, each with every attempt (status, error, time taken)."""
    return subscriptions.delivery_page(
        session, settings, owner, subscription_id, limit=limit, cursor=cursor
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryView,
    responses=problem_responses(404, 422, 503),
)
def resend_delivery(
    subscription_id: SubscriptionId,
    delivery_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The delivery's id.")],
    session: SessionDep,
    owner: OwnerDep,
) -> DeliveryView:
    """Send a delivery again (a failed one, say) with the same `webhook-id`; a worker sends it."""
    with write_transaction(session):
        return subscriptions.resend(session, owner, subscription_id, delivery_id, utcnow())


@router.get(
    "/{subscription_id}/feed",
    response_class=Response,
    responses={**_ATOM_RESPONSE, **problem_responses(404, 422, 503)},
)
def subscription_feed(
    subscription_id: SubscriptionId,
    request: Request,
    session: SessionDep,
    owner: OwnerDep,
    token: FeedToken = None,
) -> Response:
    """Its latest 50 matches as an Atom feed, newest first, with the author's stance in each."""
    body = feeds.subscription_feed(
        session,
        owner,
        subscription_id,
        base_url=str(request.base_url),
        self_url=str(request.url.remove_query_params("token")),
        now=utcnow(),
    )
    return Response(body, media_type=feeds.MEDIA_TYPE)
