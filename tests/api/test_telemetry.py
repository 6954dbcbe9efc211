"""Request ids, the JSON access log, and the 500 problem that quotes the id."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core.logs import JsonFormatter, LogFormat, RequestIdFilter, configure_logging
from app.main import create_app
from app.services import ingest
from tests.conftest import article_payload


class JsonLog:
    """JSON lines written by the app's formatter, captured from the root logger."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self, logger: str | None = None) -> list[dict[str, Any]]:
        entries = [json.loads(line) for line in self.text.splitlines()]
        return [e for e in entries if logger is None or e["logger"] == logger]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    log = JsonLog()
    handler = logging.StreamHandler(log.stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield log
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_request_id_is_made_echoed_and_logged(client: TestClient, json_log: JsonLog) -> None:
    response = client.get("/v1/articles/12345")

    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (access,) = json_log.lines("app.access")
    assert access["request_id"] == request_id
    assert access["level"] == "INFO"
    assert {k: access[k] for k in ("method", "path", "route", "status")} == {
        "method": "GET",
        "path": "/v1/articles/12345",
        "route": "/v1/articles/{article_id}",
        "status": 404,
    }
    assert access["duration_ms"] >= 0
    assert access["client"]
    assert access["time"].endswith("+00:00")


def test_a_sane_incoming_id_is_kept_and_any_other_replaced(
    client: TestClient, json_log: JsonLog
) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a:42"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "x" * 129})
    injected = client.get("/healthz", headers={"X-Request-ID": 'a" "level": "ERROR'})

    assert kept.headers["x-request-id"] == "edge-7f3a:42"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", injected.headers["x-request-id"])
    logged = [line["request_id"] for line in json_log.lines("app.access")]
    assert logged == [r.headers["x-request-id"] for r in (kept, replaced, injected)]


def test_headers_are_never_logged(client: TestClient, json_log: JsonLog) -> None:
    client.post(
        "/v1/articles",
        json=article_payload(),
        headers={"Authorization": "Bearer lens_secret_abc123", "Cookie": "session=s3cr3t"},
    )

    assert json_log.lines("app.access")
    assert "lens_secret_abc123" not in json_log.text
    assert "s3cr3t" not in json_log.text


def test_an_unhandled_error_quotes_the_request_id_it_was_logged_with(
    settings: Any,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    json_log: JsonLog,
) -> None:
    def explode(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest, "ingest_one", explode)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        response = test_client.post(
            "/v1/articles", json=article_payload(), headers={"X-Request-ID": "support-case-1"}
        )

    assert response.status_code == 500
    assert response.headers["x-request-id"] == "support-case-1"
    body = response.json()
    assert body["request_id"] == "support-case-1"
    assert "support-case-1" in body["detail"]
    (error,) = json_log.lines("app.api.problems")
    assert error["request_id"] == "support-case-1"
    assert "RuntimeError: boom" in error["exc_info"]
    (access,) = json_log.lines("app.access")
    assert (access["status"], access["request_id"]) == (500, "support-case-1")


def test_lines_outside_a_request_have_no_request_id(json_log: JsonLog) -> None:
    logging.getLogger("app.worker").info("batch of %d", 3, extra={"owner": "host:1:ab"})

    (line,) = json_log.lines()
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "app.worker",
        "message": "batch of 3",
        "owner": "host:1:ab",
    }


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", '"logger": "app.test", "message": "hello"'), ("text", "INFO app.test [-]: hello")],
)
def test_configure_logging_writes_the_chosen_format_to_stderr(
    fmt: LogFormat, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(fmt, "INFO")
        logging.getLogger("app.test").info("hello")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    assert expected in capsys.readouterr().err
