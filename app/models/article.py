"""Articles: the text as received, its metadata, and its place in the analysis queue."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId, UTCDateTime

if TYPE_CHECKING:
    from app.models.analysis_run import AnalysisRun
    from app.models.annotation import ArticleActor, ArticleSentiment, ArticleTopic, Mention
    from app.models.author import ArticleAuthor
    from app.models.outlet import Outlet
    from app.models.quotation import Quotation
    from app.models.source import ArticleSource


class ArticleStatus(enum.StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"
    # stored but not analysed (a language the models do not read): see skip_reason
    skipped = "skipped"


class Genre(enum.StrEnum):
    opinion = "opinion"
    news = "news"
    unknown = "unknown"


# The orders a list of articles can be read in: the `sort` parameter's values. (A comment, not a
# docstring: a docstring would become the enum's description in the OpenAPI document.)
class Sort(enum.StrEnum):
    newest = "-published"
    oldest = "published"
    relevance = "relevance"
    most_negative = "sentiment"
    most_positive = "-sentiment"


class FieldSource(enum.StrEnum):
    """Where a field's value came from."""

    given = "given"  # the request
    extracted = "extracted"  # the page's metadata or the pasted text's layout
    detected = "detected"  # a model in the analysis (genre)


def _enum_column(enum_class: type[enum.StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK, not a native PostgreSQL ENUM: adding a value stays a small migration.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Article(Base):
    # Full-text search (an FTS5 table, or a tsvector column) differs by backend: migration 0002.
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_outlet_id_published", "outlet_id", "published", "id"),
        Index("ix_articles_published_id", "published", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    outlet_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outlets.id"))
    # Midnight UTC when only the date is known; `published_known` then says the time is not.
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_known: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(35))
    genre: Mapped[Genre] = mapped_column(_enum_column(Genre, "genre"), default=Genre.unknown)
    genre_source: Mapped[str | None] = mapped_column(String(16), index=True)
    # p(opinion) when the genre was detected
    genre_score: Mapped[float | None] = mapped_column(Float)
    # field name -> "given" | "extracted", for the fields that were filled
    field_sources: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # 1 for the text first received; each revision of the text (same url) adds one
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    skip_reason: Mapped[str | None] = mapped_column(Text)
    # sha256 of outlet key, title and text: the idempotency key when there is no url
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    status: Mapped[ArticleStatus] = mapped_column(
        _enum_column(ArticleStatus, "article_status"), default=ArticleStatus.pending, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    analysis_run_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("analysis_runs.id"))
    analyzed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outlet: Mapped[Outlet | None] = relationship()
    author_links: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position", cascade="all, delete-orphan", passive_deletes=True
    )
    analysis_run: Mapped[AnalysisRun | None] = relationship()
    sentiment: Mapped[ArticleSentiment | None] = relationship(passive_deletes=True)
    topics: Mapped[list[ArticleTopic]] = relationship(
        order_by="ArticleTopic.score.desc()", passive_deletes=True
    )
    actors: Mapped[list[ArticleActor]] = relationship(
        order_by="ArticleActor.salience.desc()", passive_deletes=True
    )
    mentions: Mapped[list[Mention]] = relationship(order_by="Mention.start", passive_deletes=True)
    source: Mapped[ArticleSource | None] = relationship(passive_deletes=True)
    quotations: Mapped[list[Quotation]] = relationship(
        order_by="Quotation.start", passive_deletes=True
    )

    @property
    def author_names(self) -> list[str]:
        return [link.author.name for link in self.author_links]

    @property
    def sources(self) -> dict[str, str]:
        """Field -> where its value came from (genre included once it is known)."""
        found = dict(self.field_sources or {})
        if self.genre_source:
            found["genre"] = self.genre_source
        return found
