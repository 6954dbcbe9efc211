"""Fixtures of the day-one tool tests: the commands' environment, a few analysed articles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings, get_settings
from app.schemas.ingest import ArticleIn
from app.services import ingest, reannotate
from app.worker import Worker
from tests.fakes import FakeAnalyzer


@pytest.fixture
def lens_env(
    database_url: str, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The test database (emptied) as the commands' LENS_DATABASE_URL."""
    monkeypatch.setenv("LENS_DATABASE_URL", database_url)
    monkeypatch.setenv("LENS_WORKER_POLL_SECONDS", "0.05")
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def no_describe_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests say which models are current; the analysis package's own hook stays out."""
    monkeypatch.setattr(reannotate, "DESCRIBE_HOOK", ("tests.tools.analyzers", "no_such_hook"))


# one article per outlet
TEXTS = {
    "China Daily": "Russia praised NATO as a partner.",
    "Global Times": "India and NATO: a hostile crisis.",
    "Daily": "Moscow met Beijing.",
}
PUBLISHED = {"China Daily": date(2021, 3, 22), "Daily": date(2021, 3, 22)}


@pytest.fixture
def analysed(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Callable[[FakeAnalyzer], None]:
    """Stores one article per outlet (once); each call then drains the queue with ``analyzer``."""
    with session_factory() as session, session.begin():
        ingest.ingest_many(
            session,
            settings,
            [
                ArticleIn(text=text, outlet=outlet, published=PUBLISHED.get(outlet))
                for outlet, text in TEXTS.items()
            ],
        )

    def run(analyzer: FakeAnalyzer) -> None:
        worker = Worker(session_factory, analyzer, settings)
        while worker.run_once():
            pass

    return run
