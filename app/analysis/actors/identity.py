"""Which actor a stored actor is under today's tables: the renames a re-annotation brings.

An earlier resolution may have stored an actor under a key the current one no longer gives:
``person:obama`` ("Obama", a bare surname) is ``person:barack obama`` now that well-known people
have their full names, ``org:centers for disease control and prevention`` is ``org:cdc`` now that
the catalog knows it. `current_identity` says so from the stored key, name and kind alone, so an
existing database can rename (or merge) those actors and keep their ids before its articles are
annotated again (app/services/actor_identities.py).

Only what the catalog knows is renamed: a key the catalog has is that actor; a person's stored
key or full name that people.json lists, or a bare surname it gives a default to, is that
person; an organisation, group or place whose name is a catalog name is that actor, unless the
name needs the article's context ("Georgia", a bare "Senate") or stands for a country only as a
capital ("Moscow"). Anything else keeps its key: the key is the identity, and what one article's
context decided ("Guyger" is Amber Guyger there) is not known for every article.
"""

from __future__ import annotations

from app.analysis.actors.catalog import Catalog, CatalogEntry, get_catalog
from app.analysis.actors.text import alias_key, fold, person_key
from app.analysis.types import ActorRef


def current_identity(
    key: str, name: str, kind: str, catalog: Catalog | None = None
) -> ActorRef | None:
    """The actor ``(key, name, kind)`` is now, when its key, name or kind differ; else None."""
    catalog = catalog or get_catalog()
    entry = _entry(catalog, key, name, kind)
    if entry is None or (entry.key, entry.name, entry.kind) == (key, name, kind):
        return None
    return ActorRef(entry.key, entry.name, entry.kind)


def _entry(catalog: Catalog, key: str, name: str, kind: str) -> CatalogEntry | None:
    if kind == "person":
        return _person(catalog, key, name)
    if (entry := catalog.entries.get(key)) is not None:
        return entry
    hit = catalog.find(name)
    if hit is None or hit.match != "name" or hit.entry.key in catalog.needs_context:
        return None
    if alias_key(name) in catalog.bare_context:
        # a bare "Senate" is the US one in some articles only
        return None
    return hit.entry if hit.entry.kind != "person" else None


def _person(catalog: Catalog, key: str, name: str) -> CatalogEntry | None:
    # the stored key first: "person:donald trump" stays Donald Trump, whatever name it was
    # first stored under
    for candidate in (key, person_key(name)):
        if (entry := catalog.people.get(candidate)) is not None:
            return entry
    words = key.removeprefix("person:").split()
    return catalog.surnames.get(fold(words[0])) if len(words) == 1 else None
