"""Articles: ingest (one or a batch), read one, and query."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.deps import SessionDep, SettingsDep
from app.models.article import ArticleStatus
from app.schemas.article import ArticleDetail, ArticleSummary
from app.schemas.ingest import Accepted, ArticleIn, BatchIn, BatchItem, BatchResult
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.services import articles as article_service
from app.services import ingest

router = APIRouter(prefix="/articles", tags=["articles"])

_BATCH_DESCRIPTION = """
Up to `LENS_MAX_BATCH_SIZE` articles (default 1,000), each as in `POST /v1/articles`.

**All or nothing.** If any article is invalid, the whole batch is rejected with `422` and nothing
is stored; the problem's `errors` list every bad field with the article's index, e.g.
`{"loc": ["body", "articles", 3, "text"], ...}`. Fix those and send the batch again: ingestion
is idempotent, so resending articles that were already stored is safe.

The answer has one item per article, in request order: its `id`, `status`, and `created`
(false when it was already stored). Status `202` when at least one article is new, else `200`.
"""


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses={
        200: {"model": Accepted, "description": "Already stored: the existing article."},
        **problem_responses(400, 413, 422, 503),
    },
)
def create_article(
    article: ArticleIn, session: SessionDep, settings: SettingsDep, response: Response
) -> Accepted:
    """Queue one article for analysis (200 with the stored one if it is a duplicate)."""
    result = ingest.ingest_one(session, settings, article)
    response.headers["Location"] = f"/v1/articles/{result.id}"
    if not result.created:
        response.status_code = status.HTTP_200_OK
    return Accepted(id=result.id, status=result.status)


@router.post(
    "/batch",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BatchResult,
    description=_BATCH_DESCRIPTION,
    responses={200: {"model": BatchResult}, **problem_responses(400, 413, 422, 503)},
)
def create_articles(
    batch: BatchIn, session: SessionDep, settings: SettingsDep, response: Response
) -> BatchResult:
    """Queue a batch of articles for analysis."""
    results = ingest.ingest_batch(session, settings, batch.articles)
    if not any(r.created for r in results):
        response.status_code = status.HTTP_200_OK
    return BatchResult(
        items=[
            BatchItem(index=i, id=r.id, status=r.status, created=r.created)
            for i, r in enumerate(results)
        ]
    )


@router.get(
    "/{article_id}", response_model=ArticleDetail, responses=problem_responses(404, 422, 503)
)
def read_article(article_id: int, session: SessionDep) -> ArticleDetail:
    """One article: its status and, once analysed, all its annotations and the models used."""
    return article_service.get_article(session, article_id)


@router.get("", response_model=Page[ArticleSummary], responses=problem_responses(400, 422, 503))
def list_articles(
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[
        list[str],
        Query(
            description="An actor's name, alias, key or id, any case. Repeat to require several "
            "(all must be mentioned). An unknown name is a 422.",
            examples=["India"],
        ),
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
    outlet: Annotated[str | None, Query(description="Outlet name, any case.")] = None,
    author: Annotated[str | None, Query(description="Author name, any case.")] = None,
    published_from: Annotated[
        date | None, Query(alias="from", description="Published on or after this date.")
    ] = None,
    published_to: Annotated[
        date | None, Query(alias="to", description="Published on or before this date.")
    ] = None,
    article_status: Annotated[
        list[ArticleStatus], Query(alias="status", description="Repeat for several.")
    ] = [],  # noqa: B006
    limit: Annotated[
        int | None, Query(description="Page size; default 20, at most `LENS_MAX_PAGE_SIZE`.")
    ] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> Page[ArticleSummary]:
    """Articles newest first (unknown dates last), filtered, one page at a time."""
    query = article_service.ArticleQuery(
        actors=actor,
        outlet=outlet,
        author=author,
        published_from=published_from,
        published_to=published_to,
        statuses=article_status,
    )
    return article_service.list_articles(session, settings, query, limit=limit, cursor=cursor)
