"""What an article's analysis said before a later run replaced it: the record of model changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId, UTCDateTime


class ArticleHistory(Base):
    """A snapshot of the replaced annotations' gist: document sentiment, topics, actors and the
    relations between actors its quotations gave.

    Written in the transaction that replaces them (app/services/annotate.py), so the history
    and the current annotations never disagree. Mentions and sentences are not kept: they are
    large, and the point is to compare what a model change did to the conclusions.
    """

    __tablename__ = "article_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    # the run whose annotations were replaced, and the one that replaced them
    analysis_run_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("analysis_runs.id"), index=True
    )
    # null when a revision of the text, not a run, replaced them
    replaced_by_run_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("analysis_runs.id"))
    # "reannotated" (a model change) or "revised" (a new text for the same url)
    reason: Mapped[str] = mapped_column(
        String(16), default="reannotated", server_default="reannotated"
    )
    # the text revision these annotations were made from
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # for a revision: the title and text it replaced
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sentiment_label: Mapped[str | None] = mapped_column(String(16))
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_probabilities: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # [{"code", "label", "score"}, ...], highest score first
    topics: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # [{"key", "name", "label", "score"}, ...]: the author's sentiment toward each actor
    actors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # [{"speaker", "target", "negative", "neutral", "positive"}, ...] (actor keys): who said what
    # about whom in its quotations; null for snapshots written before migration 0011
    relations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    @property
    def sentiment(self) -> dict[str, Any] | None:
        """The replaced document sentiment's label and score; None where there was none."""
        if self.sentiment_label is None or self.sentiment_score is None:
            return None
        return {"label": self.sentiment_label, "score": self.sentiment_score}
