"""`lens analyze`: drain the queue in the foreground, in one or several processes."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.tools import cli
from app.core.config import Settings, get_settings
from app.core.db import create_db_engine, create_session_factory, migrate
from app.drain import Budget, child_settings, drain
from app.models import Article, Mention
from app.schemas.ingest import ArticleIn
from app.services import ingest
from app.worker import Worker
from tests.conftest import make_settings
from tests.fakes import FakeAnalyzer

runner = CliRunner()
FAKE = ["--analyzer", "tests.tools.analyzers:fake_v1", "--no-migrate"]


def add(session_factory: sessionmaker[Session], settings: Settings, *texts: str) -> list[int]:
    with session_factory() as session, session.begin():
        return [
            i.id for i in ingest.ingest_many(session, settings, [ArticleIn(text=t) for t in texts])
        ]


def statuses(session_factory: sessionmaker[Session]) -> Counter[str]:
    with session_factory() as session:
        rows = session.execute(select(Article.status, func.count()).group_by(Article.status))
        return Counter({status.value: n for status, n in rows})


def test_analyze_drains_the_queue(
    lens_env: str, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    add(session_factory, settings, *(f"Moscow and Beijing, part {i}." for i in range(11)))

    result = runner.invoke(cli, ["analyze", *FAKE])

    assert result.exit_code == 0, result.output
    assert "11 analysed" in result.output
    assert "+11 done, +0 failed, 0 still pending" in result.output
    assert statuses(session_factory) == Counter(done=11)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 22


def test_analyze_stops_after_the_limit(
    lens_env: str, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    add(session_factory, settings, *(f"Text {i}." for i in range(10)))

    result = runner.invoke(cli, ["analyze", "--limit", "3", *FAKE])

    assert result.exit_code == 0, result.output
    assert statuses(session_factory) == Counter(done=3, pending=7)


def test_failed_articles_exit_3(
    lens_env: str, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    add(session_factory, settings, "Fine.", "This one says FAIL-ME.", "Also fine.")

    result = runner.invoke(cli, ["analyze", *FAKE])

    assert result.exit_code == 3, result.output
    assert "+2 done, +1 failed, 0 still pending" in result.output
    assert statuses(session_factory) == Counter(done=2, failed=1)


def test_empty_queue_exits_0(lens_env: str) -> None:
    result = runner.invoke(cli, ["analyze", *FAKE])

    assert result.exit_code == 0
    assert "nothing to analyse" in result.output


def test_several_worker_processes_share_the_queue(
    fresh_database_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite, the single-writer case (PostgreSQL's SKIP LOCKED claims are tested with the
    worker); spawning processes is slow, so once."""
    url = fresh_database_url("sqlite")
    migrate(url)
    monkeypatch.setenv("LENS_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = create_db_engine(url)
    session_factory = create_session_factory(engine)
    ids = add(
        session_factory, make_settings(url), *(f"India and NATO, part {i}." for i in range(40))
    )

    result = runner.invoke(cli, ["analyze", "--workers", "2", *FAKE])

    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert statuses(session_factory) == Counter(done=40)
    with session_factory() as session:
        attempts = session.scalars(select(Article.attempts).where(Article.id.in_(ids))).all()
    assert set(attempts) == {1}  # each article analysed once
    engine.dispose()


def test_drain_stops_when_asked(settings: Settings, session_factory: sessionmaker[Session]) -> None:
    add(session_factory, settings, *(f"Text {i}." for i in range(20)))
    stop = threading.Event()
    worker = Worker(
        session_factory, FakeAnalyzer(), settings.model_copy(update={"worker_batch_size": 4})
    )
    settled: list[int] = []

    def after_batch(count: int) -> None:
        settled.append(count)
        stop.set()

    total = drain(worker, stop, Budget(None), after_batch)

    assert total == 4
    assert settled == [4]
    assert statuses(session_factory) == Counter(done=4, pending=16)


@pytest.mark.parametrize(
    ("limit", "asks", "granted"), [(None, [8, 8], [8, 8]), (10, [8, 8, 8], [8, 2, 0])]
)
def test_budget(limit: int | None, asks: list[int], granted: list[int]) -> None:
    budget = Budget(limit)

    assert [budget.take(n) for n in asks] == granted
    budget.give_back(3)
    assert budget.take(8) == (8 if limit is None else 3)


def test_worker_processes_share_the_cores_unless_threads_are_set(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    # N processes each taking every core oversubscribe them (1.3 against 3.5 articles/s, two
    # processes on two cores: docs/benchmarks.md): each gets its share, at least one
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(4)), raising=False)
    unset = settings.model_copy(update={"torch_threads": None, "analysis_threads": None})

    def threads(settings: Settings, count: int) -> tuple[int | None, int | None]:
        child = child_settings(settings, count)
        return child.analysis_threads, child.torch_threads

    # a process's share of the cores goes to analysis threads of one model thread each
    assert threads(unset, 1) == (4, 1)
    assert threads(unset, 2) == (2, 1)
    assert threads(unset, 4) == (1, 1)
    assert threads(unset, 8) == (1, 1)
    # LENS_ANALYSIS_THREADS=1: the share goes to the models' threads (as before it existed)
    one = unset.model_copy(update={"analysis_threads": 1})
    assert threads(one, 2) == (1, 2)
    # LENS_TORCH_THREADS alone: kept, with one analysis thread; both: both kept
    given = unset.model_copy(update={"torch_threads": 3})
    assert threads(given, 2) == (1, 3)
    both = unset.model_copy(update={"torch_threads": 1, "analysis_threads": 3})
    assert threads(both, 2) == (3, 1)
    # cores given (as scripts/bench/bench_annotate.py --threads does) instead of the affinity's
    given_cores = unset.threads_for(cores=2)
    assert (given_cores.analysis_threads, given_cores.torch_threads) == (2, 1)
    # the rest of the settings travel unchanged
    assert child_settings(unset, 2).database_url == settings.database_url
