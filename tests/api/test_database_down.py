"""A database that is down is a 503 with Retry-After, and the service recovers on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.core.db import migrate
from app.main import create_app
from tests.api.test_errors import assert_problem
from tests.conftest import PostgresSchemas, article_payload, count_articles, make_settings


def test_sqlite_unreachable_then_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'not-yet' / 'lens.db'}"
    with TestClient(create_app(make_settings(url))) as client:
        down = client.post("/v1/articles", json=article_payload())
        body = assert_problem(down, 503)
        assert down.headers["retry-after"].isdigit()
        assert "sqlite" not in body["detail"].lower()
        ready = assert_problem(client.get("/readyz"), 503)
        assert ready["database"].startswith("unreachable")
        assert client.get("/healthz").status_code == 200

        # The database comes back: no restart needed.
        (tmp_path / "not-yet").mkdir()
        migrate(url)
        assert client.post("/v1/articles", json=article_payload()).status_code == 202
        assert client.get("/readyz").status_code == 200


def test_postgres_refusing_connections_is_503() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    with TestClient(create_app(make_settings(url))) as client:
        assert_problem(client.get("/v1/articles"), 503)
        assert_problem(client.get("/readyz"), 503)


@pytest.mark.postgres
def test_postgres_connections_dropped_are_replaced(postgres: PostgresSchemas) -> None:
    url = postgres.create()
    migrate(url)
    with TestClient(create_app(make_settings(url))) as client:
        assert client.post("/v1/articles", json=article_payload()).status_code == 202

        assert postgres.terminate_connections(url) >= 1  # as after a database restart

        assert client.get("/v1/articles").status_code == 200


def test_failed_commit_is_the_answer(
    client: TestClient, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose_connection(_session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(Session, "commit", lose_connection)

    # The commit runs before the response is sent: no 202 for an article that was not stored.
    assert_problem(client.post("/v1/articles", json=article_payload()), 503)
    monkeypatch.undo()
    assert count_articles(session_factory) == 0
