"""A `lens worker` killed with SIGKILL mid-batch: its lease expires, another worker finishes.

Every accepted article ends `done` once: one set of annotations, nothing lost, nothing doubled.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from app.models import Article, ArticleActor, ArticleStatus, Mention
from app.models.annotation import ArticleSentiment
from tests.faults.processes import (
    LEASE_SECONDS,
    analyzed,
    lens_env,
    start_worker,
    wait_for,
)
from tests.test_worker import add_articles

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


def leased(sessions: sessionmaker[Session]) -> dict[int, tuple[str, object]]:
    with sessions() as session:
        rows = session.execute(
            select(Article.id, Article.lease_owner, Article.lease_expires_at).where(
                Article.lease_owner.is_not(None)
            )
        ).all()
    return {i: (owner, expires) for i, owner, expires in rows}


def per_article(
    sessions: sessionmaker[Session], column: InstrumentedAttribute[int]
) -> Counter[int]:
    """How many rows of ``column``'s table each article has."""
    with sessions() as session:
        rows = session.execute(select(column, func.count()).group_by(column)).all()
    return Counter(dict(rows))


def test_sigkilled_worker_batch_is_finished_by_another_exactly_once(
    pg_url: str, pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    texts = [f"Article {i}: Moscow met Beijing." for i in range(10)]
    ids = add_articles(pg_sessions, *texts)
    doomed = start_worker(
        "doomed",
        lens_env(
            pg_url,
            tmp_path,
            LENS_ANALYZER_FACTORY="tests.faults.analyzers:slow",
            FAKE_ANALYZER_DELAY="120",
        ),
        tmp_path,
    )
    try:
        wait_for(lambda: bool(analyzed(tmp_path)), timeout=30, what="a batch", child=doomed)
        in_hand = leased(pg_sessions)
        assert len(in_hand) == 4, in_hand  # LENS_WORKER_BATCH_SIZE
        doomed.signal(signal.SIGKILL)
        assert doomed.wait(10) == -signal.SIGKILL
    finally:
        doomed.close()
    # The dead worker's batch stays leased to it until the lease runs out.
    assert leased(pg_sessions) == in_hand

    rescuer = start_worker("rescuer", lens_env(pg_url, tmp_path), tmp_path)
    try:
        wait_for(
            lambda: _statuses(pg_sessions) == {ArticleStatus.done: len(ids)},
            timeout=LEASE_SECONDS + 30,
            what="every article done",
            child=rescuer,
        )
        rescuer.signal(signal.SIGTERM)
        assert rescuer.wait(10) == 0, rescuer.output()
    finally:
        rescuer.close()

    with pg_sessions() as session:
        articles = {a.id: a for a in session.scalars(select(Article))}
    assert set(articles) == set(ids)
    for article_id, article in articles.items():
        assert article.lease_owner is None
        assert article.attempts == (2 if article_id in in_hand else 1)
        if article_id in in_hand:
            # taken over only once the dead worker's lease had expired
            _, expires = in_hand[article_id]
            assert article.analyzed_at is not None
            assert article.analyzed_at >= expires
    # One set of annotations per article: two actors, two mentions, one sentiment row each.
    assert per_article(pg_sessions, ArticleSentiment.article_id) == Counter(dict.fromkeys(ids, 1))
    assert per_article(pg_sessions, ArticleActor.article_id) == Counter(dict.fromkeys(ids, 2))
    assert per_article(pg_sessions, Mention.article_id) == Counter(dict.fromkeys(ids, 2))
    # The dead worker finished nothing; the rescuer analysed each text exactly once.
    log = analyzed(tmp_path)
    assert {text for _, event, text in log if event == "start"} == set(texts)
    finished = Counter(text for _, event, text in log if event == "done")
    assert finished == Counter(dict.fromkeys(texts, 1))
    assert {pid for pid, event, _ in log if event == "done"} == {str(rescuer.process.pid)}


def _statuses(sessions: sessionmaker[Session]) -> dict[ArticleStatus, int]:
    with sessions() as session:
        rows = session.execute(select(Article.status, func.count()).group_by(Article.status))
        return dict(rows.all())
