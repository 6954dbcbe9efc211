"""Institutions: actors of their own, `part_of` their country in the actor views, and
`include_parts` letting an actor filter match them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_errors import assert_problem
from tests.conftest import article_payload

_TEXTS = (
    "The White House condemned the crisis on Monday.",
    "Washington and Beijing met to talk about trade.",
    "Moscow praised its partner.",
)


def _store(client: TestClient, drain: Callable[[], int]) -> list[int]:
    ids = []
    for text in _TEXTS:
        response = client.post("/v1/articles", json=article_payload(text=text))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    assert drain() == len(_TEXTS)
    return ids


def _actor(client: TestClient, name: str) -> dict[str, Any]:
    items = client.get("/v1/actors", params={"q": name}).json()["items"]
    found: dict[str, Any] = next(a for a in items if a["name"] == name)
    return found


def _ids(client: TestClient, **params: Any) -> list[int]:
    response = client.get("/v1/articles", params={**params, "fields": "id"})
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


def test_an_institution_is_its_own_actor_part_of_its_country(
    client: TestClient, drain: Callable[[], int]
) -> None:
    _store(client, drain)
    usa = _actor(client, "United States")
    white_house = _actor(client, "White House")

    assert white_house["key"] == "org:white house"
    assert white_house["part_of"] == {
        "id": usa["id"],
        "key": "country:USA",
        "name": "United States",
        "kind": "country",
    }
    assert usa["part_of"] is None
    profile = client.get(f"/v1/actors/{usa['id']}").json()
    assert [p["name"] for p in profile["parts"]] == ["White House"]
    assert profile["part_of"] is None
    institution = client.get(f"/v1/actors/{white_house['id']}").json()
    assert institution["part_of"]["key"] == "country:USA"
    assert institution["parts"] == []


def test_include_parts_lets_a_filter_match_the_actors_part_of_it(
    client: TestClient, drain: Callable[[], int]
) -> None:
    white_house, washington, _ = _store(client, drain)

    assert _ids(client, actor="United States") == [washington]
    assert _ids(client, actor="United States", include_parts="true") == sorted(
        [white_house, washington]
    )
    # the institution itself has no parts: the filter is unchanged
    assert _ids(client, actor="White House", include_parts="true") == [white_house]
    # with several actors each one takes its parts
    assert _ids(client, actor=["United States", "China"], include_parts="true") == [washington]
    assert _ids(
        client, actor=["United States", "Russia"], actor_mode="any", include_parts="true"
    ) == sorted(_ids(client, actor=["White House", "United States", "Russia"], actor_mode="any"))
    matched = client.get(
        "/v1/articles",
        params={"actor": "United States", "include_parts": "true", "fields": "id,matched_actors"},
    ).json()["items"]
    assert {a["name"] for item in matched for a in item["matched_actors"]} == {
        "United States",
        "White House",
    }
    assert_problem(client.get("/v1/articles", params={"include_parts": "true"}), 422)


def test_include_parts_is_documented_with_an_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    parameters = schema["paths"]["/v1/articles"]["get"]["parameters"]
    include_parts = next(p for p in parameters if p["name"] == "include_parts")
    assert "White House" in include_parts["description"]
    assert include_parts["schema"]["type"] == "boolean"


def test_the_article_view_gives_each_actors_part_of(
    client: TestClient, drain: Callable[[], int]
) -> None:
    white_house, washington, _ = _store(client, drain)
    usa = _actor(client, "United States")

    actors = {a["name"]: a for a in client.get(f"/v1/articles/{white_house}").json()["actors"]}
    assert actors["White House"]["part_of"] == {
        "id": usa["id"],
        "key": "country:USA",
        "name": "United States",
        "kind": "country",
    }
    others = client.get(f"/v1/articles/{washington}").json()["actors"]
    assert all(a["part_of"] is None for a in others)
