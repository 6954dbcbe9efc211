"""Article search: one page at a time, or every match streamed as NDJSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from app.api.deps import SessionDep, SessionFactoryDep, SettingsDep
from app.api.search_params import article_query
from app.core.db import utcnow
from app.errors import RequestInvalidError, field_error
from app.schemas.article import ArticleFields, ArticleSummary
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.text import Storable
from app.services import feeds, search
from app.services.search import ArticleQuery

router = APIRouter(prefix="/articles", tags=["search"])

QueryDep = Annotated[ArticleQuery, Depends(article_query)]

_LIST_DESCRIPTION = """
Every filter may be combined with every other; each one given must match. Names are resolved
as in the other endpoints (any case; actors also by alias, key or id), and a name that matches
nothing is a `422` naming it, never an empty page.

**Pages.** Follow `next_cursor` until it is null. A traversal sees the articles stored when its
first page was asked for: articles that arrive meanwhile never shift, repeat or skip items (they
show up in a new traversal). One exception: with `sort=relevance` on SQLite, or where the server
ranks with its search index (BM25, `LENS_SEARCH_INDEX`), the scores depend on corpus-wide word
statistics, which new articles change, so later pages of a long traversal may be ordered slightly
differently; PostgreSQL's own scores depend on the article alone.

**Items.** Each carries the document sentiment, its top topics, every actor with the author's
sentiment toward it, and in `matched_actors` the actors the `actor` filter matched. `fields=`
(comma-separated item fields, e.g. `fields=id,title,published,url`) returns lighter items; `id`
is always included.

Example: which outlets wrote negatively about India in March 2021?
`GET /v1/articles?actor=India&actor_sentiment=negative&from=2021-03-01&to=2021-03-31`
"""

_EXPORT_DESCRIPTION = """
Every match of the same filters as `GET /v1/articles`, in the same order, with no page limit:
`format=ndjson` (one list item per line) or `format=csv` (one row per article; authors, topics
and actors joined with `; `). The response is streamed: it starts at once and the server reads
the matches in chunks, so any size can be exported.
"""

# What _fields accepts: item field names, commas, spaces (so the document says which names).
_FIELD_NAME = f"\\s*(?:{'|'.join(sorted(search.ITEM_FIELDS))})?\\s*"
_FIELDS_PATTERN = f"^{_FIELD_NAME}(?:,{_FIELD_NAME})*$"

_EXPORT_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "",
    # with `fields=` the items are cut down: both shapes are documented
    response_model=Page[ArticleSummary] | Page[ArticleFields],  # type: ignore[valid-type]
    description=_LIST_DESCRIPTION,
    responses=problem_responses(400, 422, 503),
)
def search_articles(
    session: SessionDep,
    settings: SettingsDep,
    query: QueryDep,
    limit: Annotated[
        int | None, Query(description="Page size; default 20, at most `LENS_MAX_PAGE_SIZE`.")
    ] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
    fields: Annotated[
        Storable | None,
        Query(
            description="Comma-separated item fields to return (`id` always is).",
            examples=["id,title,outlet,published,sentiment"],
            json_schema_extra={"pattern": _FIELDS_PATTERN},
        ),
    ] = None,
) -> Any:
    """Find articles by actor, outlet, author, date, topic, sentiment, genre, language or text."""
    chosen = _fields(fields)
    page = search.list_articles(session, settings, query, limit=limit, cursor=cursor, fields=chosen)
    if chosen is None:
        return page
    include: dict[str, Any] = {"items": {"__all__": chosen | {"id"}}, "next_cursor": True}
    return JSONResponse(page.model_dump(mode="json", include=include))


@router.get(
    "/export",
    description=_EXPORT_DESCRIPTION,
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The matches, streamed.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(422, 503),
    },
)
def export_articles(
    session: SessionDep,
    settings: SettingsDep,
    factory: SessionFactoryDep,
    query: QueryDep,
    format: Annotated[Literal["ndjson", "csv"], Query(description="`ndjson` or `csv`.")] = "ndjson",
) -> StreamingResponse:
    """Stream every article that matches the filters, as NDJSON or CSV."""
    # Checked before the first byte: a bad filter is still a 422, not a broken stream.
    prepared = search.prepare(session, settings, query)
    return StreamingResponse(
        search.export(factory, prepared, format, search.ranker(settings)),
        media_type=_EXPORT_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="articles.{format}"'},
    )


@router.get(
    "/feed",
    response_class=Response,
    responses={
        200: {
            "description": "An Atom feed, newest first.",
            "content": {
                feeds.MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns='
                    '"http://www.w3.org/2005/Atom">...<entry><title>China, Russia have to '
                    "forge closer ties</title>...</entry></feed>",
                }
            },
        },
        **problem_responses(422, 503),
    },
)
def articles_feed(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    query: QueryDep,
    limit: Annotated[
        int | None,
        Query(description="Entries; default 50, at most `LENS_MAX_PAGE_SIZE`.", examples=[20]),
    ] = None,
    token: Annotated[
        Storable | None,
        Query(
            description="An API key, for feed readers that cannot send `Authorization` "
            "(needed only where reads need a key).",
        ),
    ] = None,
) -> Response:
    """The newest articles that match the filters of GET /v1/articles, as an Atom feed."""
    body = feeds.search_feed(
        session,
        settings,
        query,
        base_url=str(request.base_url),
        self_url=str(request.url.remove_query_params("token")),
        limit=limit,
        now=utcnow(),
    )
    return Response(body, media_type=feeds.MEDIA_TYPE)


def _fields(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    if unknown := sorted(names - search.ITEM_FIELDS):
        raise RequestInvalidError(
            f"Unknown fields: {', '.join(unknown)}. Choose from "
            f"{', '.join(sorted(search.ITEM_FIELDS))}.",
            errors=[field_error(["query", "fields"], f"unknown field {n!r}") for n in unknown],
        )
    return names
