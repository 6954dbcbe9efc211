"""Renaming and merging stored actors, keeping their ids answering (app/models/actor.py).

A rename changes an actor's key, name and kind in place: its id, annotations and roll-ups stay.
A merge moves one actor's annotations, aliases and parts to another and deletes it; its id and
key go to ``actor_merges`` so that links and filters naming them reach the actor it became.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from app.models import Actor, ActorAlias, ActorMerge, ArticleActor, Mention
from app.models.keys import normalize_key
from app.repositories import quotations as quotation_rows
from app.repositories import rollups
from app.repositories._conflicts import insert_ignoring_conflicts

_PAGE = 1000


def identities(session: Session) -> Iterator[tuple[int, str, str, str]]:
    """Every actor's ``(id, key, name, kind)``, by id, a page at a time."""
    last = 0
    while True:
        rows = session.execute(
            select(Actor.id, Actor.key, Actor.name, Actor.kind)
            .where(Actor.id > last)
            .order_by(Actor.id)
            .limit(_PAGE)
        ).all()
        for row in rows:
            yield row.id, row.key, row.name, row.kind
        if len(rows) < _PAGE:
            return
        last = rows[-1].id


def id_of(session: Session, key: str) -> int | None:
    return session.scalar(select(Actor.id).where(Actor.key == key))


def rename(session: Session, actor_id: int, *, key: str, name: str, kind: str) -> None:
    """The actor under its new key, name and kind; the old name stays an alias."""
    old_name = session.scalar(select(Actor.name).where(Actor.id == actor_id))
    session.execute(update(Actor).where(Actor.id == actor_id).values(key=key, name=name, kind=kind))
    _add_aliases(session, actor_id, [n for n in (old_name, name) if n])


def merge(session: Session, actor_id: int, *, into: int) -> None:
    """Fold actor ``actor_id`` into actor ``into`` and delete it; its id and key keep answering
    for ``into``. An article that named both keeps one row, with the mentions of both."""
    old = session.get_one(Actor, actor_id)
    old_key, old_name, old_parent = old.key, old.name, old.part_of_id
    article_ids = list(
        session.scalars(select(ArticleActor.article_id).where(ArticleActor.actor_id == actor_id))
    )
    # the roll-ups of these articles leave, and come back with the rows moved
    rollups.apply(session, article_ids, -1)
    other = aliased(ArticleActor)
    both = select(other.article_id).where(other.actor_id == actor_id).scalar_subquery()
    counts = (
        select(other.mention_count)
        .where(other.actor_id == actor_id, other.article_id == ArticleActor.article_id)
        .scalar_subquery()
    )
    salience = (
        select(other.salience)
        .where(other.actor_id == actor_id, other.article_id == ArticleActor.article_id)
        .scalar_subquery()
    )
    session.execute(
        update(ArticleActor)
        .where(ArticleActor.actor_id == into, ArticleActor.article_id.in_(both))
        .values(
            mention_count=ArticleActor.mention_count + counts,
            salience=func.max(ArticleActor.salience, salience)
            if session.get_bind().dialect.name == "sqlite"
            else func.greatest(ArticleActor.salience, salience),
        )
    )
    kept = select(other.article_id).where(other.actor_id == into).scalar_subquery()
    session.execute(
        delete(ArticleActor).where(
            ArticleActor.actor_id == actor_id, ArticleActor.article_id.in_(kept)
        )
    )
    session.execute(
        update(ArticleActor).where(ArticleActor.actor_id == actor_id).values(actor_id=into)
    )
    session.execute(update(Mention).where(Mention.actor_id == actor_id).values(actor_id=into))
    quotation_rows.move_actor(session, actor_id, into=into)
    rollups.apply(session, article_ids, 1)
    aliases = list(session.scalars(select(ActorAlias.alias).where(ActorAlias.actor_id == actor_id)))
    _add_aliases(session, into, [old_name, *aliases])
    session.execute(update(Actor).where(Actor.part_of_id == actor_id).values(part_of_id=into))
    if old_parent is not None and old_parent != into:
        session.execute(
            update(Actor)
            .where(Actor.id == into, Actor.part_of_id.is_(None))
            .values(part_of_id=old_parent)
        )
    # earlier merges into the old actor follow it
    session.execute(update(ActorMerge).where(ActorMerge.actor_id == actor_id).values(actor_id=into))
    session.expunge(old)
    session.execute(delete(Actor).where(Actor.id == actor_id))
    session.add(ActorMerge(id=actor_id, key=old_key, actor_id=into))
    session.flush()


def _add_aliases(session: Session, actor_id: int, names: list[str]) -> None:
    aliases = sorted({a for a in map(normalize_key, names) if a})
    if aliases:
        session.execute(
            insert_ignoring_conflicts(session, ActorAlias).values(
                [{"actor_id": actor_id, "alias": alias} for alias in aliases]
            )
        )
