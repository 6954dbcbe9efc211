"""Authors: get-or-create by normalised name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Author
from app.models.keys import normalize_key
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
