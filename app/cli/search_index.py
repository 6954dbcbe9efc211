"""`lens search-index`: build or update the search index (LENS_SEARCH_INDEX,
app/core/search_index.py).

Added to `lens` by the plugin list in app/cli/__init__.py. Exit codes: 0 ok, 1 failure (no
LENS_SEARCH_INDEX, or another process holds the index's writer), 2 usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import MigrateOpt, database, err_console, fail, progress_bar
from app.core.config import get_settings

cli = typer.Typer(
    help="The search index that ranks full-text results (LENS_SEARCH_INDEX).",
    no_args_is_help=True,
)


@cli.command()
def sync(
    path: Annotated[
        Path | None,
        typer.Option(help="The index folder; default LENS_SEARCH_INDEX.", show_default=False),
    ] = None,
    migrate: MigrateOpt = True,
) -> None:
    """Add every stored article the index lacks (all of them the first time), with progress.

    A running worker keeps the index up to date on its own; run this once to build it for an
    existing database. Safe to run at any time, beside running workers: it only adds, and one
    process writes at a time. After restoring the database from a backup, delete the folder
    first and build it again: articles the backup lacks would stay in the index.

    Example:

      LENS_SEARCH_INDEX=/var/lib/lens/search lens search-index sync
    """
    from app.core.search_index import open_index
    from app.services.search import sync_index

    settings = get_settings()
    folder = path or settings.search_index
    if folder is None:
        raise fail("no index folder: set LENS_SEARCH_INDEX or pass --path")
    index = open_index(folder)
    with database(settings, migrate=migrate) as factory, progress_bar("articles") as bar:
        task = bar.add_task("indexing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        added = sync_index(index, factory, progress)
    if added is None:
        raise fail(f"another process is writing {folder}: try again when it is done")
    err_console.print(f"{added:,} articles added; the index at {folder} holds {len(index):,}")
