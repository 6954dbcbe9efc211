"""Actors with their article counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import SessionDep, SettingsDep
from app.schemas.catalog import ActorView
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.services import catalog

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", response_model=Page[ActorView], responses=problem_responses(400, 422, 503))
def list_actors(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200, description="Part of a name, alias or key, any case.", examples=["rus"]
        ),
    ] = None,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> Page[ActorView]:
    """Actors found in the articles, the most mentioned first."""
    return catalog.list_actors(session, settings, q=q, limit=limit, cursor=cursor)
