"""Fixtures of the fault tests: databases the tests may break, and a directory for the logs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import create_db_engine, create_session_factory, migrate
from tests.conftest import PostgresSchemas
from tests.faults.pg_cluster import PostgresCluster


@pytest.fixture
def pg_url(postgres: PostgresSchemas) -> str:
    """A fresh, migrated schema on the shared test PostgreSQL (LENS_TEST_DATABASE_URL)."""
    url = postgres.create()
    migrate(url)
    return url


@pytest.fixture
def pg_sessions(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = create_db_engine(pg_url)
    yield create_session_factory(engine)
    engine.dispose()


@pytest.fixture
def pg_cluster() -> Iterator[PostgresCluster]:
    """A running private PostgreSQL cluster (skipped without the server binaries)."""
    cluster = PostgresCluster.create()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
