"""Quotations: who said what about whom in one article, and the speaker -> target edges.

Written with the article's other annotations and replaced with them (app/services/annotate.py).
``published`` and ``outlet_id`` copy the article's, as on ``article_actors``, so the quotation
and relation queries filter by date and outlet without joining ``articles``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId, UTCDateTime

if TYPE_CHECKING:
    from app.models.actor import Actor


def _article_fk() -> Any:
    return ForeignKey("articles.id", ondelete="CASCADE")


class Quotation(Base):
    """A direct quotation (the words inside the marks) or reported speech (the clause)."""

    __tablename__ = "quotations"
    __table_args__ = (
        CheckConstraint("kind IN ('direct', 'reported')", name="kind"),
        # the speaker filter, newest first (ids grow with time)
        Index("ix_quotations_speaker_id_id", "speaker_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    cue: Mapped[str | None] = mapped_column(String(40))
    how: Mapped[str] = mapped_column(String(16))
    # the speaker as an actor; a name without one is a speaker that is none of the article's actors
    speaker_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("actors.id"))
    speaker_name: Mapped[str | None] = mapped_column(String(300))
    # the quoted words (``text[start:end]`` of the article): what `q=` searches
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outlet_id: Mapped[int | None] = mapped_column(BigId)

    speaker: Mapped[Actor | None] = relationship(lazy="joined")
    targets: Mapped[list[QuotationTarget]] = relationship(
        order_by="QuotationTarget.actor_id", passive_deletes=True, lazy="selectin"
    )


class QuotationTarget(Base):
    """An actor a quotation talks about, with the speaker's stance toward it in those words."""

    __tablename__ = "quotation_targets"
    __table_args__ = (
        CheckConstraint("label IN ('negative', 'neutral', 'positive')", name="label"),
        Index("ix_quotation_targets_actor_id_quotation_id", "actor_id", "quotation_id"),
    )

    quotation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("quotations.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id"), primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), index=True)
    label: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)

    actor: Mapped[Actor] = relationship(lazy="joined")


class ActorRelation(Base):
    """What one actor said about another in one article: its quotations' targets by stance."""

    __tablename__ = "actor_relations"
    __table_args__ = (
        Index("ix_actor_relations_speaker_id_published", "speaker_id", "published"),
        Index("ix_actor_relations_target_id_published", "target_id", "published"),
    )

    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), primary_key=True)
    speaker_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id"), primary_key=True)
    target_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id"), primary_key=True)
    negative: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outlet_id: Mapped[int | None] = mapped_column(BigId)
