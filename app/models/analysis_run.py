"""Analysis runs: which models and settings produced an article's annotations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, BigId, UTCDateTime


class AnalysisRun(Base):
    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # sha256 of models + config: workers with the same models share one run row
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    models: Mapped[dict[str, str]] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class RunUsage:
    """A run and how it has been used (a query's result, not a table)."""

    run: AnalysisRun
    # articles whose current annotations it produced
    articles: int
    # its annotations that a later analysis replaced (kept in article_history)
    replaced: int
    # the first and last time it annotated an article: when it was current
    first_used: datetime | None
    last_used: datetime | None
