"""The article search: every filter combinable, five orders, keyset pages, full-text search.

A page is found in two steps: a lean query here picks the ids and sort keys (it may drive from
the covering actor index or the FTS5 table instead of ``articles``), then article_items.py loads
the items by id.

Each order is a key and the id, both in one direction, so the position after a page is a row
comparison ``(key, id) < (k, i)`` that both backends answer with an index range. Articles with no
date sort after every dated one: the newest/oldest orders run in two phases, dated articles first,
then undated ones by id, so NULL never sits inside a range.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from app.core.search_index import SearchIndex, web_query_parts
from app.models import (
    Article,
    ArticleActor,
    ArticleAuthor,
    ArticleSentiment,
    ArticleTopic,
)
from app.models.article import ArticleStatus, Genre, Sort

logger = logging.getLogger(__name__)


_DESCENDING = {Sort.newest, Sort.relevance, Sort.most_positive}
# Title matches count ten times a body match (SQLite bm25 column weights; PostgreSQL weighs the
# title 'A' and the text 'B' in the stored vector).
_BM25 = "bm25(articles_fts, 10.0, 1.0)"
_FTS = table("articles_fts", column("rowid"), column("articles_fts"))
_SEARCH_VECTOR: ColumnElement[Any] = literal_column("articles.search_vector")


@dataclass(frozen=True, slots=True)
class ArticleFilters:
    """Resolved filters; every one given must match. None means "no filter"."""

    # One set per requested actor (a name may resolve to several actors). With match_all, an
    # article must mention an actor of every set; else one of any set. The first set is the
    # rarest: the query may drive from it.
    actor_groups: Sequence[frozenset[int]] = ()
    match_all_actors: bool = True
    # the author's sentiment toward the matched actor(s)
    actor_sentiment: str | None = None
    outlet_ids: frozenset[int] | None = None
    author_ids: frozenset[int] | None = None
    topic_codes: frozenset[str] | None = None
    published_from: datetime | None = None
    published_before: datetime | None = None
    sentiment: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    genres: Sequence[Genre] = field(default_factory=tuple)
    genre_sources: Sequence[str] = field(default_factory=tuple)
    languages: Sequence[str] = field(default_factory=tuple)
    statuses: Sequence[ArticleStatus] = field(default_factory=tuple)
    text_query: str | None = None
    # only articles stored before the first page: later arrivals never shift a traversal
    max_id: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ends: its last sort key and id; ``undated`` for the trailing phase."""

    key: Any
    id: int
    undated: bool = False


@dataclass(frozen=True, slots=True)
class _Driver:
    id: Any
    published: Any
    outlet_id: Any
    actor: Any | None  # the article_actors alias when the query drives from it


def search(
    session: Session,
    filters: ArticleFilters,
    sort: Sort,
    after: Position | None,
    limit: int,
    ranker: SearchIndex | None = None,
) -> list[Position]:
    """The positions (sort key, id) of up to ``limit`` matches after ``after``, in order."""
    return search_snapshot(session, filters, sort, after, limit, ranker)[0]


def search_snapshot(
    session: Session,
    filters: ArticleFilters,
    sort: Sort,
    after: Position | None,
    limit: int,
    ranker: SearchIndex | None = None,
) -> tuple[list[Position], int]:
    """Up to ``limit`` matches after ``after``, in order, and the snapshot they were read from.

    Without ``filters.max_id`` the snapshot (the highest article id) is read by the same
    statement as the first matches, so a page and its snapshot always agree. With a ``ranker``
    (the search index, app/core/search_index.py) that is up to date, the relevance order comes from
    it; one far behind the database (never synced, or being built) is left alone.
    """
    if sort is Sort.relevance and ranker is not None and filters.text_query:
        snapshot = filters.max_id if filters.max_id is not None else max_article_id(session)
        filters = replace(filters, max_id=snapshot)
        try:
            if ranker.covers(snapshot):
                return _ranked_by_index(session, ranker, filters, snapshot, after, limit)
        except (OSError, ValueError) as error:
            # a damaged index, or a file a writer elsewhere removed mid-reload: search stays up
            logger.warning("search index %s failed, the database ranks: %s", ranker.path, error)
    max_id = filters.max_id
    if sort in (Sort.newest, Sort.oldest):
        found: list[Position] = []
        if after is None or not after.undated:
            found, max_id = _run(session, filters, sort, after, limit, undated=False)
        if len(found) < limit:
            resume = after if after is not None and after.undated else None
            more, max_id = _run(
                session,
                replace(filters, max_id=max_id),
                sort,
                resume,
                limit - len(found),
                undated=True,
            )
            found += more
        return found, max_id or 0
    found, max_id = _run(session, filters, sort, after, limit, undated=False)
    return found, max_id or 0


