"""Every error is application/problem+json, stores nothing, and leaks no internals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.services import ingest
from tests.conftest import article_payload, count_articles, make_settings


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def _raw(body: bytes) -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": "application/json"}}


BAD_ARTICLES = {
    "malformed json": (_raw(b'{"text": "unterminated'), 400, None),
    "not an object": ({"json": ["a", "list"]}, 422, None),
    "text missing": ({"json": {"title": "No text"}}, 422, ["body", "text"]),
    "text wrong type": ({"json": {"text": 5}}, 422, ["body", "text"]),
    "text empty": ({"json": {"text": ""}}, 422, ["body", "text"]),
    "text whitespace only": ({"json": {"text": " \n\t "}}, 422, ["body", "text"]),
    "text lone surrogate": (_raw(b'{"text": "bad \\ud800 char"}'), 422, ["body", "text"]),
    "text with NUL": ({"json": {"text": "nul \u0000 char"}}, 422, ["body", "text"]),
    "not utf-8": (_raw('{"text": "café"}'.encode("latin-1")), 400, None),
    "unknown field": ({"json": {"text": "ok", "colour": "red"}}, 422, ["body", "colour"]),
    "authors not a list": (
        {"json": {"text": "ok", "authors": "A. Writer"}},
        422,
        ["body", "authors"],
    ),
    "bad date": ({"json": {"text": "ok", "published": "2021-02-30"}}, 422, ["body", "published"]),
    "bad genre": ({"json": {"text": "ok", "genre": "satire"}}, 422, ["body", "genre"]),
    "bad url": ({"json": {"text": "ok", "url": "ftp://x"}}, 422, ["body", "url"]),
    # U+0085 is whitespace to strip(): the name was once stripped after its length was checked,
    # passed as "", and failed where the article is read (a 500; found by the fuzz)
    "author that strips to nothing": ({"json": {"text": "ok", "authors": ["\x85"]}}, 422, None),
    "title that strips to nothing": (
        {"json": {"text": "ok", "title": "\x85"}},
        422,
        ["body", "title"],
    ),
}


@pytest.mark.parametrize("case", BAD_ARTICLES.values(), ids=BAD_ARTICLES.keys())
def test_bad_article_is_a_clear_4xx_and_stores_nothing(
    client: TestClient,
    session_factory: sessionmaker[Session],
    case: tuple[dict[str, Any], int, list[str] | None],
) -> None:
    request, status, loc = case

    body = assert_problem(client.post("/v1/articles", **request), status)

    if loc is not None:
        assert loc in [error["loc"] for error in body["errors"]]
        assert {"loc", "msg", "type"} == set(body["errors"][0])
    assert count_articles(session_factory) == 0


def test_text_over_the_limit_is_rejected(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with TestClient(create_app(make_settings(database_url, max_text_chars=100))) as test_client:
        body = assert_problem(test_client.post("/v1/articles", json={"text": "x" * 101}), 422)
        assert test_client.post("/v1/articles", json={"text": "x" * 100}).status_code == 202

    assert body["errors"][0]["loc"] == ["body", "text"]
    assert count_articles(session_factory) == 1


def test_body_over_the_limit_is_413_by_content_length(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with TestClient(create_app(make_settings(database_url, max_body_bytes=1024))) as test_client:
        body = json.dumps({"text": "x" * 2000}).encode()
        assert_problem(test_client.post("/v1/articles", **_raw(body)), 413)

    assert count_articles(session_factory) == 0


def test_body_over_the_limit_is_413_when_streamed(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    with TestClient(create_app(make_settings(database_url, max_body_bytes=1024))) as test_client:
        # No Content-Length: the body arrives chunked and is counted as it streams.
        response = test_client.post(
            "/v1/articles", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.request.headers.get("transfer-encoding") == "chunked"
        assert_problem(response, 413)

    assert count_articles(session_factory) == 0


def test_unknown_article_is_404(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/articles/999999"), 404)

    assert "999999" in body["detail"]


def test_non_numeric_id_is_422(client: TestClient) -> None:
    assert_problem(client.get("/v1/articles/abc"), 422)


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404)
    response = client.delete("/v1/articles/1")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_unhandled_error_is_500_without_internals(
    settings: Any, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(ingest, "ingest_one", explode)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        response = test_client.post("/v1/articles", json=article_payload())

    body = assert_problem(response, 500)
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["type"] == "about:blank"
