"""Outlets, actors and authors listed with their article counts, most covered first; topics."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models import Author, Outlet
from app.repositories import actors, named, topics
from app.schemas.article import ActorRef
from app.schemas.catalog import ActorView, OutletView
from app.schemas.page import Page
from app.schemas.profiles import AuthorView, TopicView
from app.services import cursor as cursors
from app.services.articles import page_size
from app.services.taxonomy import taxonomy

NamedView = TypeVar("NamedView", OutletView, AuthorView)


def list_outlets(
    session: Session,
    settings: Settings,
    *,
    q: str | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[OutletView]:
    return _named_page(session, settings, Outlet, OutletView, "outlets", q, limit, cursor)


def list_actors(
    session: Session,
    settings: Settings,
    *,
    q: str | None,
    kind: str | None = None,
    limit: int | None,
    cursor: str | None,
) -> Page[ActorView]:
    size = page_size(settings, limit)
    rows = actors.with_counts(
        session, query=q, kind=kind, after=_after("actors", cursor), limit=size + 1
    )
    return Page[ActorView](
        items=[
            ActorView(
                id=a.id,
                key=a.key,
                name=a.name,
                kind=a.kind,
                aliases=sorted(alias.alias for alias in a.aliases),
                part_of=None
                if a.part_of is None
                else ActorRef(
                    id=a.part_of.id, key=a.part_of.key, name=a.part_of.name, kind=a.part_of.kind
                ),
                article_count=n,
            )
            for a, n in rows[:size]
        ],
        next_cursor=_next("actors", [(a.id, n) for a, n in rows], size),
    )


def list_authors(
    session: Session, settings: Settings, *, q: str | None, limit: int | None, cursor: str | None
) -> Page[AuthorView]:
    return _named_page(session, settings, Author, AuthorView, "authors", q, limit, cursor)


def _named_page(
    session: Session,
    settings: Settings,
    entity: type[named.Named],
    view: type[NamedView],
    kind: str,
    q: str | None,
    limit: int | None,
    cursor: str | None,
) -> Page[NamedView]:
    """Outlets or authors (app/repositories/named.py), most articles first, a page of them."""
    size = page_size(settings, limit)
    rows = named.with_counts(session, entity, query=q, after=_after(kind, cursor), limit=size + 1)
    page = Page[view]  # type: ignore[valid-type]
    return page(
        items=[view(id=row.id, name=row.name, article_count=n) for row, n in rows[:size]],
        next_cursor=_next(kind, [(row.id, n) for row, n in rows], size),
    )


def list_topics(session: Session, settings: Settings) -> list[TopicView]:
    """The taxonomy's tree: its top-level topics (in its order), each with its subtopics; then
    any other topic stored on articles."""
    stored = topics.counts(session)
    entries = taxonomy(settings)
    listed = {
        t.code: TopicView(
            code=t.code,
            label=t.label,
            description=t.description,
            in_taxonomy=True,
            article_count=stored.pop(t.code, 0),
            parent=t.parent,
        )
        for t in entries
    }
    for t in entries:
        if t.parent is not None:
            listed[t.parent].subtopics.append(listed[t.code])
    others = []
    for code, n in sorted(stored.items(), key=lambda item: (-item[1], item[0])):
        label, parent = topics.label_of(session, code)
        others.append(
            TopicView(
                code=code,
                label=label,
                description=None,
                in_taxonomy=False,
                article_count=n,
                parent=parent,
            )
        )
    return [t for t in listed.values() if t.parent is None] + others


def _after(kind: str, cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    count, last_id = cursors.decode(kind, cursor, 2)
    return cursors.decode_int(count), cursors.decode_int(last_id)


def _next(kind: str, keys: list[tuple[int, int]], size: int) -> str | None:
    if len(keys) <= size:
        return None
    last_id, count = keys[size - 1]
    return cursors.encode(kind, [count, last_id])
