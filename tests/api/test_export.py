"""GET /v1/articles/export: every match, streamed as NDJSON or CSV, read in keyset chunks."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from app.services import search
from tests.api.search_corpus import NEWEST_FIRST, found
from tests.api.test_errors import assert_problem


@pytest.fixture(params=[1, 3, 500], ids=lambda n: f"chunk{n}")
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Small chunks make a handful of articles take several round trips, as a large export does."""
    monkeypatch.setattr(search, "_EXPORT_CHUNK", request.param)
    return int(request.param)


def test_ndjson_streams_every_match_in_order(
    client: TestClient, lens_corpus: list[int], chunk: int
) -> None:
    response = client.get("/v1/articles/export", params={"actor": "China"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert 'filename="articles.ndjson"' in response.headers["content-disposition"]
    items = [json.loads(line) for line in response.text.splitlines()]
    page = client.get("/v1/articles", params={"actor": "China", "limit": 100}).json()["items"]
    assert items == page


def test_csv_has_a_header_and_one_row_per_article(
    client: TestClient, lens_corpus: list[int], chunk: int
) -> None:
    response = client.get("/v1/articles/export", params={"format": "csv"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in rows] == [lens_corpus[i] for i in NEWEST_FIRST]
    trenin = next(r for r in rows if r["id"] == str(lens_corpus[0]))
    assert trenin["outlet"] == "China Daily"
    assert trenin["authors"] == "Dmitri Trenin"
    assert trenin["published"] == "2021-03-24"
    assert trenin["sentiment_label"] == "neutral"
    assert trenin["topics"] == "politics; world"
    assert trenin["subtopics"] == "diplomacy"
    assert "United States (negative -0.60)" in trenin["actors"]


def test_export_applies_the_filters_and_sort(client: TestClient, lens_corpus: list[int]) -> None:
    params = {"actor": "India", "actor_sentiment": "negative", "sort": "published"}
    response = client.get("/v1/articles/export", params=params)

    ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    assert ids == [lens_corpus[i] for i in found(client, lens_corpus, **params)]
    assert ids == [lens_corpus[1], lens_corpus[5]]


def test_export_of_nothing_is_empty(client: TestClient, lens_corpus: list[int]) -> None:
    assert (
        client.get(
            "/v1/articles/export", params={"actor": "NATO", "outlet": "RT", "genre": "opinion"}
        ).text
        == ""
    )
    csv_text = client.get("/v1/articles/export", params={"format": "csv", "language": "de"}).text
    assert csv_text.splitlines() == [",".join(search.CSV_COLUMNS)]


def test_bad_filters_are_422_before_streaming(client: TestClient, lens_corpus: list[int]) -> None:
    body = assert_problem(client.get("/v1/articles/export", params={"actor": "Atlantis"}), 422)
    assert "Atlantis" in body["detail"]
    assert_problem(client.get("/v1/articles/export", params={"format": "xml"}), 422)
