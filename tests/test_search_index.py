"""The search index beside the database (app/core/search_index.py): sync, query syntax, rank order,
pages, snapshots and the one-writer rule, on each backend."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.core import search_index
from app.core.search_index import SearchIndex, open_index, web_query_parts
from app.models import Article
from app.models.article import Sort
from app.repositories.article_search import ArticleFilters, Position, search
from app.services.search import sync_index
from app.worker import Worker
from tests.conftest import make_settings
from tests.fakes import FakeAnalyzer


def store(
    factory: sessionmaker[Session], title: str, body: str, article_id: int | None = None
) -> int:
    with factory() as session, session.begin():
        article = Article(
            id=article_id,
            title=title,
            text=body,
            content_hash=hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
            received_at=datetime.now(UTC),
        )
        session.add(article)
        session.flush()
        return article.id


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    return SearchIndex(tmp_path / "search")


def ranked_ids(index: SearchIndex, text: str, max_id: int | None = None) -> list[int]:
    return [i for _, i in index.ranked(text, max_id)]


def test_sync_adds_what_the_index_lacks_and_nothing_twice(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    ids = [store(session_factory, f"Note {k}", f"Note {k} on trade.") for k in range(3)]
    progress: list[tuple[int, int]] = []

    assert (
        sync_index(index, session_factory, lambda done, total: progress.append((done, total))) == 3
    )
    assert progress[-1] == (3, 3)
    assert sync_index(index, session_factory) == 0
    later = store(session_factory, "Later", "More on trade.")
    assert sync_index(index, session_factory) == 1

    assert len(index) == 4
    assert sorted(ranked_ids(index, "trade")) == sorted([*ids, later])


def test_an_article_committed_late_with_a_lower_id_is_still_added(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    # PostgreSQL hands out ids before commit: id 10 may commit after 11 was synced
    store(session_factory, "First", "On trade.", article_id=11)
    assert sync_index(index, session_factory) == 1
    store(session_factory, "Late", "Also on trade.", article_id=10)

    assert sync_index(index, session_factory) == 1
    assert sorted(ranked_ids(index, "trade")) == [10, 11]
    assert len(index) == 2


def test_rank_order_title_first_then_repeats_then_ties_by_newest_id(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    same = "Note: a pipeline was built."
    ties = [store(session_factory, f"Note {k}", same) for k in range(5)]
    in_title = store(session_factory, "Pipeline politics", "It was approved.")
    repeated = store(session_factory, "Energy", "Pipeline, pipeline and pipeline again: a note.")
    store(session_factory, "Elsewhere", "Nothing about it.")
    sync_index(index, session_factory)

    order = ranked_ids(index, "pipeline")

    assert order[:2] == [in_title, repeated]
    assert order[2:] == sorted(ties, reverse=True)


def test_pages_of_any_size_cover_every_match_once_in_order(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    for k in range(30):
        store(session_factory, f"Note {k}", "trade " * (k % 4 + 1) + f"and item {k}.")
    sync_index(index, session_factory)
    filters = ArticleFilters(text_query="trade")
    with session_factory() as session:
        whole = search(session, filters, Sort.relevance, None, 100, index)
        for size in (1, 4, 7):
            paged: list[Position] = []
            after = None
            while page := search(session, filters, Sort.relevance, after, size, index):
                paged += page
                after = page[-1]
            assert [p.id for p in paged] == [p.id for p in whole]

    assert len(whole) == 30
    scores = [p.key for p in whole]
    assert scores == sorted(scores, reverse=True)


def test_the_database_applies_the_other_filters_in_rank_order(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    kept = [store(session_factory, f"Note {k}", "trade " * (k + 1)) for k in range(4)]
    dropped = [store(session_factory, f"Other {k}", "trade " * (k + 1) + "x") for k in range(40)]
    sync_index(index, session_factory)
    # the snapshot bound is the one filter the index applies itself
    filters = ArticleFilters(text_query="trade", max_id=max(kept))

    with session_factory() as session:
        found = search(session, filters, Sort.relevance, None, 10, index)

    assert {p.id for p in found} == set(kept)
    assert not {p.id for p in found} & set(dropped)


def test_the_query_syntax_matches_the_databases(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    a = store(session_factory, "A", "Health care reform in the senate.")
    b = store(session_factory, "B", "Care for your health, the senate said.")
    c = store(session_factory, "C", "Tax cuts and health.")
    sync_index(index, session_factory)

    assert set(ranked_ids(index, "health care")) == {a, b}  # every word
    assert ranked_ids(index, '"health care"') == [a]  # a phrase
    assert set(ranked_ids(index, "reform OR tax")) == {a, c}
    assert set(ranked_ids(index, "health -senate")) == {c}
    assert set(ranked_ids(index, "Healthy")) == set()  # stems, but not into other words
    assert set(ranked_ids(index, "cut")) == {c}  # "cuts" -> "cut"
    assert ranked_ids(index, 'senate "unclosed') == []
    with pytest.raises(ValueError, match="no words"):
        index.query("-- ** !!")


def test_web_query_parts() -> None:
    assert web_query_parts('china "trade war" OR -russia india') == (
        [["china", "trade war"], ["india"]],
        ["russia"],
    )


def test_only_one_process_writes_an_index(
    session_factory: sessionmaker[Session], index: SearchIndex, tmp_path: Path
) -> None:
    store(session_factory, "A", "On trade.")
    writer = index.index.writer()  # another process's writer holds the folder's lock
    try:
        assert sync_index(SearchIndex(index.path), session_factory) is None
    finally:
        del writer
    assert sync_index(SearchIndex(index.path), session_factory) == 1


def test_a_page_whose_last_article_no_longer_matches_resumes_by_score(
    session_factory: sessionmaker[Session], index: SearchIndex
) -> None:
    ids = [store(session_factory, f"Note {k}", "trade " * (k + 1)) for k in range(4)]
    sync_index(index, session_factory)
    hits = list(index.ranked("trade", None))
    assert [i for _, i in hits] == ids[::-1]
    score, _ = hits[1]

    # an id the query does not match, at the second hit's score and above every id: the
    # second hit (same score, lower id) and the ones below it follow
    after = [i for _, i in index.ranked("trade", None, after=(score, 10**9))]

    assert after == [ids[2], ids[1], ids[0]]


def test_the_worker_keeps_the_index_up_to_date_and_survives_its_errors(
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(database_url, search_index=tmp_path / "search")
    worker = Worker(session_factory, FakeAnalyzer(), settings)
    first = store(session_factory, "A", "On trade.")

    worker.sync_search_index()
    store(session_factory, "B", "More trade.")
    worker.sync_search_index()  # within SYNC_SECONDS of the last: left for later
    assert ranked_ids(open_index(tmp_path / "search"), "trade") == [first]

    monkeypatch.setattr(search_index, "SYNC_SECONDS", 0.0)
    monkeypatch.setattr(search_index, "open_index", _broken)
    worker.sync_search_index()
    assert "search index sync failed" in caplog.text

    monkeypatch.undo()
    monkeypatch.setattr(search_index, "SYNC_SECONDS", 0.0)
    worker.sync_search_index()
    assert len(ranked_ids(open_index(tmp_path / "search"), "trade")) == 2


def _broken(path: Path) -> SearchIndex:
    raise OSError(f"{path}: disk full")
