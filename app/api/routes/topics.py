"""Topics: the taxonomy in use, with article counts."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep, SettingsDep
from app.schemas.problem import problem_responses
from app.schemas.profiles import TopicView
from app.services import catalog

router = APIRouter(prefix="/topics", tags=["topics"])


@router.get("", response_model=list[TopicView], responses=problem_responses(503))
def list_topics(session: SessionDep, settings: SettingsDep) -> list[TopicView]:
    """The taxonomy's topics with their article counts, then any other topic found on articles."""
    return catalog.list_topics(session, settings)
