"""API keys: stored, found by the hash of a presented secret, listed, revoked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models import ApiKey, KeyScope


def add(
    session: Session, *, name: str, prefix: str, key_hash: str, scope: KeyScope, now: datetime
) -> ApiKey:
    key = ApiKey(name=name, prefix=prefix, key_hash=key_hash, scope=scope, created_at=now)
    session.add(key)
    session.flush()
    return key


def by_hash(session: Session, key_hash: str) -> ApiKey | None:
    """The key with this hash, revoked or not (the unique index makes it one probe)."""
    return session.scalars(select(ApiKey).where(ApiKey.key_hash == key_hash)).one_or_none()


def any_created(session: Session) -> bool:
    """Whether a key was ever created: revoked ones count, so revoking never opens the API."""
    return bool(session.scalar(select(exists().where(ApiKey.id.is_not(None)))))


def all_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.id)).all()


def by_id(session: Session, key_id: int) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def by_prefix(session: Session, prefix: str) -> Sequence[ApiKey]:
    """The keys whose shown prefix starts with ``prefix``."""
    return session.scalars(
        select(ApiKey).where(ApiKey.prefix.startswith(prefix, autoescape=True)).order_by(ApiKey.id)
    ).all()
