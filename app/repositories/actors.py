"""Actors and their aliases: race-safe upsert by key, name lookup, the list with counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select, union
from sqlalchemy.orm import Session, selectinload

from app.models import Actor, ActorAlias, ActorOutletStats
from app.models.keys import normalize_key, parse_id
from app.repositories._conflicts import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class ActorSpec:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]


def ensure(session: Session, specs: list[ActorSpec]) -> dict[str, int]:
    """Ids of the actors by key, creating new ones; the canonical name is an alias too.

    An existing actor keeps its first name and kind: the key is its identity.
    """
    if not specs:
        return {}
    by_key = {spec.key: spec for spec in specs}
    keys = sorted(by_key)
    # Sorted keys: concurrent workers take the unique-key locks in the same order (no deadlock).
    session.execute(
        insert_ignoring_conflicts(session, Actor).values(
            [{"key": k, "name": by_key[k].name, "kind": by_key[k].kind} for k in keys]
        )
    )
    ids = dict(session.execute(select(Actor.key, Actor.id).where(Actor.key.in_(keys))).all())
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
    return ids


def resolve(session: Session, term: str) -> frozenset[int]:
    """Actors a filter term names: an id, a key, the canonical name or an alias, any case."""
    # A UNION of indexed lookups: an OR with EXISTS would test every actor row.
    lookups = [select(ActorAlias.actor_id).where(ActorAlias.alias == normalize_key(term))]
    if ":" in term:
        # keys are "<kind>:<name>"; matching any case scans the (small) actors table
        lookups.append(select(Actor.id).where(func.lower(Actor.key) == term.strip().lower()))
    if (actor_id := parse_id(term)) is not None:
        lookups.append(select(Actor.id).where(Actor.id == actor_id))
    return frozenset(session.scalars(union(*lookups)))


def get_many(session: Session, actor_ids: Sequence[int]) -> list[Actor]:
    """These actors (without aliases), in no particular order."""
    if not actor_ids:
        return []
    return list(session.scalars(select(Actor).where(Actor.id.in_(sorted(set(actor_ids))))))


def get(session: Session, actor_id: int, *, with_aliases: bool = True) -> Actor | None:
    query = select(Actor).where(Actor.id == actor_id)
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
        statement.order_by(n.desc(), Actor.id).limit(limit).options(selectinload(Actor.aliases))
    ).all()
    return [(actor, int(count)) for actor, count in rows]
