"""What the day-one commands share: exit codes, a database session scope, progress bars,
and loading the analyzer (or a test double named with the hidden ``--analyzer`` option).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings

# Exit codes scripts can rely on (also in the README).
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # typer's own code for a bad option or argument
EXIT_PARTIAL = 3  # finished, but some rows were rejected or some articles failed

AnalyzerOpt = Annotated[
    str | None,
    typer.Option(
        "--analyzer",
        hidden=True,
        envvar="LENS_ANALYZER_FACTORY",
        help="module:factory called with the settings, instead of the bundled models (tests).",
    ),
]
MigrateOpt = Annotated[bool, typer.Option(help="Run `lens db upgrade` first.")]

err_console = Console(stderr=True)


def fail(message: str, code: int = EXIT_FAILURE) -> typer.Exit:
    """Print ``message`` to stderr; raise the returned Exit."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def database(settings: Settings, *, migrate: bool = False) -> Iterator[sessionmaker[Session]]:
    """A session factory on the configured database, disposed of afterwards."""
    from app.core.db import create_db_engine, create_session_factory
    from app.core.db import migrate as run_migrations

    if migrate:
        run_migrations(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        yield create_session_factory(engine)
    finally:
        engine.dispose()


class RateColumn(ProgressColumn):
    """Items per second, counted in the task's ``items`` field (the bar itself may be bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        items = int(task.fields.get("items", task.completed))
        rate = items / elapsed if elapsed > 0 else 0.0
        return Text(f"{items:,} {self.unit} · {rate:,.0f}/s", style="progress.data.speed")


def progress_bar(unit: str, *, counted: bool = False) -> Progress:
    """A bar with items done, rate and ETA, drawn on stderr (stdout keeps the summary)."""
    columns: list[ProgressColumn | str] = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if counted else TaskProgressColumn(),
        RateColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    ]
    return Progress(*columns, console=err_console, transient=False)
