"""Webhooks sent by the worker loop to a real HTTP receiver on 127.0.0.1, on both databases.

Signatures verify with the `standardwebhooks` package's own verifier; a receiver that is down
and comes back gets every delivery (each id once after de-duplication); a worker that dies
mid-delivery loses nothing; 4xx other than 408/429 are not retried.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.core.config import Settings
from app.core.db import utcnow
from app.main import create_app
from app.models import Delivery, DeliveryState
from app.services import deliveries, webhooks
from app.worker import Worker
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer
from tests.webhook_receiver import Receiver


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, webhook_allow_private=True, webhook_timeout_seconds=2)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def worker(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> Worker:
    return Worker(session_factory, analyzer, settings, owner="worker-a")


def _ingest(client: TestClient, text: str, **overrides: Any) -> int:
    response = client.post("/v1/articles", json=article_payload(text=text, **overrides))
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def _subscribe(client: TestClient, drain: Callable[[], int], url: str) -> dict[str, Any]:
    _ingest(client, "India and China met.")  # India is known: the filter may name it
    drain()
    response = client.post(
        "/v1/subscriptions",
        json={"name": "India", "filters": {"actor": ["India"]}, "webhook": {"url": url}},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _states(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return [s.value for s in session.scalars(select(Delivery.state).order_by(Delivery.id))]


def _event_ids(factory: sessionmaker[Session]) -> set[str]:
    with factory() as session:
        return set(session.scalars(select(Delivery.event_id)))


def _due_now(factory: sessionmaker[Session]) -> None:
    """Fast-forward: every pending delivery's next attempt is now (keeps real timestamps, which
    the verifier checks within five minutes)."""
    with factory.begin() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.state == DeliveryState.pending)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def test_a_match_arrives_signed_and_verifies(
    client: TestClient,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
) -> None:
    secret = _subscribe(client, drain, receiver.url)["secret"]
    article = _ingest(
        client, "India is a great partner. China is a threat.", title="Partners", url=None
    )
    drain()

    assert worker.deliver_once() == 1
    (request,) = receiver.received
    payload = Webhook(secret).verify(request.body, request.headers)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["webhook-signature"].startswith("v1,")
    assert payload["type"] == "article.matched"
    data = payload["data"]
    assert data["link"] == f"/v1/articles/{article}"
    assert data["article"]["title"] == "Partners"
    assert data["article"]["outlet"] == "China Daily"
    assert [a["name"] for a in data["article"]["matched_actors"]] == ["India"]
    assert data["article"]["matched_actors"][0]["sentiment"]["label"] == "positive"
    assert {a["name"] for a in data["article"]["actors"]} == {"India", "China"}
    assert data["article"]["topics"]
    with pytest.raises(Exception, match="signature"):
        Webhook(webhooks.SECRET_PREFIX + "AAAA" + secret[10:]).verify(request.body, request.headers)
    assert worker.deliver_once() == 0  # delivered: not sent again


def test_receiver_down_then_up_every_delivery_arrives_once(
    client: TestClient,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    secret = _subscribe(client, drain, receiver.url)["secret"]
    receiver.stop()  # down: connections are refused
    for i in range(6):
        _ingest(client, f"India is a great partner, part {i}.")
    drain()

    start = utcnow()
    assert worker.deliver_once() == 6
    assert _states(session_factory) == ["pending"] * 6
    with session_factory() as session:
        rows = session.scalars(select(Delivery)).all()
    for row in rows:
        assert row.attempts == 1
        assert row.log[0]["status"] is None
        assert "connection" in row.log[0]["error"]
        assert row.next_attempt_at is not None
        # the first retry within a minute
        assert start + timedelta(seconds=19) < row.next_attempt_at < start + timedelta(minutes=1)
    assert worker.deliver_once() == 0  # not due yet

    _due_now(session_factory)
    receiver.status = 503  # up, but failing
    receiver.start()
    assert worker.deliver_once() == 6
    assert _states(session_factory) == ["pending"] * 6

    receiver.status = 204
    _due_now(session_factory)
    assert worker.deliver_once() == 6
    assert _states(session_factory) == ["delivered"] * 6

    ids = receiver.ids()
    assert len(ids) == 12  # at least once: the 503 answers count too
    assert set(ids) == _event_ids(session_factory)
    delivered = {}
    for request in receiver.received:  # what a receiver keeps after de-duplication by id
        delivered.setdefault(request.headers["webhook-id"], Webhook(secret).verify(
            request.body, request.headers
        ))  # fmt: skip
    assert len(delivered) == 6
    page = client.get("/v1/subscriptions/1/deliveries").json()
    assert [len(d["log"]) for d in page["items"]] == [3] * 6
    assert [e["status"] for e in page["items"][0]["log"]] == [None, 503, 204]


def test_a_worker_killed_mid_delivery_loses_nothing(
    client: TestClient,
    settings: Settings,
    analyzer: FakeAnalyzer,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    _subscribe(client, drain, receiver.url)
    for i in range(3):
        _ingest(client, f"India is a great partner, part {i}.")
    drain()

    # worker A claims the batch, sends it, and dies before recording anything
    now = utcnow()
    with session_factory.begin() as session:
        batch = deliveries.claim(session, settings, owner="a", now=now)
    assert len(batch) == 3
    deliveries.send(settings, batch[:1], now)  # one got through before the crash

    # worker B: nothing to claim while A's lease holds, all of it once the lease runs out
    later = [now]
    b = Worker(session_factory, analyzer, settings, owner="b", clock=lambda: later[0])
    assert b.deliver_once() == 0
    later[0] = now + timedelta(hours=1)
    with session_factory.begin() as session:  # B's sends are signed with a real timestamp
        session.execute(update(Delivery).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    later[0] = utcnow()
    assert b.deliver_once() == 3
    assert _states(session_factory) == ["delivered"] * 3

    # A comes back and records its old outcome: its lease is gone, nothing changes
    stale = deliveries.send(settings, batch, now)
    with session_factory.begin() as session:
        assert deliveries.record(session, stale, owner="a", now=now) == 0
    assert _states(session_factory) == ["delivered"] * 3
    assert set(receiver.ids()) == _event_ids(session_factory)


@pytest.mark.parametrize(
    ("status", "retried"), [(400, False), (404, False), (408, True), (429, True), (500, True)]
)
def test_only_timeouts_5xx_408_and_429_are_retried(
    client: TestClient,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
    status: int,
    retried: bool,
) -> None:
    _subscribe(client, drain, receiver.url)
    _ingest(client, "India is a great partner.")
    drain()
    receiver.status = status

    worker.deliver_once()

    assert _states(session_factory) == ["pending" if retried else "failed"]


def test_a_failed_delivery_can_be_resent_with_the_same_id(
    client: TestClient,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    created = _subscribe(client, drain, receiver.url)
    _ingest(client, "India is a great partner.")
    drain()
    receiver.status = 410
    worker.deliver_once()
    (failed,) = client.get(f"/v1/subscriptions/{created['id']}/deliveries").json()["items"]
    assert failed["state"] == "failed"

    receiver.status = 200
    response = client.post(f"/v1/subscriptions/{created['id']}/deliveries/{failed['id']}/resend")
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "pending"
    worker.deliver_once()

    assert _states(session_factory) == ["delivered"]
    assert receiver.ids() == [failed["event_id"]] * 2


def test_attempts_run_out_after_more_than_a_day(
    client: TestClient,
    worker: Worker,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    receiver = Receiver().start()
    receiver.stop()  # a port nothing listens on any more
    _subscribe(client, drain, receiver.url)
    _ingest(client, "India is a great partner.")
    drain()

    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        assert worker.deliver_once() == 1
        with session_factory() as session:
            row = session.scalars(select(Delivery)).one()
        assert row.attempts == attempt
        assert (row.next_attempt_at is None) == (attempt == webhooks.MAX_ATTEMPTS)
        _due_now(session_factory)
    assert _states(session_factory) == ["failed"]
    assert worker.deliver_once() == 0


def test_the_backoff_spreads_the_retries_over_more_than_a_day() -> None:
    rng = random.Random(7)
    for _ in range(200):
        delays = [webhooks.retry_delay(n, rng) for n in range(1, webhooks.MAX_ATTEMPTS)]
        assert delays[0] < timedelta(minutes=1)
        assert sum(delays, timedelta()) >= timedelta(hours=24)
        assert all(a < b * 3.76 for a, b in zip(delays[1:], delays, strict=False))
    lows = [webhooks.retry_delay(1, random.Random(seed)) for seed in range(50)]
    assert len(set(lows)) > 1  # jitter


def test_private_destinations_are_refused_when_sending(
    database_url: str,
    client: TestClient,
    analyzer: FakeAnalyzer,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    # saved while allowed; the server then stops allowing private destinations
    _subscribe(client, drain, receiver.url.replace("127.0.0.1", "localhost"))
    _ingest(client, "India is a great partner.")
    drain()
    strict = make_settings(database_url)
    Worker(session_factory, analyzer, strict).deliver_once()

    assert receiver.received == []
    with session_factory() as session:
        row = session.scalars(select(Delivery)).one()
    assert row.state is DeliveryState.failed
    assert "LENS_WEBHOOK_ALLOW_PRIVATE" in (row.last_error or "")


def test_redirects_are_not_followed(
    client: TestClient,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    _subscribe(client, drain, receiver.url)
    _ingest(client, "India is a great partner.")
    drain()
    receiver.status = 307

    worker.deliver_once()

    with session_factory() as session:
        row = session.scalars(select(Delivery)).one()
    assert row.state is DeliveryState.failed
    assert row.last_error == "redirects are not followed"
    assert len(receiver.received) == 1
    assert json.loads(receiver.received[0].body)["type"] == "article.matched"


def test_end_to_end_the_embedded_worker_pushes_a_new_match(
    database_url: str, session_factory: sessionmaker[Session], receiver: Receiver
) -> None:
    """The issue's "done when": a search saved, a matching article ingested, a signed POST."""
    settings = make_settings(
        database_url, embedded_worker=True, webhook_allow_private=True, worker_poll_seconds=0.05
    )
    app = create_app(settings, load_analyzer=lambda _settings: FakeAnalyzer())
    with TestClient(app) as client:
        _ingest(client, "India and China met.")
        _wait(lambda: client.get("/v1/actors", params={"q": "india"}).json()["items"] != [])
        secret = client.post(
            "/v1/subscriptions",
            json={
                "name": "India",
                "filters": {"actor": ["India"]},
                "webhook": {"url": receiver.url},
            },
        ).json()["secret"]
        article = _ingest(client, "India is a great partner.")
        _wait(lambda: len(receiver.received) == 1)
    payload = Webhook(secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert payload["data"]["article"]["id"] == article


def _wait(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_delivery_whose_workers_keep_dying_ends_failed(
    client: TestClient,
    settings: Settings,
    worker: Worker,
    receiver: Receiver,
    drain: Callable[[], int],
    session_factory: sessionmaker[Session],
) -> None:
    _subscribe(client, drain, receiver.url)
    _ingest(client, "India is a great partner.")
    drain()
    for _ in range(webhooks.MAX_ATTEMPTS):
        with session_factory.begin() as session:
            assert len(deliveries.claim(session, settings, owner="doomed", now=utcnow())) == 1
            session.execute(
                update(Delivery).values(lease_expires_at=utcnow() - timedelta(seconds=1))
            )

    assert worker.deliver_once() == 0
    with session_factory() as session:
        row = session.scalars(select(Delivery)).one()
    assert row.state is DeliveryState.failed
    assert row.last_error == "no outcome was recorded within its lease"
    assert receiver.received == []
