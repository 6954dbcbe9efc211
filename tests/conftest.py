"""Fixtures: a real database per backend, built by the migrations, emptied before each test.

SQLite always runs. PostgreSQL runs too when LENS_TEST_DATABASE_URL points at one: each test
session gets its own schema there (so concurrent runs never collide), dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import Base, create_db_engine, create_session_factory, migrate
from app.main import create_app
from app.models import Article
from app.worker import Worker
from tests.fakes import FakeAnalyzer

POSTGRES_ENV = "LENS_TEST_DATABASE_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "")
    if not url.startswith("postgresql"):
        pytest.skip(f"{POSTGRES_ENV} does not point at PostgreSQL")
    return url


def postgres_schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search_path set to ``schema``."""
    url = make_url(base).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


class PostgresSchemas:
    """Creates throw-away schemas in the test database and drops them afterwards."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self._schemas: list[str] = []

    def create(self) -> str:
        schema = f"lens_test_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        self._schemas.append(schema)
        return postgres_schema_url(self.base, schema)

    def terminate_connections(self, url: str) -> int:
        """Kill the server side of every connection to ``url``'s schema (a database restart)."""
        name = make_url(url).query["application_name"]
        with self._admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
            )

    def drop_all(self) -> None:
        with self._admin.connect() as connection:
            for schema in self._schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresSchemas]:
    schemas = PostgresSchemas(postgres_base_url())
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def fresh_database_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Callable[[str], str]:
    """Makes an empty database of the given backend, not yet migrated."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / "lens.db"
            return f"sqlite:///{path}"
        schemas: PostgresSchemas = request.getfixturevalue("postgres")
        return schemas.create()

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]) -> str:
    """A database of each backend, migrated to head once per test session."""
    url = fresh_database_url(request.param)
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on an emptied database."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    return create_session_factory(engine)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Test settings: no .env file, no embedded worker unless asked, a fast poll."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "embedded_worker": False,
        "worker_poll_seconds": 0.05,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def analyzer() -> FakeAnalyzer:
    return FakeAnalyzer()


@pytest.fixture
def drain(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> Callable[[], int]:
    """Runs a worker until the queue is empty; returns how many articles it settled."""

    def run() -> int:
        worker = Worker(session_factory, analyzer, settings)
        total = 0
        while handled := worker.run_once():
            total += handled
        return total

    return run


def count_articles(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


def article_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Moscow and Beijing after Anchorage",
        "text": "Moscow and Beijing drew closer. Washington sees a threat.",
        "outlet": "China Daily",
        "authors": ["Dmitri Trenin"],
        "published": "2021-03-22",
        "url": f"https://example.com/{uuid.uuid4().hex}",
        "language": "en",
        "genre": "opinion",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}
