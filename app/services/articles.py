"""Reading articles: one in full, or a filtered page of summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import NotFoundError, RequestInvalidError, UnknownActorError
from app.models.article import ArticleStatus
from app.models.keys import normalize_key
from app.repositories import actors, articles
from app.repositories.articles import ArticleFilters
from app.schemas.article import ArticleDetail, ArticleSummary
from app.schemas.page import Page
from app.services import cursor as cursors

_CURSOR_KIND = "articles"


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    actors: list[str] = field(default_factory=list)
    outlet: str | None = None
    author: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    statuses: list[ArticleStatus] = field(default_factory=list)


def get_article(session: Session, article_id: int) -> ArticleDetail:
    article = articles.get_detail(session, article_id)
    if article is None:
        raise NotFoundError(f"There is no article {article_id}.")
    return ArticleDetail.of(article)


def list_articles(
    session: Session,
    settings: Settings,
    query: ArticleQuery,
    *,
    limit: int | None,
    cursor: str | None,
) -> Page[ArticleSummary]:
    """Newest first; every filter given must match (each actor, outlet, author, dates, status)."""
    size = page_size(settings, limit)
    filters = _filters(session, query)
    after = None
    if cursor is not None:
        published, last_id = cursors.decode(_CURSOR_KIND, cursor, 2)
        after = (cursors.decode_time(published), cursors.decode_int(last_id))
    rows = articles.list_page(session, filters, after=after, limit=size + 1)
    next_cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        next_cursor = cursors.encode(_CURSOR_KIND, [cursors.encode_time(last.published), last.id])
    return Page[ArticleSummary](
        items=[ArticleSummary.of(a) for a in rows[:size]], next_cursor=next_cursor
    )


def page_size(settings: Settings, limit: int | None) -> int:
    """The requested page size, checked against the configured maximum."""
    if limit is None:
        return min(settings.default_page_size, settings.max_page_size)
    if not 1 <= limit <= settings.max_page_size:
        raise RequestInvalidError(
            f"limit must be between 1 and {settings.max_page_size}.",
            errors=[
                {
                    "loc": ["query", "limit"],
                    "msg": f"must be between 1 and {settings.max_page_size}",
                    "type": "less_than_equal",
                }
            ],
        )
    return limit


def _filters(session: Session, query: ArticleQuery) -> ArticleFilters:
    if query.published_from and query.published_to and query.published_from > query.published_to:
        raise RequestInvalidError(
            "`from` is after `to`.",
            errors=[
                {"loc": ["query", "from"], "msg": "must not be after `to`", "type": "value_error"}
            ],
        )
    resolved = [actors.resolve(session, term) for term in query.actors]
    unknown = [
        (i, term)
        for i, (term, ids) in enumerate(zip(query.actors, resolved, strict=True))
        if not ids
    ]
    if unknown:
        names = ", ".join(repr(term) for _, term in unknown)
        raise UnknownActorError(
            f"No actor is called {names}. List actors with GET /v1/actors?q=...",
            errors=[
                {
                    "loc": ["query", "actor", i],
                    "msg": f"unknown actor {term!r}",
                    "type": "unknown_actor",
                }
                for i, term in unknown
            ],
        )
    return ArticleFilters(
        actor_ids=resolved,
        outlet_key=normalize_key(query.outlet) if query.outlet is not None else None,
        author_key=normalize_key(query.author) if query.author is not None else None,
        published_from=_midnight(query.published_from),
        # `to` is inclusive: everything before the next midnight
        published_before=_midnight(query.published_to + timedelta(days=1))
        if query.published_to
        else None,
        statuses=query.statuses,
    )


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None
