"""Outlets, authors and topics: lists with counts and profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.api.search_corpus import walk
from tests.api.test_errors import assert_problem
from tests.conftest import make_settings

pytestmark = pytest.mark.usefixtures("lens_corpus")


def _id(client: TestClient, path: str, name: str) -> int:
    items = client.get(path, params={"q": name}).json()["items"]
    return int(next(i["id"] for i in items if i["name"] == name))


def test_outlets_are_searchable_and_paginated(client: TestClient) -> None:
    assert [
        o["name"] for o in client.get("/v1/outlets", params={"q": "TIMES"}).json()["items"]
    ] == ["Global Times"]
    outlets = walk(client, "/v1/outlets", limit=2)
    assert [(o["name"], o["article_count"]) for o in outlets][:3] == [
        ("China Daily", 2),
        ("Global Times", 2),
        ("RT", 2),
    ]
    assert len(outlets) == 5


def test_outlet_profile(client: TestClient) -> None:
    profile = client.get(f"/v1/outlets/{_id(client, '/v1/outlets', 'China Daily')}").json()

    assert profile["name"] == "China Daily"
    assert profile["article_count"] == 2
    assert profile["first_published"].startswith("2021-03-24")
    assert profile["last_published"].startswith("2021-04-20")
    # documents: one neutral (0.0), one negative (-0.6)
    assert profile["sentiment"] == {"mean": -0.3, "negative": 1, "neutral": 1, "positive": 0}
    actors = {
        a["actor"]["name"]: (a["articles"], a["sentiment"]["mean"]) for a in profile["top_actors"]
    }
    assert actors == {"China": (2, 0.0), "United States": (2, -0.6), "Russia": (1, 0.6)}
    assert [a["articles"] for a in profile["top_actors"]] == [2, 2, 1]
    topics = {t["code"]: (t["articles"], t["share"]) for t in profile["topics"]}
    assert topics == {"world": (2, 1.0), "economy": (1, 0.5), "politics": (1, 0.5)}
    assert profile["topics"][0]["code"] == "world"
    subtopics = {(t["code"], t["parent"]): t["share"] for t in profile["subtopics"]}
    assert subtopics == {("trade", "economy"): 0.5, ("diplomacy", "politics"): 0.5}
    assert_problem(client.get("/v1/outlets/999999"), 404)


def test_authors_listed_with_counts(client: TestClient) -> None:
    authors = walk(client, "/v1/authors", limit=2)

    counts = {a["name"]: a["article_count"] for a in authors}
    assert counts == {
        "Dmitri Trenin": 2,
        "Hu Xijin": 2,
        "Anna Ivanova": 2,
        "Boris Petrov": 1,
        "Jean Dupont": 1,
    }
    assert [a["article_count"] for a in authors] == [2, 2, 2, 1, 1]
    found = client.get("/v1/authors", params={"q": "trenin"}).json()["items"]
    assert [a["name"] for a in found] == ["Dmitri Trenin"]


def test_author_profile(client: TestClient) -> None:
    profile = client.get(f"/v1/authors/{_id(client, '/v1/authors', 'Anna Ivanova')}").json()

    assert profile["article_count"] == 2
    assert profile["outlets"][0]["name"] == "RT"
    assert profile["outlets"][0]["articles"] == 2
    assert profile["sentiment"] == {"mean": 0.0, "negative": 1, "neutral": 0, "positive": 1}
    actors = {a["actor"]["name"]: (a["articles"], a["sentiment"]) for a in profile["top_actors"]}
    assert actors["Russia"] == (2, {"mean": 0.0, "negative": 1, "neutral": 0, "positive": 1})
    assert set(actors) == {"Russia", "India", "NATO", "Sergei Lavrov"}
    assert profile["top_actors"][0]["actor"]["name"] == "Russia"
    assert [t["code"] for t in profile["topics"]][:2] == ["politics", "world"]
    limited = client.get(f"/v1/authors/{profile['id']}", params={"actors": 1}).json()
    assert [a["actor"]["name"] for a in limited["top_actors"]] == ["Russia"]
    assert_problem(client.get("/v1/authors/999999"), 404)


def test_topics_list_the_taxonomy_then_other_stored_topics(client: TestClient) -> None:
    topics = client.get("/v1/topics").json()

    taxonomy = [t for t in topics if t["in_taxonomy"]]
    assert len(taxonomy) == 17
    assert taxonomy[10]["code"] == "medtop:11000000"
    assert taxonomy[10]["label"] == "politics"
    assert taxonomy[10]["description"]
    # the fake analyzer's codes are not IPTC codes: listed after the taxonomy, by count
    others = [(t["code"], t["article_count"], t["parent"]) for t in topics if not t["in_taxonomy"]]
    assert others == [
        ("world", 8, None),
        ("diplomacy", 6, "politics"),
        ("politics", 6, None),
        ("economy", 2, None),
        ("trade", 2, "economy"),
    ]


def test_topics_list_the_subtopics_under_their_top_level_topic(client: TestClient) -> None:
    politics = next(t for t in client.get("/v1/topics").json() if t["code"] == "medtop:11000000")

    subtopics = {t["code"]: t for t in politics["subtopics"]}
    relations = subtopics["medtop:20000638"]
    assert relations["label"] == "international relations"
    assert relations["parent"] == "medtop:11000000"
    assert relations["in_taxonomy"]
    assert relations["description"]
    assert relations["article_count"] == 0  # the fake analyzer's codes are not IPTC codes
    assert all(t["parent"] == "medtop:11000000" for t in politics["subtopics"])


def test_a_configured_taxonomy_is_used(
    database_url: str, tmp_path: Path, lens_corpus: list[int]
) -> None:
    path = tmp_path / "topics.json"
    path.write_text(
        json.dumps(
            [
                {"code": "economy", "label": "Money", "description": "Trade and markets."},
                {"code": "sport", "label": "Sport", "description": "Games."},
            ]
        )
    )
    with TestClient(create_app(make_settings(database_url, taxonomy_path=path))) as client:
        topics = [
            (t["code"], t["label"], t["article_count"], t["in_taxonomy"])
            for t in client.get("/v1/topics").json()
        ]
        assert topics[:2] == [("economy", "Money", 2, True), ("sport", "Sport", 0, True)]
        # a taxonomy label filters by its code
        items = client.get("/v1/articles", params={"topic": "money"}).json()["items"]
        assert {i["id"] for i in items} == {lens_corpus[1], lens_corpus[6]}


def test_a_configured_subtopic_taxonomy_is_listed_and_filters_on_both_levels(
    database_url: str, tmp_path: Path, lens_corpus: list[int]
) -> None:
    top = tmp_path / "topics.json"
    top.write_text(
        json.dumps(
            [
                {"code": "politics", "label": "Power", "description": "Governments."},
                {"code": "economy", "label": "Money", "description": "Markets."},
            ]
        )
    )
    sub = tmp_path / "subtopics.json"
    sub.write_text(
        json.dumps(
            [
                {"code": "diplomacy", "label": "Statecraft", "description": "Talks.",
                 "parent": "politics"},
                {"code": "elections", "label": "Votes", "description": "Polls.",
                 "parent": "politics"},
                {"code": "orphan", "label": "Orphan", "description": "No parent listed.",
                 "parent": "sport"},
            ]
        )
    )  # fmt: skip
    settings = make_settings(database_url, taxonomy_path=top, subtopic_taxonomy_path=sub)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/v1/topics").json()
        power = listed[0]
        assert (power["code"], power["label"], power["article_count"]) == ("politics", "Power", 6)
        assert [(t["code"], t["label"], t["article_count"]) for t in power["subtopics"]] == [
            ("diplomacy", "Statecraft", 6),
            ("elections", "Votes", 0),
        ]
        # a subtopic whose parent the top level lacks is not part of the tree
        assert "orphan" not in {t["code"] for t in listed}
        politics = {i["id"] for i in client.get("/v1/articles", params={"topic": "power"}).json()[
            "items"
        ]}  # fmt: skip
        for term in ("statecraft", "DIPLOMACY"):
            items = client.get("/v1/articles", params={"topic": term, "limit": 50}).json()
            assert {i["id"] for i in items["items"]} == politics
            assert all(i["subtopics"][0]["parent"] == "politics" for i in items["items"])
        trade = client.get("/v1/articles", params={"topic": "trade"}).json()["items"]
        assert {i["id"] for i in trade} == {lens_corpus[1], lens_corpus[6]}
