"""Topics as stored on articles: lookups by code or label, and article counts per topic."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import ArticleTopic


def codes_named(session: Session, term: str, *, by_label: bool) -> frozenset[str]:
    """Stored topic codes equal to ``term`` (as given or lowercase), or, with ``by_label``, whose
    code or label is ``term`` in any case (a scan: only when nothing else matched)."""
    term = term.strip()
    exact = session.scalars(
        select(ArticleTopic.code).where(ArticleTopic.code.in_({term, term.lower()})).distinct()
    )
    found = frozenset(exact)
    if found or not by_label:
        return found
    needle = term.casefold()
    rows = session.scalars(
        select(ArticleTopic.code)
        .where(
            or_(func.lower(ArticleTopic.code) == needle, func.lower(ArticleTopic.label) == needle)
        )
        .distinct()
    )
    return frozenset(rows)


def counts(session: Session) -> dict[str, int]:
    """Code -> number of articles (read from the (code, article_id) index alone)."""
    rows = session.execute(select(ArticleTopic.code, func.count()).group_by(ArticleTopic.code))
    return {code: int(n) for code, n in rows}


def label_of(session: Session, code: str) -> tuple[str, str | None]:
    """A label the code is stored with, and its parent (None for a top-level topic)."""
    row = session.execute(
        select(ArticleTopic.label, ArticleTopic.parent).where(ArticleTopic.code == code).limit(1)
    ).first()
    return (row[0] or code, row[1]) if row else (code, None)
