"""Ingest: store articles as pending, once each (same url, or same outlet, title and text)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.errors import RequestInvalidError
from app.models.article import ArticleStatus
from app.models.keys import normalize_key
from app.repositories import articles, authors, outlets
from app.schemas.ingest import ArticleIn


@dataclass(frozen=True, slots=True)
class Ingested:
    id: int
    status: ArticleStatus
    created: bool


def ingest_one(session: Session, settings: Settings, article: ArticleIn) -> Ingested:
    """Store one article; an existing duplicate is returned instead."""
    _check_text_lengths([(("body", "text"), article)], settings)
    return _store(session, article, utcnow())


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
    now = utcnow()
    return [_store(session, article, now) for article in batch]


def content_hash(outlet: str | None, title: str | None, text: str) -> str:
    """The idempotency key of an article without a url: outlet (normalised), title and text."""
    parts = (normalize_key(outlet or ""), title or "", text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _check_text_lengths(
    items: list[tuple[tuple[str | int, ...], ArticleIn]], settings: Settings
) -> None:
    limit = settings.max_text_chars
    errors = [
        {
            "loc": list(loc),
            "msg": f"text has {len(article.text)} characters; at most {limit} are allowed",
            "type": "string_too_long",
        }
        for loc, article in items
        if len(article.text) > limit
    ]
    if errors:
        where = ", ".join(".".join(map(str, e["loc"])) for e in errors)
        raise RequestInvalidError(f"Text longer than {limit} characters: {where}.", errors=errors)


def _store(session: Session, article: ArticleIn, now: datetime) -> Ingested:
    digest = content_hash(article.outlet, article.title, article.text)
    published, published_known = _published(article.published)
    values: dict[str, Any] = {
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "outlet_id": outlets.ensure(session, article.outlet) if article.outlet else None,
        "published": published,
        "published_known": published_known,
        "language": article.language,
        "genre": article.genre,
        "content_hash": digest,
        "received_at": now,
        "status": ArticleStatus.pending,
        "attempts": 0,
    }
    article_id = articles.insert_new(session, values)
    if article_id is None:
        # Lost to an identical request (perhaps a concurrent one): answer with the stored one.
        existing = articles.find_duplicate(session, article.url, digest)
        if existing is None:
            raise RuntimeError("insert conflicted, yet no article has this url or content hash")
        return Ingested(existing.id, existing.status, created=False)
    articles.link_authors(session, article_id, authors.ensure(session, article.authors))
    return Ingested(article_id, ArticleStatus.pending, created=True)


def _published(value: datetime | date | None) -> tuple[datetime | None, bool]:
    """(UTC datetime, whether the time of day is known); a bare date is kept at 00:00 UTC."""
    if value is None:
        return None, False
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC), True
    return datetime.combine(value, time.min, tzinfo=UTC), False
