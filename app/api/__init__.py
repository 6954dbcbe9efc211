"""HTTP routes; thin: parse, call a service, return a schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import actors, articles, health, outlets


def build_router() -> APIRouter:
    router = APIRouter()
    router.include_router(health.router)
    router.include_router(articles.router, prefix="/v1")
    router.include_router(outlets.router, prefix="/v1")
    router.include_router(actors.router, prefix="/v1")
    return router
