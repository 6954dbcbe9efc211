"""Actors and their aliases: race-safe upsert by key, name lookup, the list with counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select, union, update
from sqlalchemy.orm import Session, selectinload

from app.models import Actor, ActorAlias, ActorMerge, ActorOutletStats
from app.models.keys import normalize_key, parse_id
from app.repositories._conflicts import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class ActorSpec:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    # the key of the actor this one is part of, itself among the specs ensured with it
    part_of: str | None = None


def ensure(session: Session, specs: list[ActorSpec]) -> dict[str, int]:
    """Ids of the actors by key, creating new ones; the canonical name is an alias too.

    An existing actor keeps its first name and kind: the key is its identity. Its ``part_of``
    follows the specs (the catalog may learn that an institution belongs to a country).
    """
    if not specs:
        return {}
    by_key = {spec.key: spec for spec in specs}
    keys = sorted(by_key)
    # A key merged into another actor (a worker still on the old tables) is that actor.
    merged = dict(
        session.execute(
            select(ActorMerge.key, ActorMerge.actor_id).where(ActorMerge.key.in_(keys))
        ).all()
    )
    new = [k for k in keys if k not in merged]
    # Sorted keys: concurrent workers take the unique-key locks in the same order (no deadlock).
    if new:
        session.execute(
            insert_ignoring_conflicts(session, Actor).values(
                [{"key": k, "name": by_key[k].name, "kind": by_key[k].kind} for k in new]
            )
        )
    ids = dict(session.execute(select(Actor.key, Actor.id).where(Actor.key.in_(new))).all())
    ids.update(merged)
    aliases = sorted(
        {
            (ids[key], alias)
            for key in keys
            for alias in map(normalize_key, (by_key[key].name, *by_key[key].aliases))
            if alias
        }
    )
    session.execute(
        insert_ignoring_conflicts(session, ActorAlias).values(
            [{"actor_id": actor_id, "alias": alias} for actor_id, alias in aliases]
        )
    )
    _set_parents(session, ids, [by_key[k] for k in keys])
    return ids


def _set_parents(session: Session, ids: dict[str, int], specs: list[ActorSpec]) -> None:
    """Point each actor at its parent; only rows that change are written (a few institutions)."""
    children: dict[int, list[int]] = {}
    for spec in specs:
        if spec.part_of is not None and spec.part_of in ids:
            children.setdefault(ids[spec.part_of], []).append(ids[spec.key])
    for parent_id, child_ids in sorted(children.items()):
        session.execute(
            update(Actor)
            .where(
                Actor.id.in_(sorted(child_ids)),
                or_(Actor.part_of_id.is_(None), Actor.part_of_id != parent_id),
            )
            .values(part_of_id=parent_id)
        )


def with_parts(session: Session, actor_ids: frozenset[int]) -> frozenset[int]:
    """The actors and, transitively, every actor part of one of them (the White House and the
    Senate of the United States)."""
    found = set(actor_ids)
    frontier = set(actor_ids)
    while frontier:
        parts = set(session.scalars(select(Actor.id).where(Actor.part_of_id.in_(sorted(frontier)))))
        frontier = parts - found
        found |= frontier
    return frozenset(found)


def parts_of(session: Session, actor_id: int) -> list[Actor]:
    """The actors directly part of this one, by name."""
    return list(
        session.scalars(select(Actor).where(Actor.part_of_id == actor_id).order_by(Actor.name))
    )


def resolve(session: Session, term: str) -> frozenset[int]:
    """Actors a filter term names: an id, a key, the canonical name or an alias, any case."""
    # A UNION of indexed lookups: an OR with EXISTS would test every actor row.
    lookups = [select(ActorAlias.actor_id).where(ActorAlias.alias == normalize_key(term))]
    if ":" in term:
        # keys are "<kind>:<name>"; matching any case scans the (small) actors table
        key = term.strip().lower()
        lookups.append(select(Actor.id).where(func.lower(Actor.key) == key))
        # a key an actor had before a merge ("person:obama") names the actor it became
        lookups.append(select(ActorMerge.actor_id).where(func.lower(ActorMerge.key) == key))
    if (actor_id := parse_id(term)) is not None:
        lookups.append(select(Actor.id).where(Actor.id == actor_id))
        lookups.append(select(ActorMerge.actor_id).where(ActorMerge.id == actor_id))
    return frozenset(session.scalars(union(*lookups)))


def get_many(session: Session, actor_ids: Sequence[int]) -> list[Actor]:
    """These actors (without aliases), in no particular order."""
    if not actor_ids:
        return []
    return list(session.scalars(select(Actor).where(Actor.id.in_(sorted(set(actor_ids))))))


def get(session: Session, actor_id: int, *, with_aliases: bool = True) -> Actor | None:
    """The actor with this id, or the one it was merged into, with what it is part of."""
    merged_into = select(ActorMerge.actor_id).where(ActorMerge.id == actor_id).scalar_subquery()
    query = (
        select(Actor)
        .where(or_(Actor.id == actor_id, Actor.id == merged_into))
        .options(selectinload(Actor.part_of))
    )
    if with_aliases:
        query = query.options(selectinload(Actor.aliases))
    return session.scalar(query)


def with_counts(
    session: Session,
    *,
    query: str | None,
    kind: str | None = None,
    after: tuple[int, int] | None,
    limit: int,
) -> list[tuple[Actor, int]]:
    """Actors by number of articles (most first, then id), optionally those matching ``query``."""
    # From the roll-up: a few rows per actor instead of one per article.
    counts = (
        select(ActorOutletStats.actor_id, func.sum(ActorOutletStats.articles).label("n"))
        .group_by(ActorOutletStats.actor_id)
        .subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    statement = select(Actor, n).outerjoin(counts, counts.c.actor_id == Actor.id)
    if query:
        needle = normalize_key(query)
        statement = statement.where(
            or_(
                func.lower(Actor.key).contains(query.strip().lower(), autoescape=True),
                exists().where(
                    ActorAlias.actor_id == Actor.id,
                    ActorAlias.alias.contains(needle, autoescape=True),
                ),
            )
        )
    if kind is not None:
        statement = statement.where(Actor.kind == kind)
    if after is not None:
        count, last_id = after
        statement = statement.where(or_(n < count, (n == count) & (Actor.id > last_id)))
    rows = session.execute(
        statement.order_by(n.desc(), Actor.id)
        .limit(limit)
        .options(selectinload(Actor.aliases), selectinload(Actor.part_of))
    ).all()
    return [(actor, int(count)) for actor, count in rows]
