"""Day-one commands: `lens import`, `lens analyze`, `lens status`.

Added to `lens` by app/cli/__init__.py's plugin list. Exit codes: 0 ok, 1 failure, 2 usage error,
3 finished but some rows were rejected (import) or some articles failed (analyze).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.analysis.loader import load_analyzer_from
from app.cli.common import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    AnalyzerOpt,
    MigrateOpt,
    database,
    err_console,
    fail,
    progress_bar,
)
from app.core.config import Settings, get_settings

if TYPE_CHECKING:
    from rich.progress import Progress, Task, TaskID

    from app.drain import Pool
    from app.services.importer import ImportReport, Sink

cli = typer.Typer()

_SHOW_REJECTS = 20
_SHOW_NOTES = 5


@cli.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            readable=True,
            help="A .jsonl/.json/.csv file (optionally .gz) or a folder.",
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, json, csv or txt; by default from the name."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN pairs, comma-separated or repeated: where each article field is "
            "read from (default: the field's own name).",
        ),
    ] = None,
    map_file: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help='The same as a file: JSON {"outlet": "source"} or lines outlet=source.',
        ),
    ] = None,
    constants: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE for every row, e.g. --set outlet='China Daily'."),
    ] = None,
    dayfirst: Annotated[
        bool, typer.Option(help="Read 01/02/2021 as 1 February (default: 2 January).")
    ] = False,
    api: Annotated[
        str | None,
        typer.Option(help="Load through a running server (its base URL) instead of the database."),
    ] = None,
    key: Annotated[
        str | None, typer.Option(envvar="LENS_API_KEY", help="API key for --api.")
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=5000, help="Articles per transaction or request.")
    ] = 500,
    rejects: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write rejected rows here (JSON Lines) as well."),
    ] = None,
    migrate: MigrateOpt = True,
) -> None:
    """Load articles from a dump into the database (or a running server), once each.

    Reads JSON Lines (plain or .gz), a JSON array, CSV, or a folder of .txt files (first line the
    title) and saved .html pages (extracted as POST /v1/articles does with `html`). Fields are
    matched by name (text or html, title, outlet, authors, published, url, language, genre); map
    others with --map. Authors may be a list or one string ("A, B and C"); dates in
    any common format; a date that cannot be read is kept as unknown.

    A re-run adds nothing twice (same url, or same outlet, title and text). Bad rows are listed
    at the end with their line numbers and reasons; they never stop the import.

    Exit codes: 0 all rows loaded (or already there), 3 some rows rejected, 1 the import could
    not go on (unreadable file, database or server down), 2 bad options.

    Examples:

      lens import ../shared/data/articles/allsides-10k.jsonl.gz

      lens import dump.csv --map outlet=source,published=date --rejects rejects.jsonl

      lens import notes/ --set outlet="China Daily" --set genre=opinion

      lens import saved-pages/     # .html files: text, title, authors, date from each page

      lens import dump.jsonl --api http://lens.example:8000 --key $LENS_API_KEY
    """
    from app.services import importer
    from app.services.import_records import FieldMap, parse_pairs, read_map_file
    from app.services.import_sources import FORMATS, Source, detect_format

    settings = get_settings()
    try:
        if fmt is not None and fmt not in FORMATS:
            raise ValueError(f"--format must be one of {', '.join(FORMATS)}")
        source_format = fmt or detect_format(path)
        sources = read_map_file(map_file) if map_file else {}
        sources.update(parse_pairs(mapping or [], option="--map"))
        fields = FieldMap(sources, parse_pairs(constants or [], option="--set"), dayfirst)
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    if source_format == "txt" and not path.is_dir():
        raise fail("--format txt reads a folder of .txt files", EXIT_USAGE)
    source = Source(path, source_format)

    with progress_bar("rows") as bar, _sink(api, key, settings, migrate) as sink:
        task = bar.add_task(f"importing {path.name}", total=source.total or None, items=0)

        def on_progress(report: importer.ImportReport) -> None:
            bar.update(task, completed=source.position, total=source.total, items=report.rows)

        try:
            report = importer.run_import(
                source, fields, sink, settings, chunk_size=batch_size, on_progress=on_progress
            )
        except importer.ImportAbortedError as exc:
            raise fail(f"{exc}; a re-run resumes safely (nothing is stored twice)") from None
    _print_report(report, rejects)
    if report.rejects:
        raise typer.Exit(EXIT_PARTIAL)


@contextmanager
def _sink(api: str | None, key: str | None, settings: Settings, migrate: bool) -> Iterator[Sink]:
    from app.services.importer import ApiSink, DatabaseSink

    if api is not None:
        sink = ApiSink.connect(api, key)
        try:
            yield sink
        finally:
            sink.close()
        return
    with database(settings, migrate=migrate) as session_factory:
        yield DatabaseSink(session_factory, settings)


def _print_report(report: ImportReport, rejects_path: Path | None) -> None:
    rate = report.rows / report.seconds if report.seconds else 0.0
    typer.echo(
        f"{report.rows} rows read in {report.seconds:.1f} s ({rate:,.0f} rows/s): "
        f"{report.created} stored, {report.duplicates} already there, "
        f"{len(report.rejects)} rejected"
    )
    if report.notes:
        examples = "; ".join(f"{where}: {note}" for where, note in report.notes[:_SHOW_NOTES])
        typer.echo(f"{len(report.notes)} values tidied, e.g. {examples}")
    if report.rejects:
        typer.echo("rejected rows:")
        for reject in report.rejects[:_SHOW_REJECTS]:
            typer.echo(f"  {reject.where}: {'; '.join(reject.reasons)}")
        if len(report.rejects) > _SHOW_REJECTS:
            more = len(report.rejects) - _SHOW_REJECTS
            hint = f"see {rejects_path}" if rejects_path else "use --rejects FILE for the list"
            typer.echo(f"  ... and {more} more ({hint})")
    if rejects_path is not None:
        with rejects_path.open("w", encoding="utf-8") as handle:
            for reject in report.rejects:
                handle.write(json.dumps(reject.as_json(), ensure_ascii=False) + "\n")
        err_console.print(f"{len(report.rejects)} rejected rows written to {rejects_path}")


@cli.command()
def analyze(
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes, each with its own models.")
    ] = 1,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Stop after analysing N articles.")
    ] = None,
    analyzer: AnalyzerOpt = None,
    migrate: MigrateOpt = True,
) -> None:
    """Analyse the queued articles now, in the foreground, then exit (no server needed).

    Shows a progress bar with articles per second and the time left. Each worker process loads
    the models once (memory grows with --workers); on PostgreSQL they claim batches side by
    side, on SQLite their short claim transactions take turns. Ctrl-C finishes the batches in
    hand, then stops; what is left stays queued.

    Exit codes: 0 done, 3 some articles failed (see `lens status`, GET /v1/articles/{id}),
    1 an error stopped the run.

    Examples:

      lens analyze

      lens analyze --workers 4 --limit 1000
    """
    from app.drain import Budget, Pool, on_signals, run_here
    from app.services import queue

    settings = get_settings()
    with database(settings, migrate=migrate) as session_factory:
        with session_factory() as session:
            before = queue.count_by_status(session)
        total = min(before["pending"], limit) if limit else before["pending"]
        if total == 0:
            typer.echo("nothing to analyse: the queue is empty")
            return
        budget = Budget(limit)
        with progress_bar("articles", counted=True) as bar:
            task = bar.add_task("loading the models", total=total, items=0)

            def settled(count: int) -> None:
                # A retried article counts once per attempt: let the total follow.
                done = bar.tasks[task].completed + count
                bar.update(task, completed=done, total=max(total, done), items=done)

            try:
                if workers == 1:
                    model = load_analyzer_from(settings, analyzer)
                    _describe(bar, task, "analysing")
                    run_here(session_factory, model, settings, budget, settled)
                    codes = [0]
                else:
                    pool = Pool.start(workers, settings, analyzer, budget)
                    with on_signals(pool.stop):
                        codes = _follow(pool, lambda: _describe(bar, task, "analysing"), settled)
            except Exception as exc:
                raise fail(f"analysis stopped: {type(exc).__name__}: {exc}") from None
        with session_factory() as session:
            after = queue.count_by_status(session)
    _print_analysis(before, after, bar.tasks[task])
    if any(codes):
        raise fail(f"{sum(1 for c in codes if c)} worker processes failed; see the log above")
    if after["failed"] > before["failed"]:
        raise typer.Exit(EXIT_PARTIAL)


def _follow(
    pool: Pool, on_loaded: Callable[[], None], on_settled: Callable[[int], None]
) -> list[int]:
    """Relay the processes' messages to the bar until they have all ended; their exit codes."""
    loaded = False
    while True:
        message = pool.receive(timeout=0.2)
        if message is None:
            if not pool.alive():
                break
            continue
        kind, count = message
        if kind == "loaded" and not loaded:
            loaded = True
            on_loaded()
        elif kind == "settled":
            on_settled(count)
    # A process's last messages may still be on their way when it exits.
    while (message := pool.receive(timeout=0.1)) is not None:
        if message[0] == "settled":
            on_settled(message[1])
    return pool.join()


