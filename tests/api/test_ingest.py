"""POST /v1/articles and /v1/articles/batch: storing, idempotency, all-or-nothing batches."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import Article, Outlet
from tests.conftest import article_payload, count_articles, make_settings


def test_ingest_stores_pending_article(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    payload = article_payload(published="2021-03-22T10:30:00+03:00")
    response = client.post("/v1/articles", json=payload)

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert response.headers["location"] == f"/v1/articles/{body['id']}"
    stored = client.get(response.headers["location"]).json()
    assert stored["text"] == payload["text"]
    assert stored["outlet"] == "China Daily"
    assert stored["authors"] == ["Dmitri Trenin"]
    assert stored["published"] == "2021-03-22T07:30:00Z"
    assert stored["genre"] == "opinion"
    assert stored["attempts"] == 0
    assert stored["sentiment"] is None
    assert stored["actors"] == []
    assert count_articles(session_factory) == 1


def test_minimal_article_needs_only_text(client: TestClient) -> None:
    response = client.post("/v1/articles", json={"text": "Just text."})

    assert response.status_code == 202
    stored = client.get(response.headers["location"]).json()
    assert stored["title"] is None
    assert stored["outlet"] is None
    assert stored["published"] is None
    assert stored["genre"] == "unknown"


def test_date_only_published_stays_a_date(client: TestClient) -> None:
    location = client.post("/v1/articles", json=article_payload(published="2021-03-22")).headers[
        "location"
    ]

    assert client.get(location).json()["published"] == "2021-03-22"


def test_same_url_and_text_returns_existing_article(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    first = client.post("/v1/articles", json=article_payload(url="https://example.com/a"))
    again = client.post("/v1/articles", json=article_payload(url="https://example.com/a"))

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert count_articles(session_factory) == 1


def test_same_outlet_title_and_text_returns_existing_article(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    first = client.post("/v1/articles", json=article_payload(url=None))
    # The outlet is matched like a name: case and spacing do not make a new article.
    again = client.post("/v1/articles", json=article_payload(url=None, outlet="  china   DAILY "))
    other_outlet = client.post(
        "/v1/articles", json=article_payload(url=None, outlet="Global Times")
    )

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert other_outlet.status_code == 202
    assert count_articles(session_factory) == 2
    with session_factory() as session:
        assert sorted(session.scalars(select(Outlet.name))) == ["China Daily", "Global Times"]


def test_concurrent_identical_requests_store_one_article(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    payload = article_payload()
    results: list[tuple[int, int]] = []
    barrier = threading.Barrier(4)
    with TestClient(create_app(settings)) as test_client:

        def post() -> None:
            barrier.wait()
            response = test_client.post("/v1/articles", json=payload)
            results.append((response.status_code, response.json()["id"]))

        threads = [threading.Thread(target=post) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert len({article_id for _, article_id in results}) == 1
    assert sorted(code for code, _ in results) == [200, 200, 200, 202]
    assert count_articles(session_factory) == 1


def test_batch_answers_per_item(client: TestClient, session_factory: sessionmaker[Session]) -> None:
    existing = client.post(
        "/v1/articles", json=article_payload(url="https://example.com/old")
    ).json()
    batch = [
        article_payload(url="https://example.com/new-1", text="First new."),
        article_payload(url="https://example.com/old", text="Old, edited."),
        article_payload(
            url="https://example.com/new-2", text="Second new.", authors=["A. One", "b. two"]
        ),
        article_payload(
            url="https://example.com/new-1", text="First new."
        ),  # repeated in the batch
    ]

    response = client.post("/v1/articles/batch", json={"articles": batch})

    assert response.status_code == 202
    items = response.json()["items"]
    assert [item["index"] for item in items] == [0, 1, 2, 3]
    assert [item["created"] for item in items] == [True, False, True, False]
    assert items[1]["id"] == existing["id"]
    assert items[3]["id"] == items[0]["id"]
    assert count_articles(session_factory) == 3
    assert client.get(f"/v1/articles/{items[2]['id']}").json()["authors"] == ["A. One", "b. two"]


def test_batch_of_known_articles_answers_200(client: TestClient) -> None:
    payload = article_payload()
    client.post("/v1/articles", json=payload)

    response = client.post("/v1/articles/batch", json={"articles": [payload]})

    assert response.status_code == 200
    assert response.json()["items"][0]["created"] is False


def test_batch_over_the_limit_is_rejected(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with TestClient(create_app(make_settings(database_url, max_batch_size=2))) as test_client:
        response = test_client.post(
            "/v1/articles/batch", json={"articles": [article_payload() for _ in range(3)]}
        )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"] == ["body", "articles"]
    assert count_articles(session_factory) == 0


def test_batch_with_one_bad_article_stores_nothing(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    batch = [
        article_payload(text="Fine."),
        article_payload(text="   "),
        article_payload(text="Also fine."),
        article_payload(text="Bad genre.", genre="satire"),
    ]

    response = client.post("/v1/articles/batch", json={"articles": batch})

    assert response.status_code == 422
    bad = sorted(error["loc"][2] for error in response.json()["errors"])
    assert bad == [1, 3]
    assert count_articles(session_factory) == 0


def test_articles_keep_their_text_byte_for_byte(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    text = "  Lavrov said: «Нет» — 中国.\r\n\tNext line. "
    article_id = client.post("/v1/articles", json=article_payload(text=text)).json()["id"]

    with session_factory() as session:
        assert session.get_one(Article, article_id).text == text
