"""Actor upserts by key, alias lookup, and ambiguous aliases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Actor, ActorAlias
from app.repositories import actors
from app.repositories.actors import ActorSpec


def test_ensure_is_idempotent_and_merges_aliases(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        first = actors.ensure(session, [ActorSpec("country:RUS", "Russia", "country", ("RUS",))])
    with session_factory() as session, session.begin():
        # A later run names it differently and knows another alias: one actor, both aliases.
        again = actors.ensure(
            session, [ActorSpec("country:RUS", "Russian Federation", "country", ("Rossiya",))]
        )

    assert again == first
    with session_factory() as session:
        actor = session.scalars(select(Actor)).one()
        aliases = set(session.scalars(select(ActorAlias.alias)))
    assert (actor.key, actor.name) == ("country:RUS", "Russia")
    assert aliases == {"russia", "rus", "russian federation", "rossiya"}


def test_an_alias_may_name_several_actors(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        ids = actors.ensure(
            session,
            [
                ActorSpec("country:GEO", "Georgia", "country", ()),
                ActorSpec("place:us-ga", "Georgia (U.S. state)", "place", ("Georgia",)),
            ],
        )

    with session_factory() as session:
        assert actors.resolve(session, "georgia") == frozenset(ids.values())
        assert actors.resolve(session, "Georgia (U.S. state)") == {ids["place:us-ga"]}
        assert actors.resolve(session, "PLACE:US-GA") == {ids["place:us-ga"]}
        assert actors.resolve(session, str(ids["country:GEO"])) == {ids["country:GEO"]}
        assert actors.resolve(session, "Atlantis") == frozenset()
