"""Articles written many at a time: the multi-row statements behind `lens import`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from app.models import Article, ArticleAuthor, ArticleSource, Author, Outlet
from app.models.article import ArticleStatus
from app.models.keys import normalize_key
from app.repositories._conflicts import insert_ignoring_conflicts


class Stored(NamedTuple):
    id: int
    status: ArticleStatus
    revision: int


# "url:<url>" or "hash:<content hash>" -> the stored article
Existing = dict[str, Stored]


def ensure_outlets(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Normalised key -> id of the outlets called ``names``, the new ones created."""
    return _ensure_named(session, Outlet, names)


def ensure_authors(session: Session, names: Sequence[str]) -> dict[str, int]:
    """Normalised key -> id of the authors called ``names``, the new ones created."""
    return _ensure_named(session, Author, names)


def _ensure_named(
    session: Session, model: type[Outlet] | type[Author], names: Sequence[str]
) -> dict[str, int]:
    # The bulk twin of outlets.ensure / authors.ensure: the first spelling of a name is kept.
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalize_key(name), name)
    if not by_key:
        return {}
    # Sorted, so concurrent transactions take the unique-key locks in one order (no deadlock);
    # an executemany, so the statement is compiled once however many names there are.
    session.execute(
        insert_ignoring_conflicts(session, model),
        [{"name": name, "key": key} for key, name in sorted(by_key.items())],
    )
    rows = session.execute(select(model.key, model.id).where(model.key.in_(by_key)))
    return dict(rows.all())


def insert_new(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert the articles that are not stored yet; content hash -> id of each one inserted.

    ``rows`` must not repeat a url or content hash; those already stored are skipped.
    """
    if not rows:
        return {}
    statement = insert_ignoring_conflicts(session, Article).returning(
        Article.content_hash, Article.id
    )
    # One executemany, sent as multi-row INSERT ... RETURNING statements. render_nulls: else the
    # ORM splits the rows into a statement per run of rows with the same None columns.
    return dict(
        session.execute(statement, list(rows), execution_options={"render_nulls": True}).all()
    )


def find_duplicates(session: Session, *, urls: Sequence[str], hashes: Sequence[str]) -> Existing:
    """The stored articles with one of these urls or content hashes."""
    if not urls and not hashes:
        return {}
    found: Existing = {}
    rows = session.execute(
        select(
            Article.id, Article.status, Article.revision, Article.url, Article.content_hash
        ).where(or_(Article.url.in_(urls), Article.content_hash.in_(hashes)))
    )
    for article_id, status, revision, url, digest in rows:
        stored = Stored(article_id, status, revision)
        found[f"hash:{digest}"] = stored
        if url is not None:
            found[f"url:{url}"] = stored
    return found


def link_authors(
    session: Session, bylines: Sequence[tuple[int, Sequence[tuple[int, str | None]]]]
) -> None:
    """Link each article to its authors (distinct ids, in byline order, with affiliations)."""
    rows = [
        {
            "article_id": article_id,
            "author_id": author_id,
            "position": position,
            "affiliation": affiliation,
        }
        for article_id, authors in bylines
        for position, (author_id, affiliation) in enumerate(authors)
    ]
    if rows:
        session.execute(insert(ArticleAuthor), rows)


def add_sources(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Keep the pages new articles were extracted from (article_sources rows)."""
    if rows:
        session.execute(insert(ArticleSource), list(rows))
