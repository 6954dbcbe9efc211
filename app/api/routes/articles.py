"""Articles: ingest (one or a batch) and read one (the search is in search.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from app.api.auth import WriteAccess
from app.api.deps import SessionDep, SettingsDep, write_transaction
from app.models.keys import MAX_ID
from app.schemas.article import ArticleDetail
from app.schemas.ingest import Accepted, ArticleIn, BatchIn, BatchItem, BatchResult
from app.schemas.problem import problem_responses
from app.schemas.runs import ArticleWithHistory
from app.services import articles as article_service
from app.services import history, ingest

router = APIRouter(prefix="/articles", tags=["articles"])

_BATCH_DESCRIPTION = """
Up to `LENS_MAX_BATCH_SIZE` articles (default 1,000), each as in `POST /v1/articles`.

**All or nothing.** If any article is invalid, the whole batch is rejected with `422` and nothing
is stored; the problem's `errors` list every bad field with the article's index, e.g.
`{"loc": ["body", "articles", 3, "text"], ...}`. Fix those and send the batch again: ingestion
is idempotent, so resending articles that were already stored is safe.

The answer has one item per article, in request order: its `id`, `status`, `created` (false
when it was already stored) and `revised` (true when its url was stored with another text, which
this one replaced). Status `202` when at least one article is new or revised, else `200`.
"""


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={
        200: {
            "model": Accepted,
            "description": "Already stored with this text: the existing article, unchanged.",
        },
        **problem_responses(400, 403, 413, 422, 503),
    },
    dependencies=[WriteAccess],
)
def create_article(
    article: ArticleIn, session: SessionDep, settings: SettingsDep, response: Response
) -> Accepted:
    """Queue one article (text or html) for analysis; 200 with the stored one if a duplicate."""
    with write_transaction(session):
        result = ingest.ingest_one(session, settings, article)
    response.headers["Location"] = f"/v1/articles/{result.id}"
    if not (result.created or result.revised):
        response.status_code = status.HTTP_200_OK
    return Accepted(
        id=result.id, status=result.status, revision=result.revision, revised=result.revised
    )


@router.post(
    "/batch",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BatchResult,
    description=_BATCH_DESCRIPTION,
    responses={200: {"model": BatchResult}, **problem_responses(400, 403, 413, 422, 503)},
    dependencies=[WriteAccess],
)
def create_articles(
    batch: BatchIn, session: SessionDep, settings: SettingsDep, response: Response
) -> BatchResult:
    """Queue a batch of articles for analysis."""
    with write_transaction(session):
        results = ingest.ingest_batch(session, settings, batch.articles)
    if not any(r.created or r.revised for r in results):
        response.status_code = status.HTTP_200_OK
    return BatchResult(
        items=[
            BatchItem(
                index=i,
                id=r.id,
                status=r.status,
                created=r.created,
                revision=r.revision,
                revised=r.revised,
            )
            for i, r in enumerate(results)
        ]
    )


@router.get(
    "/{article_id}", response_model=ArticleWithHistory, responses=problem_responses(404, 422, 503)
)
def read_article(
    article_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    session: SessionDep,
    include: Annotated[
        list[Literal["history"]],
        Query(description="`history`: the analyses that re-annotation replaced."),
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
) -> ArticleDetail:
    """One article: its status and, once analysed, all its annotations and the models used."""
    detail = article_service.get_article(session, article_id)
    return history.with_history(session, detail) if "history" in include else detail
