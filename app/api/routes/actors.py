"""Actors: the list with article counts, one actor's profile, its timeline, and the passages
behind the stance toward it in some articles."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import Field

from app.analysis.types import ActorKind
from app.api.deps import SessionDep, SettingsDep
from app.models.keys import MAX_ID
from app.schemas.catalog import ActorView
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.profiles import ActorPassages, ActorProfile, ActorTimeline
from app.schemas.quotes import ActorRelations
from app.schemas.text import NameFilter, SearchTerm, Storable
from app.services import analytics, catalog, quotes

router = APIRouter(prefix="/actors", tags=["actors"])

ActorId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The actor's id (see GET /v1/actors).", examples=[3])
]

_PROFILE_DESCRIPTION = """
How many analysed articles mention the actor and how often, when, the authors' sentiment toward
it overall and per outlet, and the actors most often named in the same articles. `from` and `to`
(inclusive; either may be left open) narrow every figure to the articles published in those
dates, which leaves out undated ones.

Example: how did each outlet write about China in the first half of 2020?
`GET /v1/actors/{id}?from=2020-01-01&to=2020-06-30`
"""

_TIMELINE_DESCRIPTION = """
For each period between `from` and `to` (by default the actor's first and last article): how many
analysed articles mention the actor, how many mentions they hold, and the authors' sentiment
toward it (mean score and the count of each label). Every period appears, with zero counts when
nothing was published. `outlet` narrows to some outlets. At most `LENS_MAX_TIMELINE_PERIODS`
periods (default 4,000: ten years by day); more is a `422`.

Example: how did the tone toward China change week by week in 2021?
`GET /v1/actors/{id}/timeline?interval=week&from=2021-01-01&to=2021-12-31`
"""


@router.get("", response_model=Page[ActorView], responses=problem_responses(400, 422, 503))
def list_actors(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[
        SearchTerm | None,
        Query(description="Part of a name, alias or key, any case.", examples=["rus"]),
    ] = None,
    kind: Annotated[ActorKind | None, Query(description="Only actors of this kind.")] = None,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[ActorView]:
    """Actors found in the articles, those in the most articles first."""
    return catalog.list_actors(session, settings, q=q, kind=kind, limit=limit, cursor=cursor)


@router.get(
    "/{actor_id}",
    response_model=ActorProfile,
    description=_PROFILE_DESCRIPTION,
    responses=problem_responses(404, 422, 503),
)
def actor_profile(
    actor_id: ActorId,
    session: SessionDep,
    outlets: Annotated[
        int, Query(ge=0, le=500, description="How many outlets to list in `by_outlet`.")
    ] = 20,
    co_mentions: Annotated[
        int, Query(ge=0, le=100, description="How many co-mentioned actors to list.")
    ] = 10,
    start: Annotated[
        date | None,
        Query(
            alias="from",
            description="Only articles published on or after.",
            examples=["2020-01-01"],
        ),
    ] = None,
    end: Annotated[
        date | None,
        Query(
            alias="to", description="Only articles published on or before.", examples=["2020-06-30"]
        ),
    ] = None,
) -> ActorProfile:
    """An actor: counts, dates, sentiment toward it overall and by outlet, co-mentioned actors."""
    return analytics.actor_profile(
        session,
        actor_id,
        outlets_limit=outlets,
        co_mentions_limit=co_mentions,
        start=start,
        end=end,
    )


@router.get(
    "/{actor_id}/timeline",
    response_model=ActorTimeline,
    description=_TIMELINE_DESCRIPTION,
    responses=problem_responses(404, 422, 503),
)
def actor_timeline(
    actor_id: ActorId,
    session: SessionDep,
    settings: SettingsDep,
    interval: Annotated[
        Literal["day", "week", "month"], Query(description="Period length; weeks start on Monday.")
    ] = "week",
    start: Annotated[
        date | None, Query(alias="from", description="First day.", examples=["2021-01-01"])
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last day (inclusive).", examples=["2021-12-31"])
    ] = None,
    outlet: Annotated[
        list[NameFilter], Query(description="Outlet name or id; repeat for several.")
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
) -> ActorTimeline:
    """Articles, mentions and the sentiment toward an actor per day, week or month."""
    return analytics.actor_timeline(
        session,
        actor_id,
        interval,
        start=start,
        end=end,
        outlet_terms=outlet,
        max_periods=settings.max_timeline_periods,
    )


MAX_PASSAGE_ARTICLES = 50

_PASSAGES_DESCRIPTION = f"""
For each of up to {MAX_PASSAGE_ARTICLES} articles (`article`, repeated; typically a page of
`GET /v1/articles?actor={{id}}`): the author's stance toward the actor and the passages behind it,
strongest first, each with its text and the actor's mentions inside it. One call for a list's
page instead of one whole article per item. Articles that are not analysed or do not name the
actor are left out; articles analysed before the stance model give their evidence sentences
(`kind: sentence`).

Example: `GET /v1/actors/1/passages?article=1042&article=1043`
"""


@router.get(
    "/{actor_id}/passages",
    response_model=ActorPassages,
    description=_PASSAGES_DESCRIPTION,
    responses=problem_responses(404, 422, 503),
)
def actor_passages(
    actor_id: ActorId,
    session: SessionDep,
    article: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]],
        Query(
            min_length=1,
            max_length=MAX_PASSAGE_ARTICLES,
            description="An article id; repeat for several.",
            examples=[[1042, 1043]],
        ),
    ],
) -> ActorPassages:
    """The passages behind the author's stance toward an actor, in each of some articles."""
    return analytics.actor_passages(session, actor_id, article)


_RELATIONS_DESCRIPTION = """
What the actor said about other actors (`direction=from`: it is the speaker of quotations that
name them) or what others said about it (`direction=to`), from the quotations of the analysed
articles: per other actor, the articles, the quoted mentions by the speaker's stance, and the
latest quotations. The most quoted first; with `stance`, only those with quotations of that
stance, the most of it first. `from`, `to` and `outlet` narrow to those articles.

Example: who criticised China in March 2020?
`GET /v1/actors/{id}/relations?direction=to&stance=negative&from=2020-03-01&to=2020-03-31`
"""


@router.get(
    "/{actor_id}/relations",
    response_model=ActorRelations,
    description=_RELATIONS_DESCRIPTION,
    responses=problem_responses(404, 422, 503),
)
def actor_relations(
    actor_id: ActorId,
    session: SessionDep,
    direction: Annotated[
        Literal["from", "to"],
        Query(description="`from`: what it said about others; `to`: what others said about it."),
    ] = "from",
    stance: Annotated[
        Literal["negative", "neutral", "positive"] | None,
        Query(description="Only relations with quotations of this stance."),
    ] = None,
    start: Annotated[
        date | None,
        Query(alias="from", description="Published on or after.", examples=["2020-03-01"]),
    ] = None,
    end: Annotated[
        date | None,
        Query(alias="to", description="Published on or before.", examples=["2020-03-31"]),
    ] = None,
    outlet: Annotated[
        list[NameFilter], Query(description="Outlet name or id; repeat for several.")
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
    actors: Annotated[int, Query(ge=1, le=100, description="How many other actors to list.")] = 20,
) -> ActorRelations:
    """Who an actor spoke about, or who spoke about it, with counts by stance and quotations."""
    chosen = quotes.filters(session, stance=stance, outlet=outlet, start=start, end=end)
    return quotes.actor_relations(session, actor_id, direction, chosen, limit=actors)
