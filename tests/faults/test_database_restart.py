"""The database crashes and comes back while clients post and query and a worker runs.

During the outage every answer is a 503 problem with Retry-After (no other 5xx); afterwards the
same API and worker processes serve and drain again, and every article answered 202 ends done.
A private cluster is used (tests/faults/pg_cluster.py): the shared server must stay up.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.core.db import migrate
from tests.faults.pg_cluster import PostgresCluster
from tests.faults.processes import (
    free_port,
    lens_env,
    start_api,
    start_worker,
    wait_for,
    wait_until_serving,
)

pytestmark = pytest.mark.faults


@dataclass
class Traffic:
    """What the clients saw: (time, status) per request, and the ids answered 202."""

    answers: list[tuple[float, str, int]] = field(default_factory=list)
    accepted: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response: httpx.Response) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), kind, response.status_code))
            if response.status_code >= 500 and not _is_unavailable_problem(response):
                self.problems.append(f"{kind} {response.status_code}: {response.text[:300]}")

    def statuses(self, kind: str, since: float = 0.0, until: float = float("inf")) -> set[int]:
        with self.lock:
            return {s for t, k, s in self.answers if k == kind and since <= t <= until}


def _is_unavailable_problem(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and response.headers.get("content-type") == "application/problem+json"
        and response.headers.get("retry-after", "").isdigit()
        and response.json()["status"] == 503
    )


def _poster(client: httpx.Client, traffic: Traffic, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        title = f"{threading.get_ident()}-{n}"
        response = client.post(
            "/v1/articles", json={"title": title, "text": f"Moscow and Beijing, take {title}."}
        )
        traffic.record("post", response)
        if response.status_code == 202:
            with traffic.lock:
                traffic.accepted[response.json()["id"]] = title
        stop.wait(0.05)


def _reader(client: httpx.Client, traffic: Traffic, stop: threading.Event) -> None:
    while not stop.is_set():
        traffic.record("search", client.get("/v1/articles", params={"q": "Moscow"}))
        traffic.record("search", client.get("/v1/articles", params={"status": "pending"}))
        stop.wait(0.02)


def test_database_crash_and_restart_under_load(pg_cluster: PostgresCluster, tmp_path: Path) -> None:
    migrate(pg_cluster.url)
    env = lens_env(pg_cluster.url, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = start_api("api", env, tmp_path, port)
    worker = start_worker("worker", env, tmp_path)
    traffic, stop = Traffic(), threading.Event()
    clients = [httpx.Client(base_url=base, timeout=15) for _ in range(3)]
    targets: list[Callable[[httpx.Client, Traffic, threading.Event], None]] = [
        _poster,
        _poster,
        _reader,
    ]
    threads = [
        threading.Thread(target=target, args=(client, traffic, stop))
        for target, client in zip(targets, clients, strict=True)
    ]
    try:
        wait_until_serving(base, api)
        for thread in threads:
            thread.start()
        wait_for(lambda: len(traffic.accepted) >= 10, timeout=20, what="articles accepted")

        pg_cluster.stop("immediate")
        down = time.monotonic()
        wait_for(lambda: 503 in traffic.statuses("post", since=down), timeout=10, what="a 503")
        time.sleep(2)
        assert _get(base, "/readyz").status_code == 503
        assert _get(base, "/healthz").status_code == 200
        up = time.monotonic()
        # every request sent once the outage was noticed is a 503, until the database is back
        assert traffic.statuses("post", since=down + 1, until=up) == {503}
        assert traffic.statuses("search", since=down + 1, until=up) == {503}

        pg_cluster.start()
        back = time.monotonic()
        wait_for(lambda: 202 in traffic.statuses("post", since=back), timeout=20, what="a 202")
        recovered = time.monotonic()
        time.sleep(3)  # traffic goes on against the recovered service
        stop.set()
        for thread in threads:
            thread.join(15)
        wait_for(
            lambda: _pending(pg_cluster) == 0,
            timeout=30,
            what="every article analysed",
            child=worker,
        )
        # ... as the API tells it, too
        assert _get(base, f"/v1/articles/{max(traffic.accepted)}").json()["status"] == "done"
        # the same processes recovered: neither exited
        assert api.process.poll() is None, api.output()
        assert worker.process.poll() is None, worker.output()
        worker.signal(signal.SIGTERM)
        assert worker.wait(15) == 0, worker.output()
    finally:
        stop.set()
        for client in clients:
            client.close()
        api.close()
        worker.close()

    assert traffic.problems == []
    # Recovered within seconds, with no restart; a stale pooled connection or two may still
    # answer 503 just after the database is back, but not for long.
    assert recovered - back < 10
    assert traffic.statuses("post", since=recovered + 1) == {202}
    assert traffic.statuses("search", since=recovered + 1) == {200}
    assert "database error, retrying" in worker.output()
    engine = create_engine(pg_cluster.url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT id, title, status FROM articles")).all()
    engine.dispose()
    # Every 202 is stored, as what was posted, and done; nothing is left behind in the queue.
    assert {i: title for i, title, _ in stored if i in traffic.accepted} == traffic.accepted
    assert {status for _, _, status in stored} == {"done"}


def _get(base: str, path: str) -> httpx.Response:
    return httpx.get(f"{base}{path}", timeout=10)


def _pending(cluster: PostgresCluster) -> int:
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(text("SELECT count(*) FROM articles WHERE status = 'pending'"))
            )
    finally:
        engine.dispose()
