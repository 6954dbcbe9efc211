"""INSERT ... ON CONFLICT DO NOTHING on both backends: the race-safe half of get-or-create."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.db import Base


def insert_ignoring_conflicts(session: Session, model: type[Base]) -> Insert:
    """An INSERT that skips rows violating a unique constraint instead of raising.

    A concurrent transaction inserting the same key makes PostgreSQL wait for its outcome, so a
    SELECT right after always finds the row, whoever inserted it.
    """
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        statement = postgresql.insert(model).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(model).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"unsupported database dialect: {dialect}")
    return statement  # type: ignore[no-any-return]
