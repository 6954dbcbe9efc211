"""Text the database cannot hold (a NUL, a lone surrogate) in a query string, a path or a body is
a 422 naming the parameter, on SQLite and PostgreSQL alike: never a 5xx, never a 503 that asks
the client to retry, and nothing stored. The rule is app/schemas/text.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from app.schemas.text import STORABLE_PATTERN, Storable
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, count_articles

NUL = "a\x00b"
NUL_IN_URL = "a%00b"  # httpx refuses a raw NUL in a path


@pytest.fixture
def actor_id(client: TestClient, drain: Callable[[], int]) -> int:
    """One analysed article, so that the actor-scoped routes reach their queries."""
    response = client.post("/v1/articles", json=article_payload())
    assert response.status_code == 202, response.text
    assert drain() == 1
    actor: int = client.get("/v1/actors").json()["items"][0]["id"]
    return actor


def _locs(body: dict[str, Any]) -> list[list[Any]]:
    return [error["loc"] for error in body.get("errors", [])]


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        # the cases of issue #19, as schemathesis sent them
        ("/v1/outlets?q=v%C2%B9L%08w%C3%BA%19%00", ["query", "q"]),
        ("/v1/articles?q=a%00b", ["query", "q"]),
        ("/v1/actors/{actor}/timeline?outlet=China%20Daily&outlet=x&outlet=y%00z", None),
    ],
)
def test_issue_19_urls_are_422_naming_the_parameter(
    client: TestClient,
    actor_id: int,
    session_factory: sessionmaker[Session],
    url: str,
    loc: list[Any] | None,
) -> None:
    body = assert_problem(client.get(url.format(actor=actor_id)), 422)

    assert _locs(body) == [loc or ["query", "outlet", 2]]
    assert "NUL" in body["errors"][0]["msg"]
    assert count_articles(session_factory) == 1


def _valid_path(path: str, actor_id: int) -> str:
    return (
        path.replace("{actor_id}", str(actor_id))
        .replace("{article_id}", "1")
        .replace("{outlet_id}", "1")
        .replace("{author_id}", "1")
    )


def test_nul_in_any_parameter_of_any_operation_is_422(
    client: TestClient, actor_id: int, session_factory: sessionmaker[Session]
) -> None:
    """Every query and path parameter the OpenAPI document lists, whatever its type."""
    checked = 0
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                where, name = parameter["in"], parameter["name"]
                if where == "path":
                    url, params = _valid_path(path.replace(f"{{{name}}}", NUL_IN_URL), actor_id), {}
                elif where == "query":
                    url, params = _valid_path(path, actor_id), {name: NUL}
                else:
                    continue
                body = {"json": {}} if method == "post" else {}
                response = client.request(method, url, params=params, **body)
                what = f"{method.upper()} {path} {where} {name}"
                assert response.status_code == 422, f"{what}: {response.text}"
                assert [where, name] in [loc[:2] for loc in _locs(response.json())], what
                checked += 1
    assert checked > 40  # the walk found the parameters
    assert count_articles(session_factory) == 1


@pytest.mark.parametrize("field", ["outlet", "actor"])
def test_nul_in_a_reannotate_filter_is_422(
    client: TestClient, actor_id: int, session_factory: sessionmaker[Session], field: str
) -> None:
    response = client.post("/v1/reannotate", json={field: ["China Daily", NUL], "all": True})

    assert _locs(assert_problem(response, 422)) == [["body", field, 1]]


def test_a_percent_encoded_surrogate_never_reaches_the_database(client: TestClient) -> None:
    # A URL cannot carry a lone surrogate: its UTF-8 bytes decode to U+FFFD, ordinary text.
    for path in ("/v1/outlets", "/v1/articles"):
        response = client.get(f"{path}?q=a%ED%A0%80b")
        assert response.status_code < 500, response.text


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "\x00", "ok\x00"])
def test_storable_refuses_what_the_database_cannot_hold(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Storable).validate_python(value)


def test_storable_is_documented_as_a_pattern() -> None:
    schema = TypeAdapter(Storable).json_schema()

    assert schema == {"type": "string", "pattern": STORABLE_PATTERN}
    assert "\x00" not in STORABLE_PATTERN  # the document holds no raw NUL


@pytest.mark.parametrize(
    "body",
    [{"html": "\x00"}, {"text": "a\x00b"}, {"text": " \n "}, {"html": "\ud800"}],
    ids=["NUL page", "NUL text", "blank text", "lone surrogate"],
)
def test_analyze_refuses_what_ingest_refuses(client: TestClient, body: dict[str, str]) -> None:
    # POST /v1/analyze builds an article from its body: a body the article refuses was a 500
    field = next(iter(body))
    raw = json.dumps(body).encode()  # json.dumps escapes the surrogate as JSON may

    response = client.post("/v1/analyze", content=raw, headers={"content-type": "application/json"})

    assert _locs(assert_problem(response, 422)) == [["body", field]]


@pytest.mark.parametrize("name", ["actor", "outlet", "author", "topic"])
def test_a_blank_name_filter_is_422_as_documented(client: TestClient, name: str) -> None:
    # It names nothing: the document says so (a pattern), and the answer names the parameter.
    body = assert_problem(client.get("/v1/articles", params={name: ["China Daily", " "]}), 422)

    assert _locs(body) == [["query", name, 1]]
