"""Article search and export: filters resolved and checked, keyset pages, streamed exports."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import SentimentLabel
from app.core.config import Settings
from app.core.search_index import SearchIndex, open_index
from app.errors import InvalidCursorError, invalid_query
from app.models.article import ArticleStatus, Genre, Sort
from app.repositories import actor_stats, article_items, article_search
from app.repositories.article_items import ItemRow
from app.repositories.article_search import ArticleFilters, Position
from app.repositories.search_documents import ArticleDocuments
from app.schemas.article import ActorSummary, ArticleSummary, SentimentView, TopicView
from app.schemas.page import Page
from app.services import cursor as cursors
from app.services import resolve
from app.services.articles import page_size

logger = logging.getLogger(__name__)

_CURSOR_KIND = "articles"
_EXPORT_CHUNK = 500
TOP_TOPICS = 3
# Item fields that need the annotations loaded; without any of them a page is lighter.
_ANNOTATION_FIELDS = frozenset({"sentiment", "topics", "subtopics", "actors", "matched_actors"})
ITEM_FIELDS = frozenset(ArticleSummary.model_fields)
CSV_COLUMNS = (
    "id",
    "title",
    "outlet",
    "authors",
    "published",
    "url",
    "genre",
    "language",
    "status",
    "sentiment_label",
    "sentiment_score",
    "topics",
    "actors",
    "subtopics",
)


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """The filters as the client gave them: names, not ids."""

    actors: Sequence[str] = ()
    actor_mode: Literal["all", "any"] = "all"
    actor_sentiment: SentimentLabel | None = None
    # an actor filter also matches the actors part of it (the United States: the White House)
    include_parts: bool = False
    outlets: Sequence[str] = ()
    authors: Sequence[str] = ()
    published_from: date | None = None
    published_to: date | None = None
    topics: Sequence[str] = ()
    sentiment: SentimentLabel | None = None
    min_sentiment: float | None = None
    max_sentiment: float | None = None
    genres: Sequence[Genre] = ()
    genre_sources: Sequence[str] = ()
    languages: Sequence[str] = ()
    statuses: Sequence[ArticleStatus] = ()
    q: str | None = None
    sort: Sort | None = None


@dataclass(frozen=True, slots=True)
class Search:
    """A checked query: resolved filters, the order, and the actors an item should highlight."""

    filters: ArticleFilters
    sort: Sort
    matched: frozenset[int]


def prepare(session: Session, settings: Settings, query: ArticleQuery) -> Search:
    """Resolve every name (422 naming the unknown ones) and check the combination."""
    _check(query)
    if len(query.actors) > settings.max_query_actors:
        raise invalid_query(
            "actor",
            f"is given {len(query.actors)} times; at most {settings.max_query_actors} actors "
            "per search (LENS_MAX_QUERY_ACTORS)",
        )
    groups = resolve.actor_groups(session, query.actors, include_parts=query.include_parts)
    if len(groups) > 1:
        # The rarest actor first: the query may walk its articles and probe for the others.
        counts = actor_stats.article_counts(session, sorted(frozenset().union(*groups)))
        groups.sort(key=lambda ids: sum(counts.get(i, 0) for i in ids))
    text = query.q.strip() if query.q is not None else None
    if text is not None and not article_search.fts5_query(text):
        raise invalid_query("q", "has no words to search for")
    filters = ArticleFilters(
        actor_groups=groups,
        match_all_actors=query.actor_mode == "all",
        actor_sentiment=query.actor_sentiment,
        outlet_ids=resolve.outlet_ids(session, query.outlets),
        author_ids=resolve.author_ids(session, query.authors),
        topic_codes=resolve.topic_codes(session, settings, query.topics),
        published_from=_midnight(query.published_from),
        # `to` is inclusive: everything before the next midnight (none after 9999-12-31)
        published_before=_midnight(query.published_to + timedelta(days=1))
        if query.published_to and query.published_to < date.max
        else None,
        sentiment=query.sentiment,
        min_score=query.min_sentiment,
        max_score=query.max_sentiment,
        genres=query.genres,
        genre_sources=query.genre_sources,
        languages=query.languages,
        statuses=query.statuses,
        text_query=text,
    )
    sort = query.sort or (Sort.relevance if text else Sort.newest)
    return Search(filters, sort, frozenset().union(*groups))


def list_articles(
    session: Session,
    settings: Settings,
    query: ArticleQuery,
    *,
    limit: int | None,
    cursor: str | None,
    fields: frozenset[str] | None = None,
) -> Page[ArticleSummary]:
    """One page of matches; ``fields`` (item field names) may leave the annotations unloaded."""
    size = page_size(settings, limit)
    search = prepare(session, settings, query)
    filters, after = search.filters, None
    if cursor is not None:
        max_id, after = _decode(cursor, search.sort)
        filters = replace(filters, max_id=max_id)
    found, max_id = article_search.search_snapshot(
        session, filters, search.sort, after, size + 1, ranker(settings)
    )
    light = fields is not None and not fields & _ANNOTATION_FIELDS
    rows = article_items.load(
        session, [p.id for p in found[:size]], light=light, top_topics=TOP_TOPICS
    )
    next_cursor = _encode(search.sort, max_id, found[size - 1]) if len(found) > size else None
    return Page[ArticleSummary](
        items=[_item(row, search.matched) for row in rows], next_cursor=next_cursor
    )


def sync_index(
    index: SearchIndex,
    session_factory: sessionmaker[Session],
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Add the stored articles the index lacks; the number added, None if another process
    holds its writer. ``progress(done, total)`` is called after each batch."""
    with session_factory() as session:
        return index.sync(ArticleDocuments(session), progress)


