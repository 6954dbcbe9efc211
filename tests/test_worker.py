"""The worker: leases, expiry, retries, failures, exactly-once writes, re-analysis, stopping."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analysis
from app.core.config import Settings
from app.core.db import create_db_engine, create_session_factory, utcnow
from app.models import Actor, AnalysisRun, Article, ArticleActor, ArticleStatus, Mention
from app.repositories import queue
from app.schemas.ingest import ArticleIn
from app.services import ingest
from app.worker import Worker
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer


def add_articles(session_factory: sessionmaker[Session], *texts: str) -> list[int]:
    with session_factory() as session, session.begin():
        return [
            ingest.ingest_one(session, make_settings("sqlite://"), ArticleIn(text=text)).id
            for text in texts
        ]


def article(session_factory: sessionmaker[Session], article_id: int) -> Article:
    with session_factory() as session:
        return session.get_one(Article, article_id)


def count(session_factory: sessionmaker[Session], model: type, **where: object) -> int:
    with session_factory() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return session.scalar(query) or 0


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def test_worker_annotates_pending_articles(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> None:
    ids = add_articles(session_factory, "Moscow met Beijing.", "India talked to NATO about trade.")

    assert Worker(session_factory, analyzer, settings).run_once() == 2

    for article_id in ids:
        stored = article(session_factory, article_id)
        assert (stored.status, stored.attempts, stored.lease_owner) == (ArticleStatus.done, 1, None)
        assert stored.analysis_run_id is not None
        assert stored.analyzed_at is not None
    assert analyzer.batches == [2]
    assert count(session_factory, Mention) == 4
    assert count(session_factory, ArticleActor, article_id=ids[1]) == 2
    assert Worker(session_factory, analyzer, settings).run_once() == 0


def test_claim_leases_a_batch_to_one_worker(
    session_factory: sessionmaker[Session], database_url: str, analyzer: FakeAnalyzer
) -> None:
    add_articles(session_factory, *(f"Text {i}." for i in range(5)))
    settings = make_settings(database_url, worker_batch_size=3, worker_lease_seconds=60)
    first, second = (Worker(session_factory, analyzer, settings) for _ in range(2))

    claimed_first, _ = first.claim()
    claimed_second, _ = second.claim()

    assert len(claimed_first) == 3
    assert len(claimed_second) == 2
    assert not {c.article_id for c in claimed_first} & {c.article_id for c in claimed_second}
    leased = article(session_factory, claimed_first[0].article_id)
    assert leased.lease_owner == first.owner
    assert leased.attempts == 1
    assert leased.lease_expires_at is not None
    assert timedelta(seconds=59) < leased.lease_expires_at - utcnow() <= timedelta(seconds=60)
    assert second.claim() == ([], 0)


def test_expired_lease_is_taken_over_and_the_old_worker_cannot_write(
    session_factory: sessionmaker[Session], database_url: str, analyzer: FakeAnalyzer
) -> None:
    (article_id,) = add_articles(session_factory, "Moscow and Beijing.")
    settings = make_settings(database_url, worker_lease_seconds=30)
    clock = Clock()
    crashed = Worker(session_factory, analyzer, settings, clock=clock)
    rescuer = Worker(session_factory, analyzer, settings, clock=clock)
    stale_batch, _ = crashed.claim()

    assert rescuer.claim() == ([], 0)  # lease still valid
    clock.now += timedelta(seconds=31)
    assert rescuer.run_once() == 1

    # The first worker wakes up and tries to store its (stale) results: nothing changes.
    results, errors = crashed.analyze(stale_batch)
    crashed.store(results, errors)

    stored = article(session_factory, article_id)
    assert stored.status == ArticleStatus.done
    assert stored.attempts == 2
    assert count(session_factory, Mention) == 2
    assert count(session_factory, ArticleActor) == 2


def test_failing_article_is_retried_then_marked_failed(
    session_factory: sessionmaker[Session], database_url: str, analyzer: FakeAnalyzer
) -> None:
    good_id, bad_id = add_articles(
        session_factory, "Moscow and Beijing.", "This one FAIL-ME always."
    )
    worker = Worker(session_factory, analyzer, make_settings(database_url, max_attempts=2))

    assert worker.run_once() == 2
    # The batch failed as a whole, so each text was retried alone: only the bad one is charged.
    assert analyzer.batches == [2, 1, 1]
    good, bad = article(session_factory, good_id), article(session_factory, bad_id)
    assert (good.status, good.attempts) == (ArticleStatus.done, 1)
    assert (bad.status, bad.attempts, bad.lease_owner) == (ArticleStatus.pending, 1, None)
    assert bad.last_error == "RuntimeError: the model choked on this text"

    assert worker.run_once() == 1
    bad = article(session_factory, bad_id)
    assert (bad.status, bad.attempts) == (ArticleStatus.failed, 2)
    assert "choked" in (bad.last_error or "")
    assert worker.run_once() == 0


def test_failed_article_shows_its_error_in_the_api(
    client: TestClient,
    session_factory: sessionmaker[Session],
    database_url: str,
    analyzer: FakeAnalyzer,
) -> None:
    (bad_id,) = add_articles(session_factory, "FAIL-ME now.")
    Worker(session_factory, analyzer, make_settings(database_url, max_attempts=1)).run_once()

    body = client.get(f"/v1/articles/{bad_id}").json()

    assert body["status"] == "failed"
    assert body["attempts"] == 1
    assert body["last_error"] == "RuntimeError: the model choked on this text"


def test_worker_that_keeps_dying_exhausts_attempts(
    session_factory: sessionmaker[Session], database_url: str, analyzer: FakeAnalyzer
) -> None:
    (article_id,) = add_articles(session_factory, "Crashes the process.")
    settings = make_settings(database_url, max_attempts=2, worker_lease_seconds=10)
    clock = Clock()
    for _ in range(2):  # claimed, then the worker dies and the lease runs out
        assert len(Worker(session_factory, analyzer, settings, clock=clock).claim()[0]) == 1
        clock.now += timedelta(seconds=11)

    assert Worker(session_factory, analyzer, settings, clock=clock).claim() == ([], 1)

    stored = article(session_factory, article_id)
    assert stored.status == ArticleStatus.failed
    assert stored.last_error == "analysis did not finish within its lease"


class _BrokenAnalyzer(FakeAnalyzer):
    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        results = super().analyze(texts)
        # a mention pointing past the end of the text breaks the contract
        return [
            r if "fine" in t else _shift_mentions(r, 1000)
            for r, t in zip(results, texts, strict=True)
        ]


def _shift_mentions(analysis: Analysis, by: int) -> Analysis:
    actors = tuple(
        replace(
            a, mentions=tuple(replace(m, start=m.start + by, end=m.end + by) for m in a.mentions)
        )
        for a in analysis.actors
    )
    return replace(analysis, actors=actors)


def test_analysis_breaking_the_contract_is_charged_not_stored(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    ok_id, broken_id = add_articles(session_factory, "Moscow fine.", "Moscow broken.")

    Worker(session_factory, _BrokenAnalyzer(), settings).run_once()

    assert article(session_factory, ok_id).status == ArticleStatus.done
    broken = article(session_factory, broken_id)
    assert broken.status == ArticleStatus.pending
    assert "outside the text" in (broken.last_error or "")
    assert count(session_factory, Mention, article_id=broken_id) == 0


def test_reanalysis_replaces_annotations(
    session_factory: sessionmaker[Session], settings: Settings, client: TestClient
) -> None:
    (article_id,) = add_articles(session_factory, "Moscow and Beijing. Washington and NATO.")
    Worker(session_factory, FakeAnalyzer(version="1"), settings).run_once()
    with session_factory() as session, session.begin():
        assert queue.requeue(session, statuses=[ArticleStatus.done]) == 1

    # Until the new analysis lands, the old annotations stay visible.
    assert len(client.get(f"/v1/articles/{article_id}").json()["actors"]) == 4
    Worker(
        session_factory, FakeAnalyzer(version="2", ignore=frozenset({"org:nato"})), settings
    ).run_once()

    body = client.get(f"/v1/articles/{article_id}").json()
    assert body["status"] == "done"
    assert body["analysis_run"]["models"] == {"fake": "fake-analyzer@2"}
    assert {a["key"] for a in body["actors"]} == {"country:RUS", "country:CHN", "country:USA"}
    assert count(session_factory, Mention) == 3
    assert count(session_factory, ArticleActor) == 3
    # Actors are shared across articles: they outlive the annotations that found them.
    assert count(session_factory, Actor) == 4


def test_stop_releases_the_claimed_batch(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> None:
    (article_id,) = add_articles(session_factory, "Moscow.")
    stop = threading.Event()
    stop.set()

    assert Worker(session_factory, analyzer, settings).run_once(stop) == 0

    stored = article(session_factory, article_id)
    assert (stored.status, stored.attempts, stored.lease_owner) == (ArticleStatus.pending, 0, None)
    assert analyzer.calls == Counter()


def test_run_loop_drains_and_stops(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> None:
    ids = add_articles(session_factory, *(f"Moscow {i}." for i in range(3)))
    stop = threading.Event()
    thread = threading.Thread(target=Worker(session_factory, analyzer, settings).run, args=(stop,))
    thread.start()
    try:
        for _ in range(200):
            if all(article(session_factory, i).status == ArticleStatus.done for i in ids):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)

    assert not thread.is_alive()
    assert all(article(session_factory, i).status == ArticleStatus.done for i in ids)


@pytest.mark.postgres
def test_two_workers_annotate_every_article_exactly_once(
    session_factory: sessionmaker[Session], database_url: str, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SQLite has a single writer)")
    texts = [f"Article {i}: Moscow, Beijing and NATO met in India." for i in range(60)]
    ids = add_articles(session_factory, *texts)
    analyzer = FakeAnalyzer(delay=0.01)
    settings = make_settings(database_url, worker_batch_size=4)
    # Each worker has its own engine, as it would in its own process.
    engines = [create_db_engine(database_url) for _ in range(2)]
    workers = [Worker(create_session_factory(e), analyzer, settings) for e in engines]
    start = threading.Barrier(2)
    handled: Counter[str] = Counter()

    def drain(worker: Worker) -> None:
        start.wait()
        while n := worker.run_once():
            handled[worker.owner] += n

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for e in engines:
        e.dispose()

    assert all(analyzer.calls[text] == 1 for text in texts), analyzer.calls
    assert sum(handled.values()) == len(texts)
    assert len(handled) == 2
    assert count(session_factory, Article, status=ArticleStatus.done) == len(ids)
    assert count(session_factory, Mention) == 4 * len(ids)
    assert count(session_factory, ArticleActor) == 4 * len(ids)
    assert count(session_factory, Actor) == 4


def test_lease_is_checked_on_the_final_update(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> None:
    (article_id,) = add_articles(session_factory, "Moscow.")
    worker = Worker(session_factory, analyzer, settings)
    batch, _ = worker.claim()
    with session_factory() as session, session.begin():
        session.execute(update(Article).values(lease_owner="someone-else"))

    worker.store(*worker.analyze(batch))

    assert article(session_factory, article_id).status == ArticleStatus.pending
    assert count(session_factory, Mention) == 0


def test_drain_helper(drain: Callable[[], int], session_factory: sessionmaker[Session]) -> None:
    add_articles(session_factory, "One.", "Two.")

    assert drain() == 2


def test_worker_recovers_when_its_cached_run_row_is_gone(
    session_factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer
) -> None:
    # As after a failover to a replica that never received the run row the worker committed
    # (found by tests/faults/test_database_restart.py with asynchronous commit on).
    worker = Worker(session_factory, analyzer, settings)
    add_articles(session_factory, "Moscow.")
    assert worker.run_once() == 1
    with session_factory() as session, session.begin():
        session.execute(update(Article).values(analysis_run_id=None))
        session.execute(delete(AnalysisRun))
    (article_id,) = add_articles(session_factory, "Beijing.")

    with pytest.raises(IntegrityError):
        worker.run_once()  # the cached run id points nowhere: this batch's store fails ...
    with session_factory() as session, session.begin():
        session.execute(update(Article).values(lease_expires_at=None, lease_owner=None))
    assert worker.run_once() == 1  # ... and the next one records the run again

    stored = article(session_factory, article_id)
    assert stored.status == ArticleStatus.done
    assert count(session_factory, AnalysisRun) == 1


def test_the_worker_gives_the_analysis_each_articles_title(
    client: TestClient, drain: Callable[[], int], analyzer: FakeAnalyzer
) -> None:
    payload = article_payload(title="Lavrov flies to Beijing", text="Lavrov arrived on Monday.")
    assert client.post("/v1/articles", json=payload).status_code == 202
    untitled = article_payload(text="Nobody titled this one.")
    del untitled["title"]
    assert client.post("/v1/articles", json=untitled).status_code == 202

    assert drain() == 2
    assert analyzer.titles == {
        "Lavrov arrived on Monday.": "Lavrov flies to Beijing",
        "Nobody titled this one.": None,
    }
