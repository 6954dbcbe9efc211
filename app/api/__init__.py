"""HTTP routes; thin: parse, call a service, return a schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import (
    actors,
    analyze,
    articles,
    authors,
    health,
    outlets,
    search,
    topics,
)


def build_router() -> APIRouter:
    router = APIRouter()
    router.include_router(health.router)
    # before `articles`: /articles/export must not be read as /articles/{article_id}
    router.include_router(search.router, prefix="/v1")
    router.include_router(articles.router, prefix="/v1")
    router.include_router(outlets.router, prefix="/v1")
    router.include_router(actors.router, prefix="/v1")
    router.include_router(authors.router, prefix="/v1")
    router.include_router(topics.router, prefix="/v1")
    router.include_router(analyze.router, prefix="/v1")
    return router