def _print_analysis(before: dict[str, int], after: dict[str, int], task: Task) -> None:
    elapsed = task.finished_time or task.elapsed or 0.0
    settled = int(task.completed)
    rate = settled / elapsed if elapsed else 0.0
    typer.echo(
        f"{settled} analysed in {elapsed:.1f} s ({rate:,.1f} articles/s): "
        f"{after['done'] - before['done']:+d} done, {after['failed'] - before['failed']:+d} "
        f"failed, {after['pending']} still pending"
    )


def _describe(bar: Progress, task: TaskID, description: str) -> None:
    bar.update(task, description=description)


@cli.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """Show the queue: articles by status, the oldest waiting, and the workers holding leases;
    with LENS_SEARCH_INDEX, how far the search index is behind the database.

    A lease past its expiry belongs to a worker that died or stalled; another worker will take
    its articles over.

    Examples:

      lens status

      lens status --json | jq .queue.pending
    """
    from app.services import queue

    settings = get_settings()
    with database(settings) as session_factory, session_factory() as session:
        current = queue.state(session)
    counts, held, oldest = current.counts, current.leases, current.oldest_pending
    index = _search_index_state(settings, current.newest_id)
    if as_json:
        report = {
            "queue": counts,
            "search_index": index,
            "oldest_pending_received_at": oldest.isoformat() if oldest else None,
            "leases": [
                {
                    "owner": lease.owner,
                    "articles": lease.articles,
                    "expires_at": lease.expires_at.isoformat(),
                    "expired": lease.expired,
                }
                for lease in held
            ],
        }
        typer.echo(json.dumps(report))
        return
    typer.echo("queue: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    if oldest is not None:
        typer.echo(f"oldest pending: received {oldest:%Y-%m-%d %H:%M:%S} UTC")
    if not held:
        typer.echo("no worker holds a lease")
    for lease in held:
        state = "EXPIRED" if lease.expired else f"until {lease.expires_at:%H:%M:%S} UTC"
        typer.echo(f"lease: {lease.owner}: {lease.articles} articles, {state}")
    if index is not None:
        if "error" in index:
            typer.echo(f"search index {index['path']}: unusable ({index['error']})")
        else:
            ranks = "ranks full text" if index["ranks"] else "behind: the database ranks"
            typer.echo(
                f"search index {index['path']}: {index['articles']} articles, "
                f"{index['lag_ids']} ids behind the database; {ranks}"
            )


def _search_index_state(settings: Settings, newest: int) -> dict[str, Any] | None:
    """The search index's size and lag behind the database (None when none is configured)."""
    if settings.search_index is None:
        return None
    from app.core.search_index import open_index

    state: dict[str, Any] = {"path": str(settings.search_index)}
    try:
        index = open_index(settings.search_index)
        highest = index.highest_id()
        state |= {
            "articles": len(index),
            "highest_id": highest,
            "lag_ids": max(newest - highest, 0),
            "ranks": index.covers(newest),
        }
    except (OSError, ValueError) as error:
        state["error"] = str(error)
    return state
