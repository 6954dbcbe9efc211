"""The `lens` command: serve the API, run workers, migrate the database.

Other command groups plug in as modules (see _PLUGINS), so this file needs no edit to grow.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import signal
import threading
from functools import partial
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import AnalyzerOpt
from app.core.config import get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

cli = typer.Typer(
    name="lens",
    # Docstrings are wrapped at 100 columns; markdown re-flows them to the terminal's width.
    rich_markup_mode="markdown",
    help="Commentary Lens: analyse news commentary and serve the results over HTTP.\n\n"
    "Settings come from LENS_* environment variables or a .env file "
    "(e.g. LENS_DATABASE_URL=postgresql+psycopg://user@host/db).",
    no_args_is_help=True,
    add_completion=False,
)
db_cli = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

# (module, group name): each module exposes `cli: typer.Typer`, added if the module exists;
# a group name of None adds the module's commands at the top level.
_PLUGINS: tuple[tuple[str, str | None], ...] = (
    ("app.cli.eval", "eval"),
    ("app.cli.tools", None),
    ("app.cli.runs", None),
    ("app.cli.keys", "keys"),
    ("app.cli.search_index", "search-index"),
    ("app.cli.subscriptions", "subscriptions"),
)

logger = logging.getLogger("app.cli")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; 0.0.0.0 for all.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Run `lens db upgrade` first.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes (uvicorn workers). More than one is for PostgreSQL: SQLite has "
            "one writer, and each process runs its own embedded worker unless "
            "LENS_EMBEDDED_WORKER=false.",
        ),
    ] = 1,
) -> None:
    """Start the HTTP API (docs at /docs).

    With the defaults it is self-contained: a SQLite file (./lens.db) and an analysis worker
    inside the process. Set LENS_EMBEDDED_WORKER=false when `lens worker` processes run instead.

    Example: lens serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from app.cli.keys import warn_if_open

    _configure_logging(long_running=True)
    if migrate:
        _upgrade("head")
    warn_if_open(host)
    # Our handler for uvicorn's loggers too, and our access log (app/api/telemetry.py) for its.
    uvicorn.run(
        "app.cli:served_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        workers=workers,
    )


@cli.command()
def worker(
    migrate: Annotated[bool, typer.Option(help="Run `lens db upgrade` first.")] = True,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="Serve Prometheus metrics on this port (off by default)."
        ),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option(help="Interface for --metrics-port; 0.0.0.0 for all.")
    ] = "127.0.0.1",
    analyzer: AnalyzerOpt = None,
) -> None:
    """Run a standalone analysis worker until SIGTERM or Ctrl-C.

    Start as many as the database allows (PostgreSQL); each loads the models once. On a signal
    it finishes or releases the batch in hand, then exits. With --metrics-port it serves the
    same metrics as the API's /metrics (its own counts, and the queue depth) at /metrics there.

    Example: LENS_DATABASE_URL=postgresql+psycopg://lens@db/lens lens worker --metrics-port 9100
    """
    from prometheus_client import start_http_server

    from app.analysis.loader import load_analyzer_from
    from app.core import metrics
    from app.core.db import create_db_engine, create_session_factory
    from app.services.health import queue_depth
    from app.worker import Worker

    _configure_logging(long_running=True)
    settings = get_settings()
    if migrate:
        _upgrade("head")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("%s: finishing the batch in hand, then stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    engine = create_db_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    server = None
    if metrics_port is not None:
        registry = metrics.scrape_registry(partial(queue_depth, session_factory))
        server, _thread = start_http_server(metrics_port, metrics_host, registry)
        logger.info("metrics on http://%s:%d/metrics", metrics_host, metrics_port)
    try:
        with metrics.MODEL_LOAD_SECONDS.time():
            model = load_analyzer_from(settings, analyzer)
        Worker(session_factory, model, settings).run(stop)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database to the latest schema (or REVISION).

    Example: LENS_DATABASE_URL=sqlite:///./lens.db lens db upgrade
    """
    _configure_logging()
    _upgrade(revision)


@db_cli.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision; `base` drops everything.")],
) -> None:
    """Migrate the database back to REVISION.

    Example: lens db downgrade base
    """
    from app.core.db import migrate

    _configure_logging()
    migrate(get_settings().database_url, revision, downgrade=True)


@cli.command()
def requeue(
    failed: Annotated[bool, typer.Option(help="Requeue articles whose analysis failed.")] = True,
    done: Annotated[bool, typer.Option(help="Requeue analysed articles too.")] = False,
) -> None:
    """Queue articles for analysis again, e.g. after a model change or a fixed bug.

    Their current annotations stay visible until the new ones replace them.

    Example: lens requeue --done
    """
    from app.core.db import create_db_engine, create_session_factory
    from app.models.article import ArticleStatus
    from app.services import queue

    statuses = [s for s, on in ((ArticleStatus.failed, failed), (ArticleStatus.done, done)) if on]
    engine = create_db_engine(get_settings().database_url)
    try:
        with create_session_factory(engine)() as session, session.begin():
            count = queue.requeue(session, statuses)
    finally:
        engine.dispose()
    typer.echo(f"{count} articles queued")


def _upgrade(revision: str) -> None:
    from app.core.db import migrate

    migrate(get_settings().database_url, revision)


def served_app() -> FastAPI:
    """The app `lens serve` runs, built in each uvicorn process (its own logging set up)."""
    from app.main import create_app

    _configure_logging(long_running=True)
    return create_app()


def _configure_logging(*, long_running: bool = False) -> None:
    """LENS_LOG_FORMAT, or json for the services (log collectors) and text for one-off commands."""
    from app.core.logs import LogFormat, configure_logging

    settings = get_settings()
    default: LogFormat = "json" if long_running else "text"
    configure_logging(settings.log_format or default, settings.log_level)


def _add_plugins() -> None:
    for module_name, group in _PLUGINS:
        if importlib.util.find_spec(module_name) is not None:
            module = importlib.import_module(module_name)
            cli.add_typer(module.cli, name=group)


def main() -> None:
    """Entry point of the `lens` console script."""
    _add_plugins()
    cli()
