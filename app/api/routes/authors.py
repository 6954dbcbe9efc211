"""Authors: the list with article counts, and one author's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import SessionDep, SettingsDep
from app.models.keys import MAX_ID
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.profiles import AuthorProfile, AuthorView
from app.schemas.text import SearchTerm, Storable
from app.services import analytics, catalog

router = APIRouter(prefix="/authors", tags=["authors"])


@router.get("", response_model=Page[AuthorView], responses=problem_responses(400, 422, 503))
def list_authors(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[
        SearchTerm | None,
        Query(description="Part of the name, any case.", examples=["trenin"]),
    ] = None,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[AuthorView]:
    """Authors, those with the most articles first."""
    return catalog.list_authors(session, settings, q=q, limit=limit, cursor=cursor)


@router.get(
    "/{author_id}", response_model=AuthorProfile, responses=problem_responses(404, 422, 503)
)
def author_profile(
    author_id: Annotated[
        int, Path(ge=1, le=MAX_ID, description="The author's id (see GET /v1/authors).")
    ],
    session: SessionDep,
    actors: Annotated[int, Query(ge=0, le=100, description="How many top actors to list.")] = 10,
) -> AuthorProfile:
    """An author: article count, date range, outlets, tone, top actors and topic mix."""
    return analytics.author_profile(session, author_id, actors_limit=actors)
