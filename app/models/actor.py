"""Actors: the canonical countries, people and organisations that mentions resolve to."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('country', 'person', 'organization', 'group', 'place')", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # stable across articles and model versions, e.g. "country:RUS"
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    # the actor this one is part of (migration 0009): the White House of the United States, the
    # Senate of Congress; null for most. Actors are never deleted but by a merge, which moves
    # the parts to the actor that survives.
    part_of_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("actors.id"), index=True)

    aliases: Mapped[list[ActorAlias]] = relationship(passive_deletes=True)
    part_of: Mapped[Actor | None] = relationship(remote_side=[id], lazy="raise")


class ActorAlias(Base):
    """Another name of an actor, normalised; one alias may name several actors ("Georgia")."""

    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("actor_id", "alias"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300), index=True)


class ActorMerge(Base):
    """An actor merged into another when re-annotation found them one (migration 0009).

    Its id and key keep naming the actor it became, so saved links and filters still work:
    ``person:obama`` (id 7) merged into ``person:barack obama`` answers for id 7.
    """

    __tablename__ = "actor_merges"
    __table_args__ = (Index("ix_actor_merges_key", "key", unique=True),)

    # the merged actor's id, never reused: ids come from the actors table's sequence
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("actors.id", ondelete="CASCADE"), index=True
    )
