"""Authors: lookups by id or name (creation: article_bulk)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Author
from app.models.keys import normalize_key, parse_id


def resolve(session: Session, term: str) -> frozenset[int]:
    """Authors a filter term names: the name in any case or spacing, or the id."""
    condition = Author.key == normalize_key(term)
    if (author_id := parse_id(term)) is not None:
        condition = or_(condition, Author.id == author_id)
    return frozenset(session.scalars(select(Author.id).where(condition)))


def get(session: Session, author_id: int) -> Author | None:
    return session.get(Author, author_id)
