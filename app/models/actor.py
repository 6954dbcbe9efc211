"""Actors: the canonical countries, people and organisations that mentions resolve to."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
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

    aliases: Mapped[list[ActorAlias]] = relationship(passive_deletes=True)


class ActorAlias(Base):
    """Another name of an actor, normalised; one alias may name several actors ("Georgia")."""

    __tablename__ = "actor_aliases"
    __table_args__ = (UniqueConstraint("actor_id", "alias"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300), index=True)
