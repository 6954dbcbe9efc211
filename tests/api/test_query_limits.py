"""Configured bounds on a query: actors per search, timeline periods, page size; each a 422."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, make_settings


@pytest.fixture
def bounded(database_url: str, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    settings = make_settings(database_url, max_query_actors=2, max_timeline_periods=10)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/articles/export"])
def test_too_many_actors_is_422(bounded: TestClient, path: str) -> None:
    body = assert_problem(bounded.get(path, params={"actor": ["A", "B", "C"]}), 422)

    assert "at most 2 actors" in body["detail"]
    assert "LENS_MAX_QUERY_ACTORS" in body["detail"]
    assert body["errors"][0]["loc"] == ["query", "actor"]


def test_the_default_bound_on_actors(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/articles", params={"actor": ["x"] * 11}), 422)
    assert "at most 10 actors" in body["detail"]


def test_a_timeline_with_too_many_periods_is_422(
    bounded: TestClient, drain: Callable[[], int]
) -> None:
    assert bounded.post("/v1/articles", json=article_payload()).status_code == 202
    assert drain() == 1
    actor = bounded.get("/v1/actors", params={"q": "russia"}).json()["items"][0]["id"]
    path = f"/v1/actors/{actor}/timeline"

    ten_days = {"interval": "day", "from": "2021-03-01", "to": "2021-03-10"}
    assert len(bounded.get(path, params=ten_days).json()["points"]) == 10

    eleven_days = {**ten_days, "to": "2021-03-11"}
    body = assert_problem(bounded.get(path, params=eleven_days), 422)
    assert "more than 10 periods" in body["detail"]
    assert "LENS_MAX_TIMELINE_PERIODS" in body["detail"]
    # The same range by week is two periods.
    assert bounded.get(path, params={**eleven_days, "interval": "week"}).status_code == 200


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/actors", "/v1/outlets", "/v1/runs"])
def test_a_page_over_the_maximum_is_422_not_clamped(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path, params={"limit": 101}), 422)

    assert "between 1 and 100" in body["detail"]
    assert client.get(path, params={"limit": 100}).status_code == 200
