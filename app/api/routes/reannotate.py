"""Re-annotation after a model change, and the analysis runs that tell model versions apart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.api.auth import WriteAccess
from app.api.deps import SessionDep, SettingsDep, write_transaction
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.runs import ReannotateIn, ReannotateResult, RunView
from app.schemas.text import Storable
from app.services import history, reannotate
from app.services.annotate import RunIdentity

router = APIRouter(tags=["re-annotation"])

_REANNOTATE_DESCRIPTION = """
Queues again the analysed articles that the current models did not annotate (compared by the
analysis run fingerprint), optionally narrowed by outlet, actor, publication dates or the runs
that annotated them; `all` queues the selected articles whatever their run.

Queued articles keep their current annotations until the worker replaces them, in one
transaction; the replaced document sentiment, topics and actor sentiments are kept and shown by
`GET /v1/articles/{id}?include=history`.

The current models are those of this server's embedded worker (once loaded). Without one, the
request needs `all` or `runs`, else it is a `409`.

This changes data: when API keys arrive it will need the write scope.
"""


@router.post(
    "/reannotate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReannotateResult,
    description=_REANNOTATE_DESCRIPTION,
    responses={200: {"model": ReannotateResult}, **problem_responses(400, 403, 409, 422, 503)},
    dependencies=[WriteAccess],
)
def reannotate_articles(
    body: ReannotateIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> ReannotateResult:
    """Queue articles again for analysis by the current models (200 with `dry_run`)."""
    selection = reannotate.Selection(
        actors=body.actor,
        outlets=body.outlet,
        published_from=body.published_from,
        published_to=body.published_to,
        run_ids=body.runs,
        everything=body.all,
        include_failed=body.include_failed,
    )
    current = _current_models(request, settings)
    with write_transaction(session):
        result = reannotate.requeue(session, settings, selection, current, dry_run=body.dry_run)
    if body.dry_run:
        response.status_code = status.HTTP_200_OK
    return ReannotateResult(
        queued=result.count,
        dry_run=result.dry_run,
        current_fingerprint=current.fingerprint if current else None,
        current_run_id=result.current_run_id,
        actors_renamed=result.actors.renamed,
        actors_merged=result.actors.merged,
    )


@router.get("/runs", response_model=Page[RunView], responses=problem_responses(400, 422, 503))
def list_runs(
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[RunView]:
    """Analysis runs, newest first: models, article counts, and when each was in use."""
    return history.list_runs(session, settings, limit=limit, cursor=cursor)


def _current_models(request: Request, settings: SettingsDep) -> RunIdentity | None:
    worker = getattr(request.app.state, "worker", None)
    analyzer = getattr(worker, "analyzer", None)
    if analyzer is not None:
        return reannotate.identity_of(analyzer)
    return reannotate.described_identity(settings)