def _ranked_by_index(
    session: Session,
    ranker: SearchIndex,
    filters: ArticleFilters,
    max_id: int,
    after: Position | None,
    limit: int,
) -> tuple[list[Position], int]:
    """Matches in the search index's order, none above ``max_id`` (the snapshot); the database
    applies every other filter.

    Hits come in growing chunks; a chunk is checked against the filters in one statement,
    so a page costs one query when only ``q`` is given and a few when filters are selective.
    """
    rest = replace(filters, text_query=None, max_id=None)
    driver = _Driver(Article.id, Article.published, Article.outlet_id, None)
    conditions = _conditions(rest, driver, session.get_bind().dialect.name, text_done=True)
    hits = ranker.ranked(
        filters.text_query or "",
        max_id,
        after=(float(after.key), after.id) if after is not None else None,
        first=limit + 1,
    )
    found: list[Position] = []
    chunk = max(limit, 16)
    while len(found) < limit:
        batch = list(itertools.islice(hits, chunk))
        if not batch:
            break
        if conditions:
            ids = [i for _, i in batch]
            kept = set(session.scalars(select(Article.id).where(Article.id.in_(ids), *conditions)))
            batch = [hit for hit in batch if hit[1] in kept]
        found += [Position(key=score, id=i) for score, i in batch]
        chunk = min(chunk * 4, 5_000)
    return found[:limit], max_id


def max_article_id(session: Session) -> int:
    return session.scalar(select(func.max(Article.id))) or 0


def fts5_query(text: str) -> str:
    """A web-search style query (words, "phrases", OR, -word) as an FTS5 expression.

    Every term is quoted, so FTS5 operators or punctuation in the input are never syntax.
    Empty when nothing searchable is left.
    """
    alternatives, negated = web_query_parts(text)
    if not alternatives:
        return ""

    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    expression = " OR ".join(f"({' AND '.join(map(quoted, group))})" for group in alternatives)
    if negated:
        expression = f"({expression}) NOT ({' OR '.join(map(quoted, negated))})"
    return expression


def _run(
    session: Session,
    filters: ArticleFilters,
    sort: Sort,
    after: Position | None,
    limit: int,
    *,
    undated: bool,
) -> tuple[list[Position], int | None]:
    dialect = session.get_bind().dialect.name
    driver, query = _driving_query(filters, sort, dialect)
    ranked_by_fts5 = sort is Sort.relevance and dialect == "sqlite"
    query = query.where(*_conditions(filters, driver, dialect, text_done=ranked_by_fts5))
    key = _sort_key(sort, filters, dialect)
    if sort in (Sort.newest, Sort.oldest):
        query = query.where(
            driver.published.is_(None) if undated else driver.published.is_not(None)
        )
        key = None if undated else driver.published
    if sort in (Sort.most_negative, Sort.most_positive):
        query = query.join(ArticleSentiment, ArticleSentiment.article_id == driver.id)
    descending = sort in _DESCENDING
    if after is not None:
        query = query.where(_after(key, driver.id, after, descending))
    ordering = [driver.id.desc() if descending else driver.id.asc()]
    if key is not None:
        ordering.insert(0, key.desc() if descending else key.asc())
    columns = [driver.id, key if key is not None else literal_column("NULL")]
    if filters.max_id is None:
        columns.append(select(func.max(Article.id)).scalar_subquery())
    rows = session.execute(query.with_only_columns(*columns).order_by(*ordering).limit(limit)).all()
    if filters.max_id is None:
        snapshot = rows[0][2] if rows else None
        return [Position(key=row[1], id=row[0], undated=undated) for row in rows], snapshot
    return [Position(key=k, id=i, undated=undated) for i, k in rows], filters.max_id


def _driving_query(
    filters: ArticleFilters, sort: Sort, dialect: str
) -> tuple[_Driver, Select[Any]]:
    groups = filters.actor_groups
    drive_by_actor = (
        filters.match_all_actors
        and bool(groups)
        and len(groups[0]) == 1
        and sort in (Sort.newest, Sort.oldest)
    )
    if drive_by_actor:
        # An actor's articles in date order straight from its covering index.
        actor = aliased(ArticleActor)
        driver = _Driver(actor.article_id, actor.published, actor.outlet_id, actor)
        query = select(actor.article_id).where(actor.actor_id == next(iter(groups[0])))
        if filters.actor_sentiment is not None:
            query = query.where(actor.sentiment_label == filters.actor_sentiment)
        if _needs_article_row(filters, dialect):
            query = query.join(Article, Article.id == actor.article_id)
        return driver, query
    if sort is Sort.relevance and dialect == "sqlite":
        # The FTS5 table drives: ranking reads `articles` only when a filter needs its columns.
        match = _FTS.c.articles_fts.op("MATCH")(fts5_query(filters.text_query or ""))
        query = select(_FTS.c.rowid).where(match)
        dated = filters.published_from is not None or filters.published_before is not None
        if dated or filters.outlet_ids is not None or _needs_article_row(filters, dialect):
            query = query.join(Article, Article.id == _FTS.c.rowid)
        return _Driver(_FTS.c.rowid, Article.published, Article.outlet_id, None), query
    return _Driver(Article.id, Article.published, Article.outlet_id, None), select(Article.id)


