"""Ingest: store articles as pending, once each (same url, or same outlet, title and text)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.errors import RequestInvalidError
from app.models.article import ArticleStatus
from app.models.keys import normalize_key
from app.repositories import article_bulk
from app.schemas.ingest import ArticleIn


@dataclass(frozen=True, slots=True)
class Ingested:
    id: int
    status: ArticleStatus
    created: bool


def ingest_one(session: Session, settings: Settings, article: ArticleIn) -> Ingested:
    """Store one article; an existing duplicate is returned instead."""
    _check_text_lengths([(("body", "text"), article)], settings)
    return _store_many(session, [article])[0]


def ingest_batch(session: Session, settings: Settings, batch: list[ArticleIn]) -> list[Ingested]:
    """Store a batch, all or nothing: any invalid article rejects the whole batch."""
    if len(batch) > settings.max_batch_size:
        raise RequestInvalidError(
            f"The batch has {len(batch)} articles; at most {settings.max_batch_size} are allowed.",
            errors=[
                {
                    "loc": ["body", "articles"],
                    "msg": f"at most {settings.max_batch_size} articles per batch",
                    "type": "too_long",
                }
            ],
        )
    _check_text_lengths(
        [(("body", "articles", index, "text"), article) for index, article in enumerate(batch)],
        settings,
    )
    return _store_many(session, batch)


def ingest_many(session: Session, settings: Settings, batch: Sequence[ArticleIn]) -> list[Ingested]:
    """Store many articles in a few multi-row statements: the bulk path of `lens import`.

    The same rules as ingest_batch (valid articles only, one stored article per url or content
    hash); a duplicate of a stored article, or of an earlier one in ``batch``, comes back with
    created=False and the id it duplicates.
    """
    _check_text_lengths([(("articles", i, "text"), a) for i, a in enumerate(batch)], settings)
    return _store_many(session, batch)


def _store_many(session: Session, batch: Sequence[ArticleIn]) -> list[Ingested]:
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
        _insert_round(session, rows, this_round, results)
        remaining = later
    created = [(results[i].id, batch[i].authors) for i in range(len(rows)) if results[i].created]
    _link_authors(session, created)
    return [results[i] for i in range(len(rows))]


def _identity_keys(row: dict[str, Any]) -> set[str]:
    keys = {f"hash:{row['content_hash']}"}
    if row["url"] is not None:
        keys.add(f"url:{row['url']}")
    return keys


def _insert_round(
    session: Session, rows: list[dict[str, Any]], indexes: list[int], results: dict[int, Ingested]
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
            results[index] = Ingested(article_id, ArticleStatus.pending, created=True)
            continue
        # As in ingest_one: the article with the same url first, else the same content hash.
        found = existing.get(f"url:{row['url']}") or existing.get(f"hash:{row['content_hash']}")
        if found is None:
            raise RuntimeError("insert conflicted, yet no article has this url or content hash")
        results[index] = Ingested(found[0], found[1], created=False)


def _link_authors(session: Session, bylines: list[tuple[int, list[str]]]) -> None:
    keyed = [
        (article_id, [(normalize_key(n), n) for n in byline]) for article_id, byline in bylines
    ]
    author_ids = article_bulk.ensure_authors(
        session, [name for _, byline in keyed for _, name in byline]
    )
    article_bulk.link_authors(
        session,
        [
            (article_id, list(dict.fromkeys(author_ids[key] for key, _ in byline)))
            for article_id, byline in keyed
        ],
    )


def content_hash(outlet: str | None, title: str | None, text: str) -> str:
    """The idempotency key of an article without a url: outlet (normalised), title and text."""
    parts = (normalize_key(outlet or ""), title or "", text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def text_length_error(article: ArticleIn, settings: Settings) -> str | None:
    """Why the article's text is too long for this deployment, or None."""
    limit = settings.max_text_chars
    if len(article.text) > limit:
        return f"text has {len(article.text)} characters; at most {limit} are allowed"
    return None


def _check_text_lengths(
    items: list[tuple[tuple[str | int, ...], ArticleIn]], settings: Settings
) -> None:
    limit = settings.max_text_chars
    errors = [
        {"loc": list(loc), "msg": message, "type": "string_too_long"}
        for loc, article in items
        if (message := text_length_error(article, settings)) is not None
    ]
    if errors:
        where = ", ".join(".".join(map(str, e["loc"])) for e in errors)
        raise RequestInvalidError(f"Text longer than {limit} characters: {where}.", errors=errors)


def _values(article: ArticleIn, outlet_id: int | None, now: datetime) -> dict[str, Any]:
    """The articles row of a new, pending article."""
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
        "content_hash": content_hash(article.outlet, article.title, article.text),
        "received_at": now,
        "status": ArticleStatus.pending,
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
