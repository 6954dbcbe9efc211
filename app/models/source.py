"""The page an article was extracted from, kept so a better extractor can run again later."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId


class ArticleSource(Base):
    __tablename__ = "article_sources"

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    media_type: Mapped[str] = mapped_column(String(100))
    # gzip of the page as received (UTF-8); pages compress about 5 to 10 times
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # of the page before compression, in bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # the extractor and version that produced the stored text, e.g. "trafilatura@2.3.1"
    extractor: Mapped[str] = mapped_column(String(100))
