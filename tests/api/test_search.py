"""GET /v1/articles: each filter, their combinations, the orders and full-text search.

Runs on SQLite and on PostgreSQL (the `client` fixture is parametrised by backend). Expected
results are corpus indexes (tests/api/search_corpus.py), newest first unless a test says otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.search_corpus import NEWEST_FIRST, found
from tests.api.test_errors import assert_problem

pytestmark = pytest.mark.usefixtures("lens_corpus")


def test_no_filter_lists_everything_newest_first_undated_last(
    client: TestClient, lens_corpus: list[int]
) -> None:
    assert found(client, lens_corpus) == NEWEST_FIRST


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # actor: name, alias, key, any case
        ({"actor": "China"}, [6, 0, 5, 1, 7, 4]),
        ({"actor": "prc"}, [6, 0, 5, 1, 7, 4]),
        ({"actor": "COUNTRY:chn"}, [6, 0, 5, 1, 7, 4]),
        ({"actor": "Lavrov"}, [2]),
        # several actors: all (the default) or any
        ({"actor": ["China", "India"]}, [5, 1, 7, 4]),
        ({"actor": ["China", "India"], "actor_mode": "all"}, [5, 1, 7, 4]),
        ({"actor": ["India", "NATO"], "actor_mode": "any"}, [3, 2, 5, 1, 7, 4]),
        ({"actor": ["Russia", "United States", "China"]}, [0]),
        # the author's sentiment toward the filtered actor(s)
        ({"actor": "India", "actor_sentiment": "negative"}, [5, 1]),
        ({"actor": "India", "actor_sentiment": "positive"}, [3]),
        ({"actor": ["China", "India"], "actor_sentiment": "negative"}, [5]),
        (
            {"actor": ["Russia", "India"], "actor_mode": "any", "actor_sentiment": "positive"},
            [3, 0],
        ),
        # outlet: name any case or id; repeat for any of several
        ({"outlet": "rt"}, [3, 2]),
        ({"outlet": ["RT", "china  daily"]}, [6, 3, 2, 0]),
        # author
        ({"author": "dmitri TRENIN"}, [6, 0]),
        ({"author": ["Boris Petrov", "Jean Dupont"]}, [3, 5]),
        # dates, inclusive; an undated article never matches a date filter
        ({"from": "2021-03-24", "to": "2021-04-02"}, [3, 2, 0]),
        ({"from": "2021-04-02"}, [6, 3]),
        ({"to": "2021-03-10"}, [1, 7]),
        # topic: stored code or label (any case), or a taxonomy code or label
        ({"topic": "economy"}, [6, 1]),
        ({"topic": "ECONOMY"}, [6, 1]),
        ({"topic": "Politics"}, [3, 2, 0, 5, 7, 4]),
        ({"topic": ["economy", "politics"]}, NEWEST_FIRST),
        # subtopics: their stored code or label, like a top-level topic
        ({"topic": "Diplomacy"}, [3, 2, 0, 5, 7, 4]),
        ({"topic": "trade"}, [6, 1]),
        # document sentiment: label and score range
        ({"sentiment": "negative"}, [6, 2, 5, 1]),
        ({"sentiment": "positive"}, [3, 7]),
        ({"min_sentiment": 0.5}, [3, 7]),
        ({"max_sentiment": -0.5}, [6, 2, 5, 1]),
        ({"min_sentiment": -0.1, "max_sentiment": 0.1}, [0, 4]),
        # genre, language
        ({"genre": "news"}, [2, 5, 7, 4]),
        ({"genre": ["news", "opinion"]}, NEWEST_FIRST),
        ({"language": "fr"}, [5]),
        ({"language": ["EN"], "genre": "news"}, [2, 7, 4]),
        # full text over title and text, stemmed (partners ~ partner)
        ({"q": "partner", "sort": "-published"}, [0]),
        ({"q": "ties", "sort": "-published"}, [0]),
        ({"q": '"sees a crisis"', "sort": "-published"}, [2]),
        ({"q": "crisis -trade", "sort": "-published"}, [2]),
        ({"q": "hostile OR praised", "sort": "-published"}, [3, 1]),
        ({"q": "trade", "sort": "-published"}, [6, 1]),
    ],
)
def test_each_filter(
    client: TestClient, lens_corpus: list[int], params: dict[str, Any], expected: list[int]
) -> None:
    assert found(client, lens_corpus, **params) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # "which outlets wrote negatively about India in March 2021?"
        (
            {
                "actor": "India",
                "actor_sentiment": "negative",
                "from": "2021-03-01",
                "to": "2021-03-31",
            },
            [5, 1],
        ),
        ({"actor": "China", "outlet": "China Daily", "from": "2021-04-01"}, [6]),
        ({"actor": "Russia", "topic": "politics", "author": "Anna Ivanova"}, [3, 2]),
        ({"topic": "economy", "sentiment": "negative", "genre": "opinion"}, [6, 1]),
        ({"q": "trade", "actor": "India"}, [1]),
        ({"q": "china OR india OR russia", "genre": "news", "language": "en"}, [2, 7, 4]),
        ({"actor": ["China", "India"], "outlet": "Global Times", "max_sentiment": 0}, [1]),
        ({"actor": "China", "actor_sentiment": "neutral", "min_sentiment": 0}, [7, 4]),
        (
            {
                "actor": ["United States", "China"],
                "actor_sentiment": "negative",
                "outlet": "China Daily",
                "author": "Dmitri Trenin",
                "topic": "economy",
                "sentiment": "negative",
                "from": "2021-04-20",
                "to": "2021-04-20",
                "genre": "opinion",
                "language": "en",
                "q": "crisis",
            },
            [6],
        ),
        ({"actor": "NATO", "outlet": "China Daily"}, []),
    ],
)
def test_filters_combine(
    client: TestClient, lens_corpus: list[int], params: dict[str, Any], expected: list[int]
) -> None:
    assert sorted(found(client, lens_corpus, **params)) == sorted(expected)
    if "q" not in params:
        assert found(client, lens_corpus, **params) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-published", NEWEST_FIRST),
        ("published", [7, 1, 5, 0, 2, 3, 6, 4]),
        # most negative first, then by id; unanalysed articles have no score and are left out
        ("sentiment", [1, 2, 5, 6, 0, 4, 3, 7]),
        ("-sentiment", [7, 3, 4, 0, 6, 5, 2, 1]),
    ],
)
def test_orders(client: TestClient, lens_corpus: list[int], sort: str, expected: list[int]) -> None:
    assert found(client, lens_corpus, sort=sort) == expected


def test_relevance_ranks_title_matches_first_and_is_the_default_with_q(
    client: TestClient, lens_corpus: list[int]
) -> None:
    # "trade" is in the title and the text of 6, only in the text of 1
    assert found(client, lens_corpus, q="trade") == [6, 1]
    assert found(client, lens_corpus, q="trade", sort="relevance") == [6, 1]
    assert found(client, lens_corpus, q="india") == found(client, lens_corpus, q="India")
    assert set(found(client, lens_corpus, q="india")) == {1, 3, 4, 5, 7}


def test_items_carry_the_summary_and_the_matched_actors(
    client: TestClient, lens_corpus: list[int]
) -> None:
    page = client.get("/v1/articles", params={"actor": "India", "outlet": "Global Times"}).json()
    item = next(i for i in page["items"] if i["id"] == lens_corpus[1])

    assert item["title"] == "India border talks"
    assert item["outlet"] == "Global Times"
    assert item["authors"] == ["Hu Xijin"]
    assert item["published"] == "2021-03-10"
    assert item["url"] is None
    assert item["genre"] == "opinion"
    assert item["language"] == "en"
    assert item["sentiment"] == {"label": "negative", "score": -0.6}
    assert [t["code"] for t in item["topics"]] == ["economy", "world"]
    assert {a["name"]: a["sentiment"]["label"] for a in item["actors"]} == {
        "India": "negative",
        "China": "neutral",
    }
    assert [(a["name"], a["sentiment"]["label"]) for a in item["matched_actors"]] == [
        ("India", "negative")
    ]
    unfiltered = client.get("/v1/articles", params={"outlet": "Global Times"}).json()
    assert all(i["matched_actors"] == [] for i in unfiltered["items"])


def test_fields_return_lighter_items(client: TestClient, lens_corpus: list[int]) -> None:
    page = client.get(
        "/v1/articles", params={"fields": "title, published", "limit": 2, "actor": "China"}
    ).json()

    assert [set(item) for item in page["items"]] == [{"id", "title", "published"}] * 2
    assert page["items"][0] == {
        "id": lens_corpus[6],
        "title": "Trade crisis deepens",
        "published": "2021-04-20",
    }
    assert page["next_cursor"] is not None
    with_actors = client.get("/v1/articles", params={"fields": "matched_actors", "actor": "RT"})
    assert with_actors.status_code == 422  # RT is an outlet, not an actor
    with_actors = client.get("/v1/articles", params={"fields": "matched_actors", "actor": "Lavrov"})
    assert with_actors.json()["items"][0]["matched_actors"][0]["name"] == "Sergei Lavrov"


@pytest.mark.parametrize(
    ("params", "field", "kind"),
    [
        ({"actor": "Atlantis"}, ["query", "actor", 0], "unknown-actor"),
        ({"outlet": ["RT", "Daily Planet"]}, ["query", "outlet", 1], "unknown-name"),
        ({"author": "Nobody Atall"}, ["query", "author", 0], "unknown-name"),
        ({"topic": "astrology"}, ["query", "topic", 0], "unknown-name"),
        ({"actor_sentiment": "negative"}, ["query", "actor_sentiment"], "validation"),
        ({"sort": "relevance"}, ["query", "sort"], "validation"),
        ({"min_sentiment": 0.5, "max_sentiment": 0.1}, ["query", "min_sentiment"], "validation"),
        ({"min_sentiment": -2}, ["query", "min_sentiment"], "validation"),
        ({"from": "2021-05-01", "to": "2021-04-01"}, ["query", "from"], "validation"),
        ({"q": ";;; --"}, ["query", "q"], "validation"),
        ({"actor_mode": "most"}, ["query", "actor_mode"], "validation"),
        ({"sentiment": "angry"}, ["query", "sentiment"], "validation"),
        ({"sort": "title"}, ["query", "sort"], "validation"),
        ({"fields": "id,body"}, ["query", "fields"], "validation"),
    ],
)
def test_bad_filters_are_422_naming_the_field(
    client: TestClient, params: dict[str, Any], field: list[Any], kind: str
) -> None:
    body = assert_problem(client.get("/v1/articles", params=params), 422)

    assert body["type"].endswith(kind)
    assert body["errors"][0]["loc"] == field
    if kind.startswith("unknown"):
        assert str(params[field[1]] if field[1] != "outlet" else "Daily Planet") in body["detail"]


def test_outlet_author_and_actor_filters_take_ids(
    client: TestClient, lens_corpus: list[int]
) -> None:
    rt = next(o["id"] for o in client.get("/v1/outlets", params={"q": "rt"}).json()["items"])
    trenin = client.get("/v1/authors", params={"q": "trenin"}).json()["items"][0]["id"]
    nato = client.get("/v1/actors", params={"q": "nato"}).json()["items"][0]["id"]

    assert found(client, lens_corpus, outlet=str(rt)) == [3, 2]
    assert found(client, lens_corpus, author=str(trenin)) == [6, 0]
    assert found(client, lens_corpus, actor=str(nato)) == [2]
    assert found(client, lens_corpus, outlet=[str(rt), "China Daily"], actor=str(nato)) == [2]


@pytest.mark.parametrize("sort", ["sentiment", "-sentiment"])
def test_sentiment_filters_combine_with_a_sentiment_order(
    client: TestClient, lens_corpus: list[int], sort: str
) -> None:
    # Was a 500: the filter's EXISTS correlated to the sort's join (found by test_fuzz.py).
    negative = set(found(client, lens_corpus, sentiment="negative"))
    in_order = found(client, lens_corpus, sort=sort)

    filtered = found(client, lens_corpus, sort=sort, sentiment="negative", max_sentiment=-0.2)

    assert filtered == [i for i in in_order if i in negative]
    assert filtered
