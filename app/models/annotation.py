"""What the analysis wrote about one article; replaced as a whole when it is analysed again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId, UTCDateTime

if TYPE_CHECKING:
    from app.models.actor import Actor

_LABEL_CHECK = "{column} IN ('negative', 'neutral', 'positive')"


def _article_fk() -> Any:
    return ForeignKey("articles.id", ondelete="CASCADE")


class ArticleSentiment(Base):
    """The document's sentiment (1:1 with the article), with its sentences' offsets and labels."""

    __tablename__ = "article_sentiments"
    __table_args__ = (
        CheckConstraint(_LABEL_CHECK.format(column="label"), name="label"),
        # sort=sentiment and the score range filters
        Index("ix_article_sentiments_score_article_id", "score", "article_id"),
    )

    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), primary_key=True)
    label: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    probabilities: Mapped[dict[str, float]] = mapped_column(JSON)
    drivers: Mapped[list[int]] = mapped_column(JSON)
    # [{"index", "start", "end", "label", "score"}, ...]: one JSON value, not a row per sentence
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ArticleTopic(Base):
    """A topic or subtopic of an article; a subtopic names its top-level topic in ``parent``."""

    __tablename__ = "article_topics"
    # the topic filter and the per-topic counts
    __table_args__ = (Index("ix_article_topics_code_article_id", "code", "article_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), index=True)
    code: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    # migration 0006; null for a top-level topic
    parent: Mapped[str | None] = mapped_column(String(100))


class ArticleActor(Base):
    """One actor as it appears in one article, with the author's sentiment toward it.

    ``published`` and ``outlet_id`` copy the article's (app/repositories/annotations.py fills
    them): with the covering index ix_article_actors_actor_published (migration 0002) an actor's
    articles, timeline and profile are read without joining ``articles``.
    """

    __tablename__ = "article_actors"
    __table_args__ = (
        CheckConstraint(_LABEL_CHECK.format(column="sentiment_label"), name="sentiment_label"),
    )

    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), primary_key=True)
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id"), primary_key=True)
    mention_count: Mapped[int] = mapped_column(Integer)
    salience: Mapped[float] = mapped_column(Float)
    sentiment_label: Mapped[str] = mapped_column(String(16))
    sentiment_score: Mapped[float] = mapped_column(Float)
    sentiment_probabilities: Mapped[dict[str, float]] = mapped_column(JSON)
    evidence: Mapped[list[int]] = mapped_column(JSON)
    # [{"start", "end", "label", "score", "weight"}], strongest first; null before migration 0007
    passages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outlet_id: Mapped[int | None] = mapped_column(BigId)

    actor: Mapped[Actor] = relationship(lazy="joined")


class Mention(Base):
    """A span of the article text attributed to an actor; ``text[start:end]`` is the surface."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(BigId, _article_fk(), index=True)
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("actors.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(8))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    sentence_index: Mapped[int] = mapped_column(Integer)
