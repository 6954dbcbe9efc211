"""The FastAPI application: create_app() wires settings, database, worker, routes and errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from app import __version__
from app.analysis.loader import AnalyzerLoader, load_default_analyzer
from app.api import build_router, include_v1
from app.api.auth import log_access_mode
from app.api.body_limit import BodyLimitMiddleware
from app.api.links import document_links
from app.api.openapi_limits import document_setting_limits
from app.api.problems import document_problems, install_error_handlers
from app.api.rate_limit import RateLimiter, RateLimitHeadersMiddleware
from app.api.routes import metrics as metrics_routes
from app.api.routes import reannotate as reannotate_routes
from app.api.telemetry import TelemetryMiddleware
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, create_session_factory
from app.core.metrics import scrape_registry
from app.services import health
from app.services.analyze import AnalyzerProvider
from app.ui import pages as ui_pages
from app.worker import EmbeddedWorker

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

The [dashboard](/ui) shows the same data in the browser: actors' timelines and tone by outlet,
articles with their actors marked by the author's stance, and a text analysed on the spot.
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
        app.state.metrics_registry = scrape_registry(
            partial(health.queue_depth, app.state.session_factory)
        )
        await run_in_threadpool(log_access_mode, app.state.session_factory)
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
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # Added last, so outermost of ours: it times, tags and counts what the others answer too.
    app.add_middleware(TelemetryMiddleware)
    install_error_handlers(app)
    app.include_router(build_router())
    include_v1(app, reannotate_routes.router)
    app.include_router(metrics_routes.router)
    ui_pages.mount(app)
    document_problems(app)
    document_setting_limits(app, settings.max_page_size, settings.max_query_actors)
    document_links(app)
    return app
