"""Per-actor roll-ups kept in step with ``article_actors`` by the annotation writes.

An actor profile sums a few hundred of these rows instead of scanning every article that
mentions a popular actor (millions of rows for "United States" in a large corpus).
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId

# outlet_id of articles without an outlet: part of the primary key, so it cannot be NULL
NO_OUTLET = 0


class ActorOutletStats(Base):
    """How often one outlet's articles mention an actor, and the authors' sentiment toward it."""

    __tablename__ = "actor_outlet_stats"
    __table_args__ = (Index("ix_actor_outlet_stats_outlet_id_articles", "outlet_id", "articles"),)

    actor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    # no foreign key: NO_OUTLET names no outlet
    outlet_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)
    mentions: Mapped[int] = mapped_column(Integer)
    negative: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[float] = mapped_column(Float)


class ActorPair(Base):
    """Articles that mention both actors; stored in both directions."""

    __tablename__ = "actor_pairs"

    actor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    other_actor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    articles: Mapped[int] = mapped_column(Integer)
