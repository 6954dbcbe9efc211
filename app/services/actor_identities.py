"""Stored actors brought to today's identities before a re-annotation, keeping their ids.

The resolver's tables change (full names for well-known people, institutions of their own,
abbreviations the catalog learnt): an article annotated again gets the new keys, and without this
step the actor stored under an old key ("person:obama") would be left with no articles while a
new id took its place. Each stored actor whose identity changed is renamed in place (its id, links
and roll-ups kept; the old name an alias) or, when an actor with the new key is stored already,
merged into it (the old id and key answer for it from then on: app/repositories/actor_identities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.analysis.actors.identity import current_identity
from app.analysis.types import ActorRef
from app.repositories import actor_identities

# (key, name, kind) as stored -> the actor it is now, or None when unchanged
Identify = Callable[[str, str, str], ActorRef | None]


@dataclass(frozen=True, slots=True)
class Reconciled:
    renamed: int = 0
    merged: int = 0


def reconcile(
    session: Session, identify: Identify = current_identity, *, dry_run: bool = False
) -> Reconciled:
    """Rename or merge every stored actor whose identity changed; with ``dry_run``, count."""
    changes = [
        (actor_id, target)
        for actor_id, key, name, kind in actor_identities.identities(session)
        if (target := identify(key, name, kind)) is not None
    ]
    renamed = merged = 0
    # what a dry run would have renamed by now: a second actor for the same key merges
    planned: set[str] = set()
    for actor_id, target in changes:
        existing = actor_identities.id_of(session, target.key)
        if dry_run:
            if existing in (None, actor_id) and target.key not in planned:
                renamed += 1
            else:
                merged += 1
            planned.add(target.key)
        elif existing is None or existing == actor_id:
            actor_identities.rename(
                session, actor_id, key=target.key, name=target.name, kind=target.kind
            )
            renamed += 1
        else:
            actor_identities.merge(session, actor_id, into=existing)
            merged += 1
    return Reconciled(renamed, merged)
