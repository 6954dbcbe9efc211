"""Access control: open until a key exists, then writes need a `write` key, reads optionally one."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.models import KeyScope
from app.schemas.ingest import ArticleIn
from app.services import api_keys, importer
from app.services.importer import ImportAbortedError
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, make_settings

_OPEN_WARNING = "no API keys exist: the API is open to anyone who can reach it"


def new_key(session_factory: sessionmaker[Session], scope: KeyScope, name: str = "test") -> str:
    with session_factory.begin() as session:
        return api_keys.create(session, name, scope).secret


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def read_key(session_factory: sessionmaker[Session]) -> str:
    return new_key(session_factory, KeyScope.read, "dashboard")


@pytest.fixture
def write_key(session_factory: sessionmaker[Session]) -> str:
    return new_key(session_factory, KeyScope.write, "importer")


@pytest.fixture
def closed_reads(database_url: str, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(database_url, auth_reads=True))) as test_client:
        yield test_client


def assert_unauthorized(response: Response, *, invalid: bool = False) -> dict[str, Any]:
    body = assert_problem(response, 401)
    assert body["type"].endswith(":unauthorized")
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid
    return body


def test_everything_is_open_while_no_key_exists(
    database_url: str, session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="app.api.auth"),
        TestClient(create_app(make_settings(database_url, auth_reads=True))) as client,
    ):
        created = client.post("/v1/articles", json=article_payload())
        assert created.status_code == 202
        assert client.get(created.headers["Location"]).status_code == 200
        # Without keys a sent one decides nothing, even a made-up one.
        assert client.get("/v1/articles", headers=bearer("lens_made-up")).status_code == 200
    assert _OPEN_WARNING in caplog.text


def test_no_open_warning_once_a_key_exists(
    database_url: str,
    session_factory: sessionmaker[Session],
    read_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING), TestClient(create_app(make_settings(database_url))):
        pass
    assert _OPEN_WARNING not in caplog.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/articles", article_payload()),
        ("/v1/articles/batch", {"articles": [article_payload()]}),
        ("/v1/reannotate", {"all": True}),
    ],
)
def test_writes_need_a_write_key_once_one_exists(
    client: TestClient, read_key: str, write_key: str, path: str, body: dict[str, Any]
) -> None:
    detail = assert_unauthorized(client.post(path, json=body))["detail"]
    assert "write" in detail

    refused = assert_problem(client.post(path, json=body, headers=bearer(read_key)), 403)
    assert refused["type"].endswith(":forbidden")
    assert read_key[5:13] in refused["detail"]
    assert read_key not in refused["detail"]

    assert client.post(path, json=body, headers=bearer(write_key)).status_code in (200, 202)


def test_a_write_key_also_reads(closed_reads: TestClient, write_key: str) -> None:
    created = closed_reads.post("/v1/articles", json=article_payload(), headers=bearer(write_key))
    assert created.status_code == 202
    read = closed_reads.get(created.headers["Location"], headers=bearer(write_key))
    assert read.status_code == 200


def test_reads_are_open_unless_lens_auth_reads(
    client: TestClient, closed_reads: TestClient, read_key: str
) -> None:
    assert client.get("/v1/articles").status_code == 200
    assert client.get("/v1/topics").status_code == 200

    assert_unauthorized(closed_reads.get("/v1/articles"))
    assert_unauthorized(closed_reads.get("/v1/runs"))
    assert_unauthorized(closed_reads.post("/v1/analyze", json={"text": "Moscow."}))
    assert closed_reads.get("/v1/articles", headers=bearer(read_key)).status_code == 200
    assert closed_reads.get("/v1/outlets", headers=bearer(read_key)).status_code == 200


def test_health_and_docs_stay_open(closed_reads: TestClient, read_key: str) -> None:
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert closed_reads.get(path).status_code == 200, path


def test_an_unknown_revoked_or_malformed_key_is_401(
    client: TestClient, session_factory: sessionmaker[Session], read_key: str, write_key: str
) -> None:
    # Sent keys are always checked, even where none is needed: a wrong one is a mistake to report.
    assert_unauthorized(client.get("/v1/articles", headers=bearer("lens_unknown")), invalid=True)
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert_unauthorized(client.get("/v1/articles", headers=basic), invalid=True)

    with session_factory.begin() as session:
        api_keys.revoke(session, api_keys.find(session, read_key[5:13]))
    # write_key is still active: keys are in force.
    assert_unauthorized(client.get("/v1/articles", headers=bearer(read_key)), invalid=True)
    assert client.get("/v1/articles", headers=bearer(write_key)).status_code == 200


def test_revoking_the_last_key_keeps_the_api_closed(
    client: TestClient, session_factory: sessionmaker[Session], write_key: str
) -> None:
    assert_unauthorized(client.post("/v1/articles", json=article_payload()))
    with session_factory.begin() as session:
        api_keys.revoke(session, api_keys.find(session, write_key[5:13]))
    # A leaked key is revoked in an emergency: that must never leave writes open to anyone.
    assert_unauthorized(client.post("/v1/articles", json=article_payload()))
    assert_unauthorized(
        client.post("/v1/articles", json=article_payload(), headers=bearer(write_key)), invalid=True
    )


def test_keys_never_reach_the_logs(
    closed_reads: TestClient,
    read_key: str,
    write_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    forged = write_key[:-4] + "zzzz"
    with caplog.at_level(logging.DEBUG):
        closed_reads.get("/v1/articles", headers=bearer(read_key))
        closed_reads.post("/v1/articles", json=article_payload(), headers=bearer(read_key))
        closed_reads.post("/v1/articles", json=article_payload(), headers=bearer(write_key))
        closed_reads.get("/v1/articles", headers=bearer(forged))
        closed_reads.get("/v1/articles/999999", headers=bearer(write_key))

    assert caplog.records, "the requests were logged (the access log at least)"
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    for secret in (read_key, write_key, forged, read_key[5:], write_key[5:]):
        assert secret not in logged


def test_openapi_documents_the_bearer_scheme_and_the_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    schemes = spec["components"]["securitySchemes"]
    assert schemes["APIKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "lens_…",
        "description": schemes["APIKey"]["description"],
    }
    ingest = spec["paths"]["/v1/articles"]["post"]
    assert ingest["security"] == [{"APIKey": []}]
    assert {"401", "403", "429"} <= set(ingest["responses"])
    assert "application/problem+json" in ingest["responses"]["401"]["content"]
    search = spec["paths"]["/v1/articles"]["get"]
    assert {"401", "429"} <= set(search["responses"])
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_lens_import_sends_its_key(
    client: TestClient, write_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def over_the_test_app(**kwargs: Any) -> TestClient:
        # The client ApiSink.connect builds, with its headers, on the running test app.
        return TestClient(client.app, base_url=kwargs["base_url"], headers=kwargs["headers"])

    monkeypatch.setattr(importer.httpx, "Client", over_the_test_app)
    article = ArticleIn.model_validate(article_payload())

    anonymous = importer.ApiSink.connect("http://lens.test", None)
    with pytest.raises(ImportAbortedError, match="401"):
        anonymous.send([article])

    keyed = importer.ApiSink.connect("http://lens.test", write_key)
    assert keyed.send([article]) == [True]
    keyed.close()
