"""API keys: random, stored only as a hash, found by that hash, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.errors import NotFoundError, RequestInvalidError
from app.models import ApiKey, KeyScope
from app.services import api_keys


def test_a_key_is_random_and_only_its_hash_is_stored(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        first = api_keys.create(session, "importer", KeyScope.write)
        second = api_keys.create(session, "importer", KeyScope.write)

    assert first.secret.startswith("lens_")
    assert len(first.secret) >= len("lens_") + 32
    assert first.secret != second.secret
    with session_factory() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.id == first.key.id)).one()
        stored = [str(getattr(row, column.key)) for column in ApiKey.__table__.columns]
    assert row.key_hash == hashlib.sha256(first.secret.encode()).hexdigest()
    assert not any(first.secret in value for value in stored)
    assert row.prefix == first.secret[5:13]


def test_authenticate_finds_the_key_by_hash_and_compares_in_constant_time(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory.begin() as session:
        created = api_keys.create(session, "dashboard", KeyScope.read)
    compared: list[tuple[str, str]] = []
    compare_digest = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)

    with session_factory.begin() as session:
        key = api_keys.authenticate(session, created.secret)
        assert key is not None
        assert key.id == created.key.id
        # A near miss (one character changed) has an unrelated hash: no row, no comparison.
        near_miss = created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")
        assert api_keys.authenticate(session, near_miss) is None

    digest = api_keys.hash_secret(created.secret)
    assert compared == [(digest, digest)]


def test_a_revoked_key_no_longer_authenticates(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        created = api_keys.create(session, "old", KeyScope.write)
    with session_factory.begin() as session:
        assert api_keys.revoke(session, api_keys.find(session, str(created.key.id)))
        assert not api_keys.revoke(session, api_keys.find(session, str(created.key.id)))
    with session_factory() as session:
        assert api_keys.authenticate(session, created.secret) is None
        assert api_keys.any_created(session)  # revoked keys still keep the API closed


def test_last_use_is_recorded_at_most_once_a_minute(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        created = api_keys.create(session, "busy", KeyScope.read)
    with session_factory.begin() as session:
        key = api_keys.authenticate(session, created.secret)
        assert key is not None
        first = key.last_used_at
    assert first is not None
    with session_factory.begin() as session:
        key = api_keys.authenticate(session, created.secret)
        assert key is not None
        assert key.last_used_at == first
        key.last_used_at = datetime.now(UTC) - timedelta(minutes=2)
    with session_factory.begin() as session:
        key = api_keys.authenticate(session, created.secret)
        assert key is not None
        assert key.last_used_at is not None
        assert key.last_used_at > first


def test_find_by_id_or_the_listed_prefix(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        created = api_keys.create(session, "ci", KeyScope.read)
        shown = api_keys.display_prefix(created.key)
    with session_factory() as session:
        for term in (str(created.key.id), shown, shown.rstrip("…"), created.key.prefix):
            assert api_keys.find(session, term).id == created.key.id
        with pytest.raises(NotFoundError, match="No API key has id 999"):
            api_keys.find(session, "999")
        with pytest.raises(NotFoundError):
            api_keys.find(session, "lens_%%%%")


def test_an_ambiguous_prefix_asks_for_an_id(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        for _ in range(2):
            key = api_keys.create(session, "twin", KeyScope.read).key
            key.prefix = "Same_Pre"
    with session_factory() as session, pytest.raises(RequestInvalidError, match="use an id"):
        api_keys.find(session, "Same_")


def test_a_key_needs_a_name(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, pytest.raises(RequestInvalidError, match="name"):
        api_keys.create(session, "  ", KeyScope.read)
