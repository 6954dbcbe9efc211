"""GET /v1/articles and the export with LENS_SEARCH_INDEX: the index ranks, the database filters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.search_index import SearchIndex, open_index
from app.services.search import ranker, sync_index
from tests.api.search_corpus import CORPUS, Doc, found, post, walk
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, search_index=tmp_path / "search", analysis_languages="en,fr")


@pytest.fixture
def indexed_corpus(
    lens_corpus: list[int], settings: Settings, session_factory: sessionmaker[Session]
) -> list[int]:
    assert settings.search_index is not None
    assert sync_index(open_index(settings.search_index), session_factory) == len(CORPUS)
    return lens_corpus


def test_relevance_comes_from_the_index(client: TestClient, indexed_corpus: list[int]) -> None:
    # "trade" is in the title and the text of 6, only in the text of 1
    assert found(client, indexed_corpus, q="trade") == [6, 1]
    assert found(client, indexed_corpus, q="trade", sort="relevance") == [6, 1]
    assert set(found(client, indexed_corpus, q="india")) == {1, 3, 4, 5, 7}
    # other orders keep the database's full-text match
    assert found(client, indexed_corpus, q="trade", sort="published") == [1, 6]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "india"},
        {"q": "india", "outlet": "RT"},
        {"q": "india OR china", "actor": "China", "from": "2021-03-01"},
        {"q": "india", "sentiment": "negative"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_every_filter_combines_with_the_index_and_pages_are_complete(
    client: TestClient, indexed_corpus: list[int], params: dict[str, str]
) -> None:
    with_index = found(client, indexed_corpus, **params)
    paged = walk(client, "/v1/articles", **params, limit=1)

    assert [indexed_corpus.index(item["id"]) for item in paged] == with_index
    # the same matches as the database's own search, whatever their order
    unranked = found(client, indexed_corpus, **params, sort="-published")
    assert sorted(with_index) == sorted(unranked)


def test_articles_stored_after_a_traversal_began_stay_out_of_it(
    client: TestClient,
    indexed_corpus: list[int],
    drain: Callable[[], int],
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    first = client.get("/v1/articles", params={"q": "india", "limit": 2}).json()
    post(client, Doc("RT", [], "2021-05-01", "India again", "India, India and India."))
    drain()
    assert settings.search_index is not None
    assert sync_index(open_index(settings.search_index), session_factory) == 1
    rest = walk(client, "/v1/articles", q="india", limit=2, cursor=first["next_cursor"])

    assert len(first["items"]) + len(rest) == 5
    fresh = found(client, [*indexed_corpus, max(indexed_corpus) + 1], q="india")
    assert fresh[0] == len(indexed_corpus)  # the new article ranks first in a new traversal


def test_the_export_is_in_the_index_order(client: TestClient, indexed_corpus: list[int]) -> None:
    response = client.get("/v1/articles/export", params={"q": "india", "format": "ndjson"})

    ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    assert ids == [indexed_corpus[i] for i in found(client, indexed_corpus, q="india")]


def test_an_index_never_synced_leaves_the_ranking_to_the_database(
    client: TestClient, lens_corpus: list[int]
) -> None:
    assert found(client, lens_corpus, q="trade") == [6, 1]
    assert set(found(client, lens_corpus, q="india")) == {1, 3, 4, 5, 7}


def test_an_unusable_index_folder_leaves_the_ranking_to_the_database(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")

    assert ranker(make_settings(database_url, search_index=taken)) is None
    assert "search index" in caplog.text
    assert "the database ranks" in caplog.text


def test_a_failing_index_leaves_the_ranking_to_the_database(
    client: TestClient,
    indexed_corpus: list[int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise OSError("segment file removed")

    monkeypatch.setattr(SearchIndex, "ranked", broken)

    assert found(client, indexed_corpus, q="trade") == [6, 1]
    assert "the database ranks" in caplog.text
