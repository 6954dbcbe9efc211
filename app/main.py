"""The FastAPI application: create_app() wires settings, database, worker, routes and errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.api import build_router
from app.api.body_limit import BodyLimitMiddleware
from app.api.routes import reannotate as reannotate_routes
from app.config import Settings, get_settings
from app.db import create_db_engine, create_session_factory
from app.errors import install_error_handlers
from app.schemas.problem import document_problems
from app.services.analyze import AnalyzerProvider
from app.worker import AnalyzerLoader, EmbeddedWorker, load_default_analyzer

_DESCRIPTION = """
Ingest news and opinion articles; each is analysed in the background (document sentiment, topics,
named entities resolved to canonical **actors**, and the author's sentiment toward each actor),
then query them: *what did outlets write about India between March and June, and how did they
feel about it?*

1. `POST /v1/articles` stores an article as `pending` and answers `202` with its `Location`.
2. A worker analyses it; `GET /v1/articles/{id}` shows `done` and every annotation.
3. `GET /v1/articles?actor=India&from=2021-03-01&to=2021-06-30` filters, newest first; every
   filter combines (actor, outlet, author, dates, topic, sentiment, genre, language, full text).
4. `GET /v1/actors/{id}` and `/v1/actors/{id}/timeline?interval=week` show who is covered, by
   whom, and how the tone toward them changes; outlets, authors and topics have profiles too.

Errors are `application/problem+json` (RFC 9457). Lists are paginated with `next_cursor`.
"""


def create_app(
    settings: Settings | None = None, *, load_analyzer: AnalyzerLoader | None = None
) -> FastAPI:
    """The application; nothing connects or loads until it starts (see the lifespan)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url)
        app.state.session_factory = create_session_factory(engine)
        worker = None
        if settings.embedded_worker:
            worker = EmbeddedWorker(
                settings, app.state.session_factory, load_analyzer or load_default_analyzer
            )
            worker.start()
        app.state.worker = worker
        app.state.analyzer_provider = AnalyzerProvider(
            settings, load_analyzer or load_default_analyzer, worker
        )
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            engine.dispose()

    app = FastAPI(
        title="Commentary Lens",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.include_router(build_router())
    app.include_router(reannotate_routes.router, prefix="/v1")
    document_problems(app)
    return app
