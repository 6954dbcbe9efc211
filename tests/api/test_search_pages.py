"""Cursor pages of GET /v1/articles: complete, in order, and stable while articles arrive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.search_corpus import CORPUS, Doc, post, walk
from tests.api.test_errors import assert_problem

ORDERS: list[dict[str, Any]] = [
    {"sort": "-published"},
    {"sort": "published"},
    {"sort": "sentiment"},
    {"sort": "-sentiment"},
    {"q": "china OR india OR russia OR washington"},
    {"q": "china OR india", "sort": "-published"},
    # on PostgreSQL, articles matched only by the negation rank 0 (RUM's distance: infinite)
    {"q": "china OR -trade"},
    {"actor": "China"},
    {"actor": "China", "sort": "published"},
    {"actor": ["India", "China"], "actor_mode": "any", "sort": "-sentiment"},
]


@pytest.mark.parametrize("params", ORDERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
@pytest.mark.parametrize("limit", [1, 3])
def test_pages_cover_every_match_once_in_order(
    client: TestClient, lens_corpus: list[int], params: dict[str, Any], limit: int
) -> None:
    whole = client.get("/v1/articles", params=params | {"limit": 100}).json()
    paged = walk(client, "/v1/articles", **params, limit=limit)

    assert whole["next_cursor"] is None
    assert len(whole["items"]) > limit
    assert [i["id"] for i in paged] == [i["id"] for i in whole["items"]]


def test_new_articles_never_shift_a_traversal(
    client: TestClient, lens_corpus: list[int], drain: Callable[[], int]
) -> None:
    expected = [i["id"] for i in client.get("/v1/articles", params={"limit": 100}).json()["items"]]
    first = client.get("/v1/articles", params={"limit": 3}).json()
    # newer than everything, in the middle of the order, and undated: none may show up, shift
    # or repeat items in this traversal
    for published in ("2022-01-01", "2021-03-25", None):
        post(client, Doc("RT", [], published, "Late news", f"China again on {published}."))
    drain()
    rest = walk(client, "/v1/articles", limit=3, cursor=first["next_cursor"])

    assert [i["id"] for i in first["items"]] + [i["id"] for i in rest] == expected
    fresh = client.get("/v1/articles", params={"limit": 100}).json()["items"]
    assert len(fresh) == len(CORPUS) + 3


def test_a_cursor_belongs_to_its_order(client: TestClient, lens_corpus: list[int]) -> None:
    cursor = client.get("/v1/articles", params={"limit": 1, "sort": "sentiment"}).json()[
        "next_cursor"
    ]

    body = assert_problem(client.get("/v1/articles", params={"cursor": cursor}), 400)
    assert body["type"].endswith("invalid-cursor")
    again = client.get("/v1/articles", params={"cursor": cursor, "sort": "sentiment"})
    assert again.status_code == 200
