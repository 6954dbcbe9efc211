"""HTTP routes; thin: parse, call a service, return a schema."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.api.auth import ReadAccess
from app.api.routes import (
    actors,
    analyze,
    articles,
    authors,
    health,
    outlets,
    quotes,
    search,
    subscriptions,
    topics,
)
from app.schemas.problem import problem_responses


def build_router() -> APIRouter:
    router = APIRouter()
    router.include_router(health.router)
    # before `articles`: /articles/export must not be read as /articles/{article_id}
    include_v1(router, search.router)
    include_v1(router, articles.router)
    include_v1(router, outlets.router)
    include_v1(router, actors.router)
    include_v1(router, authors.router)
    include_v1(router, topics.router)
    include_v1(router, analyze.router)
    include_v1(router, subscriptions.router)
    include_v1(router, quotes.router)
    return router


def include_v1(parent: APIRouter | FastAPI, router: APIRouter) -> None:
    """Mount ``router`` under /v1 behind the read check and the rate limit (app/api/auth.py);
    its write routes add WriteAccess themselves."""
    parent.include_router(
        router, prefix="/v1", dependencies=[ReadAccess], responses=problem_responses(401, 429)
    )