def ranker(settings: Settings) -> SearchIndex | None:
    """The search index that ranks full-text matches, where LENS_SEARCH_INDEX names one.

    One that cannot be opened (a folder this process may not create, a damaged index) leaves
    the ranking to the database, with a log line: search stays up.
    """
    if settings.search_index is None:
        return None
    try:
        return open_index(settings.search_index)
    except (OSError, ValueError) as error:
        logger.warning(
            "search index %s unusable, the database ranks: %s", settings.search_index, error
        )
        return None


def export(
    factory: sessionmaker[Session],
    search: Search,
    fmt: Literal["ndjson", "csv"],
    index: SearchIndex | None = None,
) -> Iterator[str]:
    """Every match as NDJSON lines or CSV rows, read in keyset chunks: memory stays constant."""
    with factory() as session:
        filters = search.filters
        if fmt == "csv":
            yield _csv_line(CSV_COLUMNS)
        after: Position | None = None
        while True:
            found, max_id = article_search.search_snapshot(
                session, filters, search.sort, after, _EXPORT_CHUNK, index
            )
            filters = replace(filters, max_id=max_id)
            rows = article_items.load(
                session, [p.id for p in found], light=False, top_topics=TOP_TOPICS
            )
            items = [_item(row, search.matched) for row in rows]
            if fmt == "csv":
                yield "".join(_csv_line(_csv_row(item)) for item in items)
            else:
                yield "".join(item.model_dump_json() + "\n" for item in items)
            if len(found) < _EXPORT_CHUNK:
                return
            after = found[-1]
            # End the read transaction between chunks: a slow client must not pin a snapshot
            # (or, on SQLite, the WAL) for the whole export; max_id keeps the set fixed.
            session.rollback()


def summaries(
    session: Session, article_ids: Sequence[int], matched: frozenset[int] = frozenset()
) -> list[ArticleSummary]:
    """These articles as list items (in the order of the ids), ``matched`` the filter's actors."""
    rows = {
        row.id: row
        for row in article_items.load(session, article_ids, light=False, top_topics=TOP_TOPICS)
    }
    return [_item(rows[i], matched) for i in article_ids if i in rows]


def _item(row: ItemRow, matched: frozenset[int]) -> ArticleSummary:
    published: date | datetime | None = row.published
    if row.published is not None and not row.published_known:
        published = row.published.date()
    actors = [
        ActorSummary(
            id=actor_id,
            key=key,
            name=name,
            kind=kind,
            sentiment=SentimentView(label=label, score=score),
        )
        for actor_id, key, name, kind, label, score in row.actors
    ]
    return ArticleSummary(
        id=row.id,
        title=row.title,
        outlet=row.outlet,
        authors=row.authors,
        published=published,
        url=row.url,
        status=row.status,
        genre=row.genre,
        genre_source=row.genre_source,
        language=row.language,
        sentiment=SentimentView(label=row.sentiment[0], score=row.sentiment[1])
        if row.sentiment
        else None,
        topics=[
            TopicView(code=code, label=label, score=score) for code, label, score in row.topics
        ],
        subtopics=[
            TopicView(code=code, label=label, score=score, parent=row.parents.get(code))
            for code, label, score in row.subtopics
        ],
        actors=actors,
        matched_actors=[a for a in actors if a.id in matched],
    )


def _check(query: ArticleQuery) -> None:
    if query.published_from and query.published_to and query.published_from > query.published_to:
        raise invalid_query("from", "must not be after `to`")
    low, high = query.min_sentiment, query.max_sentiment
    if low is not None and high is not None and low > high:
        raise invalid_query("min_sentiment", "must not be above `max_sentiment`")
    if query.actor_sentiment is not None and not query.actors:
        raise invalid_query(
            "actor_sentiment", "needs an `actor` filter: it is the sentiment toward it"
        )
    if query.include_parts and not query.actors:
        raise invalid_query("include_parts", "needs an `actor` filter: it adds that actor's parts")
    if query.sort is Sort.relevance and not query.q:
        raise invalid_query("sort", "`relevance` needs a full-text query `q`")


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None


def _encode(sort: Sort, max_id: int, last: Position) -> str:
    key = cursors.encode_time(last.key) if isinstance(last.key, datetime) else last.key
    return cursors.encode(_CURSOR_KIND, [sort.value, max_id, int(last.undated), key, last.id])


def _decode(cursor: str, sort: Sort) -> tuple[int, Position]:
    cursor_sort, max_id, undated, key, last_id = cursors.decode(_CURSOR_KIND, cursor, 5)
    if cursor_sort != sort.value:
        raise InvalidCursorError(f"The cursor belongs to another order than sort={sort.value}.")
    if undated not in (0, 1) or isinstance(undated, bool):
        raise InvalidCursorError("The cursor holds an invalid position.")
    position_key: Any = None
    if sort in (Sort.newest, Sort.oldest):
        position_key = None if undated else cursors.decode_time(key)
        if position_key is None and not undated:
            raise InvalidCursorError("The cursor holds an invalid date.")
    else:
        position_key = cursors.decode_float(key)
    return cursors.decode_int(max_id), Position(
        key=position_key, id=cursors.decode_int(last_id), undated=bool(undated)
    )


def _csv_row(item: ArticleSummary) -> list[Any]:
    sentiment = item.sentiment
    return [
        item.id,
        item.title,
        item.outlet,
        "; ".join(item.authors),
        item.published.isoformat() if item.published else None,
        item.url,
        item.genre.value,
        item.language,
        item.status.value,
        sentiment.label if sentiment else None,
        sentiment.score if sentiment else None,
        "; ".join(t.code for t in item.topics),
        "; ".join(f"{a.name} ({a.sentiment.label} {a.sentiment.score:+.2f})" for a in item.actors),
        "; ".join(t.code for t in item.subtopics or ()),
    ]


def _csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()
