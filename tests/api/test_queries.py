"""GET /v1/articles/{id}, GET /v1/articles (filters, cursor pages), outlets and actors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_errors import assert_problem
from tests.conftest import article_payload

CORPUS = [
    # (outlet, authors, published, text)
    (
        "China Daily",
        ["Dmitri Trenin"],
        "2021-03-22",
        "Moscow and Beijing are partners. Washington is a threat.",
    ),
    (
        "Global Times",
        ["Hu Xijin"],
        "2021-04-15T08:00:00Z",
        "India and China discussed trade. New Delhi was hostile.",
    ),
    ("RT", ["Anna Ivanova"], "2021-06-30", "Sergei Lavrov met NATO. Russia sees a crisis."),
    (
        "RT",
        ["anna IVANOVA", "Boris Petrov"],
        "2021-07-01",
        "India praised Russia as a good friend.",
    ),
    ("The Hindu", [], None, "India watches China closely."),
]


@pytest.fixture
def corpus(client: TestClient, drain: Callable[[], int]) -> list[int]:
    ids = [
        client.post(
            "/v1/articles",
            json=article_payload(
                outlet=outlet, authors=authors, published=published, text=text, url=None
            ),
        ).json()["id"]
        for outlet, authors, published, text in CORPUS
    ]
    assert drain() == len(CORPUS)
    return ids


def _ids(client: TestClient, **params: Any) -> list[int]:
    response = client.get("/v1/articles", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_done_article_shows_every_annotation(client: TestClient, corpus: list[int]) -> None:
    article = client.get(f"/v1/articles/{corpus[0]}").json()

    assert article["status"] == "done"
    assert article["attempts"] == 1
    assert article["last_error"] is None
    assert article["analysis_run"]["models"] == {"fake": "fake-analyzer@1"}
    assert article["sentiment"]["label"] in {"negative", "neutral", "positive"}
    assert set(article["sentiment"]["probabilities"]) == {"negative", "neutral", "positive"}
    assert article["sentiment"]["drivers"] == [0]
    text = article["text"]
    assert [(s["start"], s["end"]) for s in article["sentences"]] == [(0, 32), (32, len(text))]
    assert article["topics"][0] == {
        "code": "politics",
        "label": "Politics",
        "score": 0.6,
        "parent": None,
    }
    assert [t["code"] for t in article["topics"]] == ["politics", "world"]
    assert article["subtopics"] == [
        {"code": "diplomacy", "label": "Diplomacy", "score": 0.5, "parent": "politics"}
    ]
    actors = {a["key"]: a for a in article["actors"]}
    assert set(actors) == {"country:RUS", "country:CHN", "country:USA"}
    assert actors["country:USA"]["sentiment"]["label"] == "negative"
    assert actors["country:USA"]["sentiment"]["evidence"] == [1]
    assert actors["country:RUS"]["mention_count"] == 1
    assert [text[m["start"] : m["end"]] for m in article["mentions"]] == [
        "Moscow",
        "Beijing",
        "Washington",
    ]
    assert all(m["text"] == text[m["start"] : m["end"]] for m in article["mentions"])


def test_list_is_newest_first_with_unknown_dates_last(
    client: TestClient, corpus: list[int]
) -> None:
    assert _ids(client) == [corpus[3], corpus[2], corpus[1], corpus[0], corpus[4]]
    item = client.get("/v1/articles", params={"limit": 1}).json()["items"][0]
    # one author per name whatever its case: the first spelling seen is kept
    assert item["outlet"] == "RT"
    assert item["authors"] == ["Anna Ivanova", "Boris Petrov"]
    assert item["published"] == "2021-07-01"
    assert item["sentiment"]["label"] == "positive"
    assert item["topics"][0]["code"] == "politics"
    assert [(t["code"], t["parent"]) for t in item["subtopics"]] == [("diplomacy", "politics")]
    assert {a["name"] for a in item["actors"]} == {"India", "Russia"}


@pytest.mark.parametrize("term", ["India", "india", " INDIA ", "IND", "country:IND", "COUNTRY:ind"])
def test_actor_filter_matches_name_alias_or_key(
    client: TestClient, corpus: list[int], term: str
) -> None:
    assert _ids(client, actor=term) == [corpus[3], corpus[1], corpus[4]]


def test_actor_filter_by_id(client: TestClient, corpus: list[int]) -> None:
    india = next(
        a for a in client.get(f"/v1/articles/{corpus[4]}").json()["actors"] if a["name"] == "India"
    )

    assert _ids(client, actor=str(india["id"])) == [corpus[3], corpus[1], corpus[4]]


def test_repeated_actor_filters_must_all_match(client: TestClient, corpus: list[int]) -> None:
    assert _ids(client, actor=["India", "China"]) == [corpus[1], corpus[4]]
    assert _ids(client, actor=["India", "Russia"]) == [corpus[3]]


def test_unknown_actor_is_422_naming_it(client: TestClient, corpus: list[int]) -> None:
    body = assert_problem(client.get("/v1/articles", params={"actor": ["India", "Atlantis"]}), 422)

    assert "Atlantis" in body["detail"]
    assert body["errors"] == [
        {"loc": ["query", "actor", 1], "msg": "unknown actor 'Atlantis'", "type": "unknown_actor"}
    ]


def test_outlet_and_author_filters_ignore_case(client: TestClient, corpus: list[int]) -> None:
    assert _ids(client, outlet="rt") == [corpus[3], corpus[2]]
    assert _ids(client, author="ANNA ivanova") == [corpus[3], corpus[2]]
    assert _ids(client, author="Boris Petrov", outlet="RT") == [corpus[3]]
    body = assert_problem(client.get("/v1/articles", params={"outlet": "Unknown Gazette"}), 422)
    assert body["errors"][0]["loc"] == ["query", "outlet", 0]


def test_date_range_is_inclusive(client: TestClient, corpus: list[int]) -> None:
    assert _ids(client, **{"from": "2021-04-15", "to": "2021-06-30"}) == [corpus[2], corpus[1]]
    assert _ids(client, **{"from": "2021-07-01"}) == [corpus[3]]
    assert _ids(client, to="2021-03-22") == [corpus[0]]
    assert_problem(
        client.get("/v1/articles", params={"from": "2021-05-01", "to": "2021-04-01"}), 422
    )


def test_status_filter(client: TestClient, corpus: list[int]) -> None:
    pending = client.post("/v1/articles", json=article_payload(text="Still waiting.")).json()["id"]

    assert _ids(client, status="pending") == [pending]
    assert len(_ids(client, status=["pending", "done"])) == len(CORPUS) + 1
    assert_problem(client.get("/v1/articles", params={"status": "lost"}), 422)


def test_cursor_pages_cover_everything_once(client: TestClient) -> None:
    dates = ["2021-01-02", None, "2021-01-01", "2021-01-02", None, "2021-01-03T12:00:00Z"] * 4
    ids = [
        client.post(
            "/v1/articles", json=article_payload(text=f"Article {i}.", published=day)
        ).json()["id"]
        for i, day in enumerate(dates)
    ]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/articles", params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 5
    assert len(seen) == len(set(seen)) == len(ids)
    full = client.get("/v1/articles", params={"limit": 100}).json()
    assert [item["id"] for item in full["items"]] == seen
    assert full["next_cursor"] is None


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "abc",
        _cursor({"not": "a list"}),
        _cursor(["outlets", 3, 4]),
        _cursor(["articles", "-published", 9, 0, "yesterday", 4]),
        _cursor(["articles", "-published", 9, 0, "2021-01-01T00:00:00", 4]),  # no offset
        _cursor(["articles", "-published", 9, 0, None, 4]),  # dated phase without a date
        _cursor(["articles", "-published", 9, 2, None, 4]),
        _cursor(["articles", "-published", 9, 1, None, -1]),
        _cursor(["articles", "-published", 9, 1, None, True]),
        _cursor(["articles", "-published", -9, 1, None, 4]),
        _cursor(["articles", "sentiment", 9, 0, 0.5, 4]),  # another order
        _cursor(["articles", "-published", 9, 1, None]),
        "A" * 600,
    ],
)
def test_bad_cursor_is_400(client: TestClient, cursor: str) -> None:
    body = assert_problem(client.get("/v1/articles", params={"cursor": cursor}), 400)

    assert body["type"].endswith("invalid-cursor")


def test_limit_is_bounded(client: TestClient) -> None:
    assert_problem(client.get("/v1/articles", params={"limit": 0}), 422)
    assert_problem(client.get("/v1/articles", params={"limit": 101}), 422)
    assert client.get("/v1/articles", params={"limit": 100}).status_code == 200


def test_outlets_listed_with_counts(client: TestClient, corpus: list[int]) -> None:
    first = client.get("/v1/outlets", params={"limit": 2}).json()
    rest = client.get("/v1/outlets", params={"cursor": first["next_cursor"]}).json()

    outlets = [(o["name"], o["article_count"]) for o in first["items"] + rest["items"]]
    assert outlets[0] == ("RT", 2)
    assert sorted(outlets[1:]) == [("China Daily", 1), ("Global Times", 1), ("The Hindu", 1)]
    assert rest["next_cursor"] is None


def test_actors_listed_with_counts_and_searchable(client: TestClient, corpus: list[int]) -> None:
    everyone = client.get("/v1/actors", params={"limit": 100}).json()["items"]
    counts = {a["key"]: a["article_count"] for a in everyone}
    assert counts["country:IND"] == 3
    assert counts["org:nato"] == 1
    assert [a["article_count"] for a in everyone] == sorted(counts.values(), reverse=True)

    found = client.get("/v1/actors", params={"q": "russian fed"}).json()["items"]
    assert [(a["name"], a["kind"]) for a in found] == [("Russia", "country")]
    assert "russian federation" in found[0]["aliases"]
    assert client.get("/v1/actors", params={"q": "%"}).json()["items"] == []


def test_actor_pages_cover_everything_once(client: TestClient, corpus: list[int]) -> None:
    keys: list[str] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/actors", params={"limit": 2} | ({"cursor": cursor} if cursor else {})
        ).json()
        keys += [a["key"] for a in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break

    assert len(keys) == len(set(keys)) == 6
