"""Outlets: the list with article counts, and one outlet's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import SessionDep, SettingsDep
from app.models.keys import MAX_ID
from app.schemas.catalog import OutletView
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.profiles import OutletProfile
from app.schemas.text import SearchTerm, Storable
from app.services import analytics, catalog

router = APIRouter(prefix="/outlets", tags=["outlets"])


@router.get("", response_model=Page[OutletView], responses=problem_responses(400, 422, 503))
def list_outlets(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[SearchTerm | None, Query(description="Part of the name, any case.")] = None,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[OutletView]:
    """Outlets, those with the most articles first."""
    return catalog.list_outlets(session, settings, q=q, limit=limit, cursor=cursor)


@router.get(
    "/{outlet_id}", response_model=OutletProfile, responses=problem_responses(404, 422, 503)
)
def outlet_profile(
    outlet_id: Annotated[
        int, Path(ge=1, le=MAX_ID, description="The outlet's id (see GET /v1/outlets).")
    ],
    session: SessionDep,
    actors: Annotated[int, Query(ge=0, le=100, description="How many top actors to list.")] = 10,
) -> OutletProfile:
    """An outlet: article count, dates, tone, top actors (and its tone toward each), topic mix."""
    return analytics.outlet_profile(session, outlet_id, actors_limit=actors)
