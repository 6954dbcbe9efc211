"""Ingest: store articles as pending, once each (same url, or same outlet, title and text).

A request's text or page first becomes a `Prepared` article (app/services/article_input.py:
extraction, the pasted text's layout, language). A different text for a url already stored is
a revision (app/repositories/revisions.py): it replaces the text, keeps the earlier one and its
annotations in the history, and queues the article again. The same text again changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import utcnow
from app.errors import RequestInvalidError, field_error
from app.models.article import ArticleStatus
from app.models.keys import normalize_key
from app.repositories import article_bulk, revisions
from app.schemas.ingest import ArticleIn
from app.services.article_input import InputError, Prepared, prepare


@dataclass(frozen=True, slots=True)
class Ingested:
    id: int
    status: ArticleStatus
    created: bool
    revision: int = 1
    revised: bool = False
    # why this article was refused (ingest_many only; the others raise)
    error: str | None = None


def ingest_one(session: Session, settings: Settings, article: ArticleIn) -> Ingested:
    """Store one article; an existing duplicate is returned instead."""
    prepared = _prepare_all([(("body",), article)], settings)
    return _store_many(session, prepared)[0]


def ingest_batch(session: Session, settings: Settings, batch: list[ArticleIn]) -> list[Ingested]:
    """Store a batch, all or nothing: any invalid article rejects the whole batch."""
    if len(batch) > settings.max_batch_size:
        raise RequestInvalidError(
            f"The batch has {len(batch)} articles; at most {settings.max_batch_size} are allowed.",
            errors=[
                field_error(
                    ["body", "articles"],
                    f"at most {settings.max_batch_size} articles per batch",
                    "too_long",
                )
            ],
        )
    prepared = _prepare_all(
        [(("body", "articles", index), article) for index, article in enumerate(batch)], settings
    )
    return _store_many(session, prepared)


def ingest_many(session: Session, settings: Settings, batch: Sequence[ArticleIn]) -> list[Ingested]:
    """Store many articles in a few multi-row statements: the bulk path of `lens import`.

    The same rules as ingest_batch, except that an article whose text or page cannot be used
    comes back with its ``error`` instead of refusing the others; a duplicate of a stored
    article, or of an earlier one in ``batch``, comes back with created=False and its id.
    """
    prepared: list[Prepared | None] = []
    errors: dict[int, str] = {}
    for index, article in enumerate(batch):
        try:
            prepared.append(prepare(article, settings))
        except InputError as exc:
            prepared.append(None)
            errors[index] = f"{exc.field}: {exc}"
    stored = iter(_store_many(session, [p for p in prepared if p is not None]))
    return [
        Ingested(0, ArticleStatus.failed, created=False, error=errors[i])
        if p is None
        else next(stored)
        for i, p in enumerate(prepared)
    ]


def text_length_error(article: ArticleIn, settings: Settings) -> str | None:
    """Why the article's text is too long for this deployment, or None (pages: see prepare)."""
    limit = settings.max_text_chars
    if article.text is not None and len(article.text) > limit:
        return f"text has {len(article.text)} characters; at most {limit} are allowed"
    return None


