"""Reads behind `lens export`: whole articles with their annotations, and the schema version."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import AnalysisRun, Article


def load(session: Session, ids: Sequence[int]) -> list[Article]:
    """The articles (text included) with every annotation but mentions (quotations with their
    speakers and targets), in the order of ids."""
    query = (
        select(Article)
        .where(Article.id.in_(ids))
        .options(
            joinedload(Article.outlet),
            joinedload(Article.sentiment),
            selectinload(Article.author_links),
            selectinload(Article.topics),
            selectinload(Article.actors),
            selectinload(Article.quotations),
        )
    )
    by_id = {article.id: article for article in session.scalars(query)}
    return [by_id[i] for i in ids if i in by_id]


def runs(session: Session, run_ids: Sequence[int]) -> list[AnalysisRun]:
    return list(
        session.scalars(
            select(AnalysisRun).where(AnalysisRun.id.in_(run_ids)).order_by(AnalysisRun.id)
        )
    )


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at."""
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
