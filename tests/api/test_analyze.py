"""POST /v1/analyze: the annotations of a text, stored nowhere; 503 while models load."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analyzer
from app.core.config import Settings
from app.main import create_app
from tests.api.test_errors import assert_problem
from tests.conftest import count_articles, make_settings
from tests.fakes import FakeAnalyzer

TEXT = "Sergei Lavrov flew to Beijing. Washington is a threat."


@pytest.fixture
def fake() -> FakeAnalyzer:
    return FakeAnalyzer()


@pytest.fixture
def analyzing(
    settings: Settings, session_factory: sessionmaker[Session], fake: FakeAnalyzer
) -> Iterator[TestClient]:
    """The API without an embedded worker: it loads its own analyzer on the first request."""
    with TestClient(create_app(settings, load_analyzer=lambda _settings: fake)) as client:
        yield client


def test_returns_every_annotation_and_stores_nothing(
    analyzing: TestClient, fake: FakeAnalyzer, session_factory: sessionmaker[Session]
) -> None:
    response = analyzing.post("/v1/analyze", json={"text": TEXT})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["models"] == {"fake": "fake-analyzer@1"}
    assert body["sentiment"]["label"] == "negative"
    assert [(s["start"], s["end"], s["label"]) for s in body["sentences"]] == [
        (0, 30, "neutral"),
        (30, len(TEXT), "negative"),
    ]
    assert [t["code"] for t in body["topics"]] == ["politics", "world"]
    actors = {a["key"]: a for a in body["actors"]}
    assert set(actors) == {"person:sergei lavrov", "country:CHN", "country:USA"}
    usa = actors["country:USA"]
    assert usa["sentiment"]["label"] == "negative"
    assert usa["sentiment"]["evidence"] == [1]
    assert [TEXT[m["start"] : m["end"]] for m in usa["mentions"]] == ["Washington"]
    assert [e["text"] for e in body["entities"]] == ["Sergei Lavrov", "Beijing", "Washington"]
    assert count_articles(session_factory) == 0
    analyzing.post("/v1/analyze", json={"text": "Moscow again."})
    assert sum(fake.calls.values()) == 2


def test_an_institution_comes_with_the_actor_it_is_part_of(analyzing: TestClient) -> None:
    response = analyzing.post("/v1/analyze", json={"text": "The White House condemned it."})

    assert response.status_code == 200, response.text
    actors = {a["key"]: a for a in response.json()["actors"]}
    assert actors["org:white house"]["part_of"] == {
        "key": "country:USA",
        "name": "United States",
        "kind": "country",
    }


def test_invalid_text_is_422(analyzing: TestClient, settings: Settings) -> None:
    assert_problem(analyzing.post("/v1/analyze", json={"text": ""}), 422)
    assert_problem(analyzing.post("/v1/analyze", json={}), 422)
    too_long = "x" * (settings.max_text_chars + 1)
    body = assert_problem(analyzing.post("/v1/analyze", json={"text": too_long}), 422)
    assert body["errors"][0]["loc"] == ["body", "text"]


def test_503_while_the_models_load_then_200(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    release = threading.Event()
    loads: list[int] = []

    def slow_load(_settings: Settings) -> Analyzer:
        loads.append(1)
        release.wait(10)
        return FakeAnalyzer()

    with TestClient(create_app(settings, load_analyzer=slow_load)) as client:
        body = assert_problem(client.post("/v1/analyze", json={"text": TEXT}), 503)
        assert "loading" in body["detail"]
        second = client.post("/v1/analyze", json={"text": TEXT})
        assert second.status_code == 503
        assert second.headers["retry-after"]
        release.set()
        for _ in range(50):
            if (response := client.post("/v1/analyze", json={"text": TEXT})).status_code == 200:
                break
            threading.Event().wait(0.1)
        assert response.status_code == 200
    assert loads == [1]


def test_503_when_the_models_failed_to_load(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    def broken(_settings: Settings) -> Analyzer:
        raise RuntimeError("weights missing")

    with TestClient(create_app(settings, load_analyzer=broken)) as client:
        body = assert_problem(client.post("/v1/analyze", json={"text": TEXT}), 503)
        assert "weights missing" in body["detail"]


def test_uses_the_embedded_workers_analyzer(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    fake = FakeAnalyzer(version="embedded")
    settings = make_settings(database_url, embedded_worker=True)
    loads: list[int] = []

    def load(_settings: Settings) -> Analyzer:
        loads.append(1)
        return fake

    with TestClient(create_app(settings, load_analyzer=load)) as client:
        for _ in range(50):
            if (response := client.post("/v1/analyze", json={"text": TEXT})).status_code == 200:
                break
            assert response.status_code == 503
            threading.Event().wait(0.1)
        assert response.json()["models"] == {"fake": "fake-analyzer@embedded"}
    assert loads == [1]


def test_the_title_read_from_a_page_goes_to_the_analysis(
    analyzing: TestClient, fake: FakeAnalyzer
) -> None:
    page = (
        "<html><head><title>Lavrov in Beijing</title></head><body><article>"
        f"<p>{TEXT}</p></article></body></html>"
    )
    response = analyzing.post("/v1/analyze", json={"html": page})

    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Lavrov in Beijing"
    assert fake.titles == {TEXT: "Lavrov in Beijing"}
