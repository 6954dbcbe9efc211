"""A database error is answered by what caused it: a value the database refused is the client's
(422), a constraint a conflict (409), a lost connection or an overloaded database a 503 with
Retry-After, and anything else a 500 (a bug of ours, logged). Each class is provoked for real on
SQLite and on PostgreSQL, through a route added for the test and the app's own handlers.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from app.api.deps import SessionDep
from app.api.problems import classify_database_error
from app.core.config import Settings
from app.main import create_app
from tests.api.test_errors import assert_problem
from tests.conftest import make_settings, postgres_base_url

Action = Callable[[Session], None]


@pytest.fixture
def failing(settings: Settings) -> Iterator[Callable[[Action], TestClient]]:
    """A client whose GET /v1/fault runs ``action`` on the request's session."""
    clients: list[TestClient] = []

    def make(action: Action) -> TestClient:
        app = create_app(settings)

        @app.get("/v1/fault")
        def fault(session: SessionDep) -> dict[str, str]:
            action(session)
            return {}

        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _run(*statements: str, **params: Any) -> Action:
    def action(session: Session) -> None:
        for statement in statements:
            session.execute(text(statement), params)

    return action


def _backend(settings: Settings) -> str:
    return make_url(settings.database_url).get_backend_name()


_DATA = {
    # a NUL, refused by psycopg before it is sent (no SQLSTATE), and a cast (22P02)
    "postgresql": [_run("SELECT CAST(:v AS text)", v="a\x00b"), _run("SELECT CAST('x' AS int)")],
    # SQLITE_MISMATCH: a rowid that is not an integer
    "sqlite": [_run("CREATE TEMP TABLE t (x)", "INSERT INTO t (rowid) VALUES ('x')")],
}


def test_a_value_the_database_refuses_is_422(
    settings: Settings, failing: Callable[[Action], TestClient]
) -> None:
    for action in _DATA[_backend(settings)]:
        body = assert_problem(failing(action).get("/v1/fault"), 422)
        assert body["type"].endswith("unprocessable-value")
        assert "retry" not in body["detail"]
        assert "CAST" not in body["detail"]  # the driver's message stays in the log


def test_a_constraint_violation_is_409(
    settings: Settings, failing: Callable[[Action], TestClient]
) -> None:
    action = _run(
        "CREATE TEMP TABLE t (x int PRIMARY KEY)",
        "INSERT INTO t (x) VALUES (1)",
        "INSERT INTO t (x) VALUES (1)",
    )
    response = failing(action).get("/v1/fault")

    assert "retry-after" not in response.headers
    assert assert_problem(response, 409)["type"].endswith("conflict")


def _lose_connection(backend: str) -> Action:
    if backend == "postgresql":
        # the server ends this very connection, as a restart would
        return _run("SELECT pg_terminate_backend(pg_backend_pid())")
    # SQLite's outage is a file it cannot open (a volume gone, a directory removed)
    return _run(f"ATTACH DATABASE '/nonexistent-{uuid.uuid4().hex}/lens.db' AS gone")


def test_a_lost_database_is_503_with_retry_after(
    settings: Settings, failing: Callable[[Action], TestClient]
) -> None:
    response = failing(_lose_connection(_backend(settings))).get("/v1/fault")

    body = assert_problem(response, 503)
    assert response.headers["retry-after"].isdigit()
    assert body["detail"] == "The database is unavailable; retry shortly."


def _hold_write_lock(settings: Settings) -> sqlite3.Connection:
    database = make_url(settings.database_url).database
    assert database
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_busy_database_is_503_overloaded(
    settings: Settings, failing: Callable[[Action], TestClient]
) -> None:
    holder = None
    if _backend(settings) == "postgresql":
        action = _run("SET LOCAL statement_timeout = 50", "SELECT pg_sleep(2)")
    else:
        holder = _hold_write_lock(settings)
        action = _run("PRAGMA busy_timeout = 50", "CREATE TEMP TABLE t (x)", "DELETE FROM outlets")
    try:
        response = failing(action).get("/v1/fault")
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()

    body = assert_problem(response, 503)
    assert response.headers["retry-after"].isdigit()
    assert "overloaded" in body["detail"]


def test_a_wrong_statement_of_ours_is_500_not_503(
    settings: Settings, failing: Callable[[Action], TestClient]
) -> None:
    # SQLite reports a syntax error as an OperationalError, like a missing file: the code tells
    response = failing(_run("SELECT * FROM no_such_table")).get("/v1/fault")

    assert "retry-after" not in response.headers
    assert_problem(response, 500)


@pytest.mark.postgres
def test_too_many_connections_is_503_overloaded() -> None:
    base = postgres_base_url()
    role = f"lens_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0'))
    try:
        url = make_url(base).set(username=role).render_as_string(hide_password=False)
        with TestClient(create_app(make_settings(url))) as client:
            response = client.get("/v1/articles")
        body = assert_problem(response, 503)
        assert "overloaded" in body["detail"]
        assert response.headers["retry-after"].isdigit()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _wrapped(orig: BaseException, kind: type[Any] = OperationalError) -> Exception:
    error: Exception = kind("SELECT 1", {}, orig)
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_wrapped(psycopg.errors.lookup("22P02")("x"), DataError), "data"),
        (_wrapped(psycopg.errors.lookup("22021")("x"), DataError), "data"),
        (_wrapped(psycopg.errors.lookup("23505")("x"), IntegrityError), "conflict"),
        (_wrapped(psycopg.errors.lookup("08006")("x")), "unavailable"),
        (_wrapped(psycopg.errors.lookup("57P01")("x")), "unavailable"),
        (_wrapped(psycopg.errors.lookup("57P03")("x")), "unavailable"),
        (_wrapped(psycopg.errors.lookup("53300")("x")), "overloaded"),
        (_wrapped(psycopg.errors.lookup("57014")("x")), "overloaded"),
        (_wrapped(psycopg.errors.lookup("40001")("x")), "overloaded"),
        (_wrapped(psycopg.errors.lookup("42P01")("x")), "bug"),
        (_wrapped(psycopg.OperationalError("connection refused")), "unavailable"),
        (_wrapped(Exception("server closed the connection")), "unavailable"),
        (_wrapped(psycopg.DataError("NUL"), DataError), "data"),
        (PoolTimeoutError("QueuePool limit"), "overloaded"),
        (ValueError("not a database error"), "bug"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_every_postgres_class_is_classified(error: Exception, kind: str) -> None:
    assert classify_database_error(error) == kind
