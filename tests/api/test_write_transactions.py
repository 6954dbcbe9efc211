"""Concurrent writes through the API: each write transaction runs and commits in one thread call.

On SQLite a transaction left open between FastAPI's thread-pool calls held the single write lock
without a thread, and under load other requests timed out on it ("database is locked", 503).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import write_transaction
from app.core.config import Settings
from app.main import create_app
from app.models import Outlet
from tests.conftest import article_payload, count_articles


def _post_concurrently(
    test_client: TestClient, requests: list[tuple[str, dict[str, Any]]]
) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(len(requests))

    def post(path: str, body: dict[str, Any]) -> None:
        barrier.wait()
        statuses.append(test_client.post(path, json=body).status_code)

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_writers_never_wait_on_the_database_lock(
    settings: Settings,
    session_factory: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A busy timeout of 1 ms: a request that had to wait for SQLite's write lock would fail
    # with "database is locked" (503). Writers queue in the process instead, so none waits.
    monkeypatch.setattr("app.core.db._SQLITE_BUSY_TIMEOUT_MS", 1)
    engine.dispose()  # new connections take the setting
    singles = [
        ("/v1/articles", article_payload(url=f"https://example.org/{i}", text=f"Text {i}."))
        for i in range(24)
    ]
    batches = [
        (
            "/v1/articles/batch",
            {
                "articles": [
                    article_payload(url=f"https://example.org/b{i}-{j}", text=f"B {i} {j}.")
                    for j in range(5)
                ]
            },
        )
        for i in range(8)
    ]
    try:
        with TestClient(create_app(settings)) as test_client:
            statuses = _post_concurrently(test_client, singles + batches)
    finally:
        monkeypatch.undo()
        engine.dispose()

    assert sorted(statuses) == [202] * 32
    assert count_articles(session_factory) == 24 + 8 * 5


def test_write_transaction_commits_and_serialises_on_sqlite(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    order: list[str] = []
    first_inside = threading.Event()
    release_first = threading.Event()

    def first() -> None:
        with session_factory() as session, write_transaction(session):
            session.add(Outlet(name="First", key="first"))
            session.flush()
            order.append("first in")
            first_inside.set()
            release_first.wait(5)
            order.append("first out")

    def second() -> None:
        first_inside.wait(5)
        with session_factory() as session, write_transaction(session):
            order.append("second in")
            session.add(Outlet(name="Second", key="second"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inside.wait(5)
    threading.Event().wait(0.2)  # time for the second to reach the lock (or not)
    release_first.set()
    for thread in threads:
        thread.join()

    if engine.dialect.name == "sqlite":
        assert order == ["first in", "first out", "second in"]
    else:  # PostgreSQL writes concurrently: no process lock
        assert order == ["first in", "second in", "first out"]
    with session_factory() as session:
        assert sorted(session.scalars(select(Outlet.key))) == ["first", "second"]


def test_write_transaction_rolls_back_on_error_and_frees_the_lock(
    session_factory: sessionmaker[Session],
) -> None:
    def failing_route() -> None:
        with session_factory() as session, write_transaction(session):
            session.add(Outlet(name="Lost", key="lost"))
            session.flush()
            raise RuntimeError("the route failed")

    with pytest.raises(RuntimeError):
        failing_route()

    with session_factory() as session, write_transaction(session):
        session.add(Outlet(name="Kept", key="kept"))
    with session_factory() as session:
        assert list(session.scalars(select(Outlet.key))) == ["kept"]
