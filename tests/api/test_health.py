"""/healthz, /readyz, and the embedded worker the API starts in its lifespan."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analyzer
from app.core.config import Settings
from app.main import create_app
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer


def test_liveness(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_without_embedded_worker_reports_the_queue(client: TestClient) -> None:
    client.post("/v1/articles", json=article_payload())

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "models": "worker not embedded",
        "queue": {"pending": 1, "done": 0, "failed": 0, "skipped": 0},
    }


def _wait_for(
    client: TestClient, path: str, key: str, value: object, seconds: float = 10
) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, object] = client.get(path).json()
        if body.get(key) == value or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_embedded_worker_loads_models_once_and_analyses(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    loads: list[Settings] = []

    def load(settings: Settings) -> Analyzer:
        loads.append(settings)
        return FakeAnalyzer()

    settings = make_settings(database_url, embedded_worker=True)
    with TestClient(create_app(settings, load_analyzer=load)) as client:
        first = client.post("/v1/articles", json=article_payload(text="Moscow and Beijing."))
        second = client.post("/v1/articles", json=article_payload(text="India and NATO."))

        assert _wait_for(client, first.headers["location"], "status", "done")["status"] == "done"
        assert _wait_for(client, second.headers["location"], "status", "done")["status"] == "done"
        ready = client.get("/readyz").json()

    assert ready["models"] == "loaded"
    assert ready["queue"]["done"] == 2
    assert len(loads) == 1


def test_models_failing_to_load_make_the_service_not_ready(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    def load(_settings: Settings) -> Analyzer:
        raise FileNotFoundError("no weights at /models/sentiment")

    settings = make_settings(database_url, embedded_worker=True)
    with TestClient(create_app(settings, load_analyzer=load)) as client:
        body = _wait_for(
            client,
            "/readyz",
            "models",
            "failed: FileNotFoundError: no weights at /models/sentiment",
        )
        response = client.get("/readyz")
        # Ingest keeps working: articles wait, pending, for a worker with models.
        accepted = client.post("/v1/articles", json=article_payload())

    problem = assert_problem(response, 503)
    assert problem["models"] == body["models"]
    assert problem["database"] == "ok"
    assert accepted.status_code == 202
