"""Authors as rows, not strings on the article: filters use an index and profiles can follow."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, BigId


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), unique=True)


class ArticleAuthor(Base):
    """Link row; ``position`` keeps the byline order."""

    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # as this article gives it ("Carnegie Moscow Center"); affiliations change over a career
    affiliation: Mapped[str | None] = mapped_column(String(300))

    author: Mapped[Author] = relationship(lazy="joined")
