"""SIGTERM mid-batch, to `lens worker` and to the API with its embedded worker: the batch in hand
is finished (or handed back), the rest of the queue is left untouched, and the process exits
promptly on its own.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import Article, ArticleStatus
from tests.conftest import article_payload
from tests.faults.processes import (
    analyzed,
    free_port,
    lens_env,
    start_api,
    start_worker,
    wait_for,
    wait_until_serving,
)
from tests.test_worker import add_articles

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

_DELAY = 2.0  # seconds the slow analyzer takes per batch


def _articles(sessions: sessionmaker[Session]) -> dict[int, Article]:
    with sessions() as session:
        return {a.id: a for a in session.scalars(select(Article))}


def _assert_batch_finished_rest_untouched(
    sessions: sessionmaker[Session], log_dir: Path, texts: list[str]
) -> None:
    started = {text for _, event, text in analyzed(log_dir) if event == "start"}
    assert len(started) == 4  # one batch (LENS_WORKER_BATCH_SIZE), and no second one
    articles = _articles(sessions)
    assert len(articles) == len(texts)
    for article in articles.values():
        assert article.lease_owner is None
        if article.text in started:
            assert (article.status, article.attempts) == (ArticleStatus.done, 1)
        else:
            assert (article.status, article.attempts) == (ArticleStatus.pending, 0)


def test_worker_finishes_the_batch_in_hand_on_sigterm(
    pg_url: str, pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    texts = [f"Article {i} about Moscow." for i in range(8)]
    add_articles(pg_sessions, *texts)
    env = lens_env(
        pg_url,
        tmp_path,
        LENS_ANALYZER_FACTORY="tests.faults.analyzers:slow",
        FAKE_ANALYZER_DELAY=str(_DELAY),
    )
    worker = start_worker("worker", env, tmp_path)
    try:
        wait_for(lambda: bool(analyzed(tmp_path)), timeout=30, what="a batch", child=worker)
        signalled = time.monotonic()
        worker.signal(signal.SIGTERM)
        assert worker.wait(_DELAY + 10) == 0, worker.output()
        took = time.monotonic() - signalled
    finally:
        worker.close()

    assert took < _DELAY + 5
    assert "SIGTERM: finishing the batch in hand" in worker.output()
    _assert_batch_finished_rest_untouched(pg_sessions, tmp_path, texts)


def test_api_with_embedded_worker_shuts_down_cleanly_on_sigterm(
    pg_url: str, pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    env = lens_env(
        pg_url,
        tmp_path,
        LENS_EMBEDDED_WORKER="true",
        LENS_ANALYZER_FACTORY="tests.faults.analyzers:slow",
        FAKE_ANALYZER_DELAY=str(_DELAY),
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = start_api("api", env, tmp_path, port)
    try:
        wait_until_serving(base, api)
        texts = [f"Article {i} about Beijing." for i in range(8)]
        # Posted in one batch request, so the worker cannot claim before all are stored.
        batch = [article_payload(text=text, url=None) for text in texts]
        response = httpx.post(f"{base}/v1/articles/batch", json={"articles": batch}, timeout=10)
        assert response.status_code == 202, response.text
        wait_for(lambda: bool(analyzed(tmp_path)), timeout=30, what="a batch", child=api)
        signalled = time.monotonic()
        api.signal(signal.SIGTERM)
        code = api.wait(_DELAY + 10)
        took = time.monotonic() - signalled
    finally:
        api.close()

    output = api.output()
    # uvicorn re-raises the signal once its shutdown (our lifespan included) is complete, so the
    # parent sees "ended by SIGTERM", as with any process that does not catch it; the log says
    # the shutdown was clean.
    assert code == -signal.SIGTERM, output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output
    assert took < _DELAY + 5
    _assert_batch_finished_rest_untouched(pg_sessions, tmp_path, texts)
