"""Outlets with their article counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import SessionDep, SettingsDep
from app.schemas.catalog import OutletView
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.services import catalog

router = APIRouter(prefix="/outlets", tags=["outlets"])


@router.get("", response_model=Page[OutletView], responses=problem_responses(400, 422, 503))
def list_outlets(
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> Page[OutletView]:
    """Outlets, those with the most articles first."""
    return catalog.list_outlets(session, settings, limit=limit, cursor=cursor)
