"""The OpenAPI document describes every endpoint, parameter and error of the read side."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.db import migrate
from app.main import create_app
from app.schemas.problem import PROBLEM_MEDIA_TYPE
from app.schemas.text import NOT_BLANK_PATTERN, STORABLE_PATTERN
from tests.conftest import make_settings

READ_SIDE = [
    ("get", "/v1/articles"),
    ("get", "/v1/articles/export"),
    ("get", "/v1/actors"),
    ("get", "/v1/actors/{actor_id}"),
    ("get", "/v1/actors/{actor_id}/timeline"),
    ("get", "/v1/outlets"),
    ("get", "/v1/outlets/{outlet_id}"),
    ("get", "/v1/authors"),
    ("get", "/v1/authors/{author_id}"),
    ("get", "/v1/topics"),
    ("post", "/v1/analyze"),
]


@pytest.fixture
def client_for_fields(tmp_path: Any) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'lens.db'}"
    migrate(url)
    with TestClient(create_app(make_settings(url))) as client:
        yield client


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    app = create_app(make_settings("sqlite://"))
    document: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return document


@pytest.mark.parametrize(("method", "path"), READ_SIDE)
def test_every_operation_parameter_and_error_is_documented(
    spec: dict[str, Any], method: str, path: str
) -> None:
    operation = spec["paths"][path][method]

    assert operation["summary"]
    assert operation.get("description")
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), f"{path}: {parameter['name']} is not described"
    errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
    assert "503" in errors
    for code, response in errors.items():
        assert list(response["content"]) == [PROBLEM_MEDIA_TYPE], f"{path} {code}"


def test_search_parameters_carry_examples(spec: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in spec["paths"]["/v1/articles"]["get"]["parameters"]}

    assert {"actor", "actor_mode", "actor_sentiment", "outlet", "author", "from", "to", "topic",
            "sentiment", "min_sentiment", "max_sentiment", "genre", "language", "q", "sort",
            "fields", "limit", "cursor"} <= set(parameters)  # fmt: skip
    assert parameters["outlet"]["schema"]["examples"] == [["China Daily"]]
    assert parameters["actor"]["schema"]["examples"] == [["Russia"]]
    assert parameters["from"]["schema"]["examples"] == ["2021-03-01"]
    assert parameters["q"]["schema"]["examples"]


def test_schemas_are_described_with_examples(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]

    for name in (
        "ArticleSummary",
        "ActorProfile",
        "ActorTimeline",
        "OutletProfile",
        "AnalysisView",
    ):
        assert schemas[name].get("description"), name
    profile = schemas["ActorProfile"]["properties"]
    assert profile["by_outlet"]["description"]
    assert schemas["OutletSentiment"]["properties"]["outlet"]["examples"] == ["China Daily"]


def _free_strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas in ``schema`` that any text would satisfy but for their keywords."""
    if "anyOf" in schema:
        return [s for option in schema["anyOf"] for s in _free_strings(option)]
    if schema.get("type") == "array":
        return _free_strings(schema.get("items", {}))
    if schema.get("type") == "string" and not {"enum", "const", "format"} & schema.keys():
        return [schema]
    return []


def test_free_text_parameters_state_what_the_database_can_hold(spec: dict[str, Any]) -> None:
    # The server refuses a NUL in any of them (tests/api/test_unstorable_text.py): the document
    # says so, or fuzzers and generated clients send it and find a 422 the schema allowed.
    found = 0
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                for schema in _free_strings(parameter["schema"]):
                    where = f"{method} {path} {parameter['name']}"
                    assert schema.get("pattern") in (STORABLE_PATTERN, NOT_BLANK_PATTERN), where
                    found += 1
    assert found > 20
    outlet = spec["components"]["schemas"]["ReannotateIn"]["properties"]["outlet"]["items"]
    assert outlet["pattern"] == STORABLE_PATTERN


def test_page_sizes_state_the_configured_range() -> None:
    document = create_app(make_settings("sqlite://", max_page_size=50)).openapi()

    limits = [
        parameter["schema"]["anyOf"][0]
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    ]
    assert len(limits) == 9  # + subscriptions, their deliveries, the articles feed, quotes
    assert all(limit == {"type": "integer", "minimum": 1, "maximum": 50} for limit in limits)


def test_actor_filters_state_the_configured_count() -> None:
    document = create_app(make_settings("sqlite://", max_query_actors=3)).openapi()

    for path in ("/v1/articles", "/v1/articles/export"):
        actor = next(
            p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "actor"
        )
        assert actor["schema"]["maxItems"] == 3
    for body in ("ReannotateIn", "SearchFilters"):
        assert document["components"]["schemas"][body]["properties"]["actor"]["maxItems"] == 3


def test_text_or_html_is_stated_as_exactly_one() -> None:
    document = create_app(make_settings("sqlite://")).openapi()

    for name in ("ArticleIn", "AnalyzeIn"):
        branches = document["components"]["schemas"][name]["oneOf"]
        assert [branch["required"] for branch in branches] == [["text"], ["html"]]


def test_links_name_operations_that_exist(spec: dict[str, Any]) -> None:
    operation_ids = {
        operation["operationId"] for path in spec["paths"].values() for operation in path.values()
    }
    links = [
        link
        for path in spec["paths"].values()
        for operation in path.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]

    assert len(links) >= 20
    assert {link["operationId"] for link in links} <= operation_ids


def test_fields_pattern_admits_what_the_server_accepts(
    spec: dict[str, Any], client_for_fields: TestClient
) -> None:
    schema = next(
        p["schema"]
        for p in spec["paths"]["/v1/articles"]["get"]["parameters"]
        if p["name"] == "fields"
    )
    pattern = re.compile(schema["pattern"])

    for value in ("id,title", " url , ,sentiment ", "", "bogus", "id,\u200b", "title\x00"):
        accepted = client_for_fields.get("/v1/articles", params={"fields": value}).status_code
        assert (pattern.fullmatch(value) is not None) == (accepted == 200), value
