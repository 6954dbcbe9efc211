"""API keys: made at random, stored as hashes, checked against a presented secret, revoked.

A key is ``lens_`` and 43 URL-safe characters (256 random bits). Only its sha256 is stored: a
leaked database gives no usable key, and because the secret is random a fast hash is as good as
a slow one. A presented key is found by its hash, so its characters are never compared with a
stored secret; the final equality check is constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.errors import NotFoundError, RequestInvalidError
from app.models import ApiKey, KeyScope
from app.repositories import api_keys

KEY_TAG = "lens_"
PREFIX_LENGTH = 8
# last_used_at is refreshed at most this often: a write per request would serialise SQLite.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(key: ApiKey) -> str:
    """How a key is shown in listings: ``lens_AbCd1234…``."""
    return f"{KEY_TAG}{key.prefix}…"


def create(session: Session, name: str, scope: KeyScope) -> CreatedKey:
    name = name.strip()
    if not name:
        raise RequestInvalidError("A key needs a name, e.g. the client that will use it.")
    secret = KEY_TAG + secrets.token_urlsafe(32)
    key = api_keys.add(
        session,
        name=name,
        prefix=secret[len(KEY_TAG) : len(KEY_TAG) + PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        scope=scope,
        now=datetime.now(UTC),
    )
    return CreatedKey(key, secret)


def authenticate(session: Session, secret: str) -> ApiKey | None:
    """The active key whose secret this is, its use recorded; None for any other string."""
    digest = hash_secret(secret)
    key = api_keys.by_hash(session, digest)
    if key is None or not hmac.compare_digest(key.key_hash, digest) or not key.active:
        return None
    now = datetime.now(UTC)
    if key.last_used_at is None or now - key.last_used_at >= _TOUCH_EVERY:
        key.last_used_at = now
    return key


def any_created(session: Session) -> bool:
    return api_keys.any_created(session)


def list_keys(session: Session) -> Sequence[ApiKey]:
    return api_keys.all_keys(session)


def find(session: Session, id_or_prefix: str) -> ApiKey:
    """A key by id, or by the prefix a listing shows (with or without ``lens_`` and ``…``)."""
    term = id_or_prefix.strip()
    if term.isdigit():
        key = api_keys.by_id(session, int(term))
        if key is None:
            raise NotFoundError(f"No API key has id {term}.")
        return key
    prefix = term.removeprefix(KEY_TAG).rstrip("…")[:PREFIX_LENGTH]
    found = api_keys.by_prefix(session, prefix) if prefix else []
    if not found:
        raise NotFoundError(f"No API key has the prefix {term!r}.")
    if len(found) > 1:
        ids = ", ".join(str(key.id) for key in found)
        raise RequestInvalidError(f"Several API keys have the prefix {term!r}: use an id ({ids}).")
    return found[0]


def revoke(session: Session, key: ApiKey) -> bool:
    """Revoke ``key`` now; False if it already was."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    session.flush()
    return True