def _needs_article_row(filters: ArticleFilters, dialect: str) -> bool:
    return bool(
        filters.genres
        or filters.genre_sources
        or filters.languages
        or filters.statuses
        or (filters.text_query is not None and dialect == "postgresql")
    )


def _sort_key(sort: Sort, filters: ArticleFilters, dialect: str) -> Any:
    if sort in (Sort.most_negative, Sort.most_positive):
        return ArticleSentiment.score
    if sort is Sort.relevance:
        if dialect == "sqlite":
            # bm25 is lower for better matches; negated, higher is better on both backends.
            return -literal_column(_BM25, Float)
        return func.ts_rank(_SEARCH_VECTOR, _tsquery(filters.text_query or "")).cast(Float)
    return None


def _tsquery(text: str) -> Any:
    return func.websearch_to_tsquery(literal_column("'english'::regconfig"), text)


def _after(key: Any, article_id: Any, after: Position, descending: bool) -> Any:
    if key is None:
        return article_id < after.id if descending else article_id > after.id
    if descending:
        return tuple_(key, article_id) < tuple_(after.key, after.id)
    return tuple_(key, article_id) > tuple_(after.key, after.id)


def _conditions(
    filters: ArticleFilters, driver: _Driver, dialect: str, *, text_done: bool
) -> list[Any]:
    conditions: list[Any] = []
    article_id = driver.id
    groups = list(filters.actor_groups)
    if driver.actor is not None:
        groups = groups[1:]
    if filters.match_all_actors:
        conditions += [_mentions(article_id, ids, filters.actor_sentiment) for ids in groups]
    elif groups:
        conditions.append(
            _mentions(article_id, frozenset().union(*groups), filters.actor_sentiment)
        )
    if filters.outlet_ids is not None:
        conditions.append(driver.outlet_id.in_(sorted(filters.outlet_ids)))
    if filters.author_ids is not None:
        conditions.append(
            exists().where(
                ArticleAuthor.article_id == article_id,
                ArticleAuthor.author_id.in_(sorted(filters.author_ids)),
            )
        )
    if filters.topic_codes is not None:
        conditions.append(
            exists().where(
                ArticleTopic.article_id == article_id,
                ArticleTopic.code.in_(sorted(filters.topic_codes)),
            )
        )
    if filters.published_from is not None:
        conditions.append(driver.published >= filters.published_from)
    if filters.published_before is not None:
        conditions.append(driver.published < filters.published_before)
    # Aliased: a sort by sentiment joins ArticleSentiment to the outer query, and the EXISTS
    # would correlate to that join and be left with no table of its own.
    scored = aliased(ArticleSentiment)
    if sentiment := _document_sentiment(filters, scored):
        conditions.append(exists().where(scored.article_id == article_id, *sentiment))
    if filters.genres:
        conditions.append(Article.genre.in_(filters.genres))
    if filters.genre_sources:
        conditions.append(Article.genre_source.in_(filters.genre_sources))
    if filters.languages:
        conditions.append(func.lower(Article.language).in_([x.lower() for x in filters.languages]))
    if filters.statuses:
        conditions.append(Article.status.in_(filters.statuses))
    if filters.max_id is not None:
        conditions.append(article_id <= filters.max_id)
    if filters.text_query is not None and not text_done:
        conditions.append(_matches_text(filters.text_query, article_id, dialect))
    return conditions


def _mentions(article_id: Any, actor_ids: frozenset[int], label: str | None) -> Any:
    mention = aliased(ArticleActor)
    condition = exists().where(
        mention.article_id == article_id, mention.actor_id.in_(sorted(actor_ids))
    )
    if label is not None:
        condition = condition.where(mention.sentiment_label == label)
    return condition


def _document_sentiment(
    filters: ArticleFilters, scored: type[ArticleSentiment]
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.sentiment is not None:
        found.append(scored.label == filters.sentiment)
    if filters.min_score is not None:
        found.append(scored.score >= filters.min_score)
    if filters.max_score is not None:
        found.append(scored.score <= filters.max_score)
    return found


def _matches_text(text: str, article_id: Any, dialect: str) -> Any:
    if dialect == "sqlite":
        expression = fts5_query(text)
        return article_id.in_(
            select(_FTS.c.rowid).where(_FTS.c.articles_fts.op("MATCH")(expression))
        )
    return _SEARCH_VECTOR.op("@@")(_tsquery(text))


def matching(session: Session, filters: ArticleFilters, article_ids: Sequence[int]) -> set[int]:
    """Which of these articles the filters match, as they are stored now (subscriptions)."""
    if not article_ids:
        return set()
    driver = _Driver(Article.id, Article.published, Article.outlet_id, None)
    dialect = session.get_bind().dialect.name
    conditions = _conditions(filters, driver, dialect, text_done=False)
    return set(
        session.scalars(select(Article.id).where(Article.id.in_(list(article_ids)), *conditions))
    )
