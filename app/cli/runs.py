"""Commands for model changes and data sets: `lens reannotate`, `lens runs`, `lens export`.

Added to `lens` by app/cli/__init__.py's plugin list. Exit codes: 0 ok, 1 failure, 2 usage error.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.analysis.loader import load_analyzer_from
from app.cli.common import (
    EXIT_USAGE,
    AnalyzerOpt,
    MigrateOpt,
    database,
    err_console,
    fail,
    progress_bar,
)
from app.core.config import Settings, get_settings
from app.errors import DomainError
from app.models.article import ArticleStatus

if TYPE_CHECKING:
    from app.services.annotate import RunIdentity

cli = typer.Typer()

ActorOpt = Annotated[
    list[str] | None,
    typer.Option("--actor", help="Actor name, alias or key; repeat to require several."),
]
OutletOpt = Annotated[
    list[str] | None, typer.Option("--outlet", help="Outlet name; repeat for any of several.")
]
FromOpt = Annotated[
    datetime | None,
    typer.Option("--from", "--since", formats=["%Y-%m-%d"], help="Published on or after."),
]
ToOpt = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Published on or before.")
]


@cli.command()
def reannotate(
    everything: Annotated[
        bool, typer.Option("--all", help="Also the articles the current models annotated.")
    ] = False,
    runs: Annotated[
        list[int] | None,
        typer.Option("--run", help="Only articles annotated by this run (see `lens runs`)."),
    ] = None,
    actor: ActorOpt = None,
    outlet: OutletOpt = None,
    published_from: FromOpt = None,
    published_to: ToOpt = None,
    include_failed: Annotated[
        bool, typer.Option("--failed", help="Also articles whose analysis failed.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Count only; queue nothing.")] = False,
    analyzer: AnalyzerOpt = None,
    migrate: MigrateOpt = True,
) -> None:
    """Queue again the articles older models annotated, after a model change.

    The current models are identified by the same fingerprint the worker records (their names,
    versions and settings); articles they annotated already are left alone unless --all. With
    --all or --run the models need not be known, so nothing is loaded.

    Requeued articles keep serving their old annotations until a worker (`lens worker`,
    `lens analyze`, or the server's own) replaces them in one transaction; the replaced
    document sentiment, topics and actor sentiments stay visible in the article's history
    (GET /v1/articles/{id}?include=history).

    Examples:

      lens reannotate --dry-run

      lens reannotate && lens analyze --workers 4

      lens reannotate --outlet "China Daily" --since 2021-01-01

      lens reannotate --all --actor India
    """
    from app.services import reannotate as service

    settings = get_settings()
    selection = service.Selection(
        actors=actor or [],
        outlets=outlet or [],
        published_from=published_from.date() if published_from else None,
        published_to=published_to.date() if published_to else None,
        run_ids=runs or [],
        everything=everything,
        include_failed=include_failed,
    )
    current = None if everything or runs else _current_identity(settings, analyzer)
    with database(settings, migrate=migrate) as session_factory:
        try:
            with session_factory() as session, session.begin():
                result = service.requeue(session, settings, selection, current, dry_run=dry_run)
        except DomainError as exc:
            raise fail(exc.detail, EXIT_USAGE) from None
    if current is not None:
        run = f"run {result.current_run_id}" if result.current_run_id else "not used yet"
        typer.echo(f"current models: {current.fingerprint[:12]} ({run})")
    noun = "article" if result.count == 1 else "articles"
    typer.echo(f"{result.count} {noun} {'would be queued' if dry_run else 'queued'}")
    actors = result.actors
    if actors.renamed or actors.merged:
        verb = "would be" if dry_run else "were"
        typer.echo(
            f"stored actors brought to today's names: {actors.renamed} {verb} renamed, "
            f"{actors.merged} {verb} merged (their ids still answer)"
        )


@cli.command("runs")
def list_runs(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Newest N runs.")] = 50,
) -> None:
    """List the analysis runs: their models, article counts, and when each was in use.

    A run is one set of models and settings; "articles" counts those whose current
    annotations it produced, "replaced" those a later run has re-annotated since.

    Examples:

      lens runs

      lens runs --json | jq '.[0].models'
    """
    from app.services import history

    settings = get_settings()
    with database(settings) as session_factory, session_factory() as session:
        usages = history.runs_with_usage(session, limit)
    if as_json:
        from app.schemas.runs import RunView

        typer.echo(json.dumps([RunView.of(u).model_dump(mode="json") for u in usages]))
        return
    if not usages:
        typer.echo("no analysis runs yet: nothing has been analysed")
        return
    for usage in usages:
        run = usage.run
        period = "never used"
        if usage.first_used and usage.last_used:
            period = f"{usage.first_used:%Y-%m-%d %H:%M} .. {usage.last_used:%Y-%m-%d %H:%M} UTC"
        typer.echo(
            f"run {run.id}  {run.fingerprint[:12]}  {usage.articles} articles, "
            f"{usage.replaced} replaced  ({period})"
        )
        for component, version in sorted(run.models.items()):
            typer.echo(f"    {component}: {version}")
        # settings are part of a run too (a changed topic threshold is a new run): show them
        settings_used = ", ".join(f"{key}={value}" for key, value in sorted(run.config.items()))
        if settings_used:
            typer.echo(f"    settings: {settings_used}")


@cli.command()
def export(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="The file to write.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="ndjson, csv or parquet; by default from OUT's suffix."),
    ] = None,
    actor: ActorOpt = None,
    outlet: OutletOpt = None,
    published_from: FromOpt = None,
    published_to: ToOpt = None,
    statuses: Annotated[
        list[ArticleStatus] | None,
        typer.Option("--status", help="Article status; repeat for several (default: done)."),
    ] = None,
    text: Annotated[bool, typer.Option(help="Include the article text.")] = True,
    max_id: Annotated[
        int | None,
        typer.Option(min=0, help="Leave out articles stored after this id (a manifest's)."),
    ] = None,
) -> None:
    """Write the filtered articles with their annotations, and a manifest beside the file.

    One row per article: metadata, document sentiment, all topics, every actor with the
    author's sentiment toward it, the quotations with their speakers and the speaker's stance
    toward each actor they name, the analysis run that produced them, and the text. The
    manifest (OUT.manifest.json) records the filters, counts, analysis runs (models and
    settings), schema revision, max_article_id and the file's sha256, so the data set can be
    reproduced: run the same command with --max-id from the manifest.

    Examples:

      lens export india.ndjson --actor India --from 2021-03-01 --to 2021-06-30

      lens export china-daily.parquet --outlet "China Daily"

      lens export all.csv --status done --status failed --no-text
    """
    from app.services import export_files, search

    settings = get_settings()
    chosen = fmt or out.suffix.lower().lstrip(".").replace("jsonl", "ndjson")
    if chosen not in export_files.EXPORT_FORMATS:
        raise fail(
            f"cannot tell the format from {out.name!r}: pass --format ndjson, csv or parquet",
            EXIT_USAGE,
        )
    query = search.ArticleQuery(
        actors=actor or [],
        outlets=outlet or [],
        published_from=published_from.date() if published_from else None,
        published_to=published_to.date() if published_to else None,
        statuses=statuses or [ArticleStatus.done],
    )
    with (
        database(settings) as session_factory,
        session_factory() as session,
        progress_bar("articles") as bar,
    ):
        task = bar.add_task(f"exporting {out.name}", total=None, items=0)
        try:
            manifest = export_files.export(
                session,
                settings,
                query,
                chosen,
                out,
                include_text=text,
                max_id=max_id,
                on_progress=lambda n: bar.update(task, completed=n, items=n),
            )
        except DomainError as exc:
            raise fail(exc.detail, EXIT_USAGE) from None
        except export_files.ExportError as exc:
            raise fail(str(exc)) from None
        bar.update(task, total=manifest["counts"]["articles"])
    typer.echo(
        f"{manifest['counts']['articles']} articles written to {out} "
        f"(manifest: {export_files.manifest_path(out).name})"
    )


def _current_identity(settings: Settings, analyzer_spec: str | None) -> RunIdentity:
    """The current models' fingerprint: described without loading them if possible."""
    from app.services import reannotate as service

    if analyzer_spec is None and (identity := service.described_identity(settings)) is not None:
        return identity
    err_console.print("loading the models to read their versions (use --all to skip) ...")
    try:
        return service.identity_of(load_analyzer_from(settings, analyzer_spec))
    except Exception as exc:
        raise fail(f"cannot load the models: {type(exc).__name__}: {exc}") from None