def content_hash(outlet: str | None, title: str | None, text: str) -> str:
    """The idempotency key of an article without a url: outlet (normalised), title and text."""
    parts = (normalize_key(outlet or ""), title or "", text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _prepare_all(
    items: list[tuple[tuple[str | int, ...], ArticleIn]], settings: Settings
) -> list[Prepared]:
    prepared: list[Prepared] = []
    errors: list[dict[str, Any]] = []
    for loc, article in items:
        try:
            prepared.append(prepare(article, settings))
        except InputError as exc:
            errors.append(field_error([*loc, exc.field], str(exc), exc.kind))
    if errors:
        where = ", ".join(".".join(map(str, e["loc"])) for e in errors)
        detail = "; ".join(e["msg"] for e in errors)
        raise RequestInvalidError(f"Unusable article ({where}): {detail}.", errors=errors)
    return prepared


def _store_many(session: Session, batch: Sequence[Prepared]) -> list[Ingested]:
    # A few multi-row statements for the whole batch, not six per article (ingest_one).
    now = utcnow()
    outlet_ids = article_bulk.ensure_outlets(session, [a.outlet for a in batch if a.outlet])
    rows = [
        _values(a, outlet_ids[normalize_key(a.outlet)] if a.outlet else None, now) for a in batch
    ]
    results: dict[int, Ingested] = {}
    remaining = list(range(len(rows)))
    while remaining:
        # A later copy in the batch (same url or content hash) waits for the next round, so it
        # meets the stored first copy exactly as a one-by-one ingest would.
        seen: set[str] = set()
        this_round: list[int] = []
        later: list[int] = []
        for index in remaining:
            keys = _identity_keys(rows[index])
            (later if seen & keys else this_round).append(index)
            seen |= keys
        _insert_round(session, batch, rows, this_round, results, now)
        remaining = later
    # new articles and revised ones get their authors and page (a revision dropped its old ones)
    fresh = [i for i in range(len(rows)) if results[i].created or results[i].revised]
    _link_authors(session, [(results[i].id, batch[i].authors) for i in fresh if batch[i].authors])
    article_bulk.add_sources(
        session,
        [
            {"article_id": results[i].id, **page.row()}
            for i in fresh
            if (page := batch[i].page) is not None
        ],
    )
    return [results[i] for i in range(len(rows))]


def _identity_keys(row: dict[str, Any]) -> set[str]:
    keys = {f"hash:{row['content_hash']}"}
    if row["url"] is not None:
        keys.add(f"url:{row['url']}")
    return keys


def _insert_round(
    session: Session,
    batch: Sequence[Prepared],
    rows: list[dict[str, Any]],
    indexes: list[int],
    results: dict[int, Ingested],
    now: datetime,
) -> None:
    inserted = article_bulk.insert_new(session, [rows[i] for i in indexes])
    conflicted = [i for i in indexes if rows[i]["content_hash"] not in inserted]
    existing = article_bulk.find_duplicates(
        session,
        urls=[rows[i]["url"] for i in conflicted if rows[i]["url"] is not None],
        hashes=[rows[i]["content_hash"] for i in conflicted],
    )
    for index in indexes:
        row = rows[index]
        if (article_id := inserted.get(row["content_hash"])) is not None:
            results[index] = Ingested(article_id, row["status"], created=True)
            continue
        same_text = existing.get(f"hash:{row['content_hash']}")
        same_url = existing.get(f"url:{row['url']}")
        stale = same_url is not None and revisions.had_text(
            session, same_url.id, row["title"], row["text"]
        )
        if same_url is not None and same_text is None and not stale:
            # The url is stored with another text: a correction, not a duplicate. (A text it
            # had before is an old copy sent again, as a re-run import does: nothing changes.)
            revision = revisions.revise(
                session, same_url.id, row, now, new_authors=bool(batch[index].authors)
            )
            results[index] = Ingested(
                same_url.id, row["status"], created=False, revision=revision, revised=True
            )
            continue
        # As before: the article with the same url first, else the same content hash.
        found = same_url or same_text
        if found is None:
            raise RuntimeError("insert conflicted, yet no article has this url or content hash")
        results[index] = Ingested(found.id, found.status, created=False, revision=found.revision)


def _link_authors(
    session: Session, bylines: list[tuple[int, list[tuple[str, str | None]]]]
) -> None:
    author_ids = article_bulk.ensure_authors(
        session, [name for _, byline in bylines for name, _ in byline]
    )
    links: list[tuple[int, list[tuple[int, str | None]]]] = []
    for article_id, byline in bylines:
        seen: dict[int, str | None] = {}
        for name, affiliation in byline:
            seen.setdefault(author_ids[normalize_key(name)], affiliation)
        links.append((article_id, list(seen.items())))
    article_bulk.link_authors(session, links)


def _values(article: Prepared, outlet_id: int | None, now: datetime) -> dict[str, Any]:
    """The articles row of a new article (pending, or skipped)."""
    published, published_known = _published(article.published)
    return {
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "outlet_id": outlet_id,
        "published": published,
        "published_known": published_known,
        "language": article.language,
        "genre": article.genre,
        "genre_source": article.genre_source,
        "genre_score": None,
        "field_sources": article.sources or None,
        "revision": 1,
        "skip_reason": article.skip_reason,
        "content_hash": content_hash(article.outlet, article.title, article.text),
        "received_at": now,
        "status": article.status,
        "attempts": 0,
    }


def _published(value: datetime | date | None) -> tuple[datetime | None, bool]:
    """(UTC datetime, whether the time of day is known); a bare date is kept at 00:00 UTC."""
    if value is None:
        return None, False
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC), True
    return datetime.combine(value, time.min, tzinfo=UTC), False
