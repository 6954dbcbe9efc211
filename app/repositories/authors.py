"""Authors: get-or-create by normalised name."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Author
from app.models.keys import normalize_key, parse_id
from app.repositories._conflicts import insert_ignoring_conflicts


def ensure(session: Session, names: list[str]) -> list[int]:
    """Ids of the authors called ``names``, in order, one per distinct name; new ones created."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalize_key(name), name)
    if not by_key:
        return []
    # Sorted, so concurrent transactions take the unique-key locks in one order (no deadlock).
    session.execute(
        insert_ignoring_conflicts(session, Author).values(
            [{"name": name, "key": key} for key, name in sorted(by_key.items())]
        )
    )
    ids = dict(session.execute(select(Author.key, Author.id).where(Author.key.in_(by_key))).all())
    return [ids[key] for key in by_key]


def resolve(session: Session, term: str) -> frozenset[int]:
    """Authors a filter term names: the name in any case or spacing, or the id."""
    condition = Author.key == normalize_key(term)
    if (author_id := parse_id(term)) is not None:
        condition = or_(condition, Author.id == author_id)
    return frozenset(session.scalars(select(Author.id).where(condition)))


def get(session: Session, author_id: int) -> Author | None:
    return session.get(Author, author_id)
