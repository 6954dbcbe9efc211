"""Atom feeds (written by `feedgen`): a subscription's matches, and any search's newest articles.

Each entry is an article: its title, a link to it in the API and to the page it came from, and
a summary of the author's stance toward its actors (the matched ones first) and its topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from feedgen.feed import FeedGenerator
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models.article import Sort
from app.repositories import deliveries as delivery_rows
from app.services import search, subscriptions
from app.services.search import ArticleQuery

MEDIA_TYPE = "application/atom+xml"
FEED_LENGTH = 50
_GENERATOR = "Commentary Lens"
# What XML 1.0 cannot hold (lxml refuses it): control characters other than tab and line breaks,
# and U+FFFE/U+FFFF. A subscription's name or an article's title may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def subscription_feed(
    session: Session,
    owner: int | None,
    subscription_id: int,
    *,
    base_url: str,
    self_url: str,
    now: datetime,
) -> bytes:
    """The subscription's latest matches, newest first, as the webhooks described them."""
    subscription = subscriptions.get(session, owner, subscription_id)
    rows = delivery_rows.page(session, subscription_id, before_id=None, limit=FEED_LENGTH)
    feed = _feed(
        f"{base_url}v1/subscriptions/{subscription_id}",
        f"{subscription.name} (Commentary Lens)",
        self_url,
        rows[0].created_at if rows else subscription.created_at,
    )
    for row in rows:
        article = row.payload["data"]["article"]
        _entry(feed, article, base_url, updated=row.created_at, entry_id=row.event_id)
    result: bytes = feed.atom_str(pretty=True)
    return result


def search_feed(
    session: Session,
    settings: Settings,
    query: ArticleQuery,
    *,
    base_url: str,
    self_url: str,
    limit: int | None,
    now: datetime,
) -> bytes:
    """The newest articles that match ``query`` (the filters of GET /v1/articles)."""
    page = search.list_articles(
        session, settings, _newest(query), limit=limit or FEED_LENGTH, cursor=None
    )
    items = [item.model_dump(mode="json") for item in page.items]
    feed = _feed(f"{self_url}", "Articles (Commentary Lens)", self_url, now)
    for item in items:
        _entry(feed, item, base_url, updated=_moment(item.get("published")) or now, entry_id=None)
    result: bytes = feed.atom_str(pretty=True)
    return result


def _newest(query: ArticleQuery) -> ArticleQuery:
    return replace(query, sort=Sort.newest)


def _feed(feed_id: str, title: str, self_url: str, updated: datetime) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(_xml(title))
    feed.link(href=self_url, rel="self")
    feed.updated(updated)
    feed.generator(_GENERATOR)
    feed.author({"name": _GENERATOR})
    return feed


def _entry(
    feed: FeedGenerator,
    article: dict[str, Any],
    base_url: str,
    *,
    updated: datetime,
    entry_id: str | None,
) -> None:
    entry = feed.add_entry(order="append")
    link = f"{base_url}v1/articles/{article['id']}"
    entry.id(f"{link}#{entry_id}" if entry_id else link)
    entry.title(_xml(article.get("title") or f"Article {article['id']}"))
    # One link, the page itself (else the article in the API): feedgen 1.0 writes no `rel` on
    # an entry's links, so a second one would be a second `alternate`, which Atom forbids. The
    # entry's id is the article's address in the API.
    entry.link(href=article.get("url") or link)
    entry.updated(updated)
    if (published := _moment(article.get("published"))) is not None:
        entry.published(published)
    for name in article.get("authors") or ():
        entry.author({"name": _xml(name)})
    entry.summary(_xml(f"{stance_summary(article)}\nAnnotations: {link}"))


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def stance_summary(article: dict[str, Any]) -> str:
    """One line per part: outlet and date, the author's stance toward each actor, topics."""
    parts = [" · ".join(str(p) for p in (article.get("outlet"), article.get("published")) if p)]
    matched = {a["id"] for a in article.get("matched_actors") or ()}
    actors: Sequence[dict[str, Any]] = sorted(
        article.get("actors") or (), key=lambda a: a["id"] not in matched
    )
    if actors:
        parts.append(
            "Author's stance: "
            + "; ".join(
                f"{a['name']} {a['sentiment']['label']} ({a['sentiment']['score']:+.2f})"
                for a in actors
            )
        )
    if article.get("sentiment"):
        parts.append(
            f"Tone: {article['sentiment']['label']} ({article['sentiment']['score']:+.2f})"
        )
    if article.get("topics"):
        parts.append("Topics: " + ", ".join(t["label"] for t in article["topics"]))
    return "\n".join(p for p in parts if p)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    if "T" in value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
