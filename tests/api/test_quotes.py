"""Quotations: stored with the annotations, listed and exported with their filters, rolled up
as relations between actors, and shown in the article view and POST /v1/analyze."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import ActorRelation, Quotation, QuotationTarget
from app.repositories import actor_identities
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload
from tests.fakes import FakeAnalyzer

TEXTS = [
    (
        "Global Times",
        "2021-03-22",
        '"Washington is a threat to the whole region," Lavrov said on Monday. '
        '"China is a good partner and a friend," he added.',
    ),
    (
        "China Daily",
        "2021-04-02",
        'Lavrov spoke in Beijing. "NATO is a hostile bloc and a threat," Lavrov said.',
    ),
    (
        "The Hindu",
        "2021-05-10",
        'India said little. "We have nothing to add to this today," an official said.',
    ),
]


@pytest.fixture
def quoted(client: TestClient, drain: Callable[[], int]) -> list[int]:
    ids = []
    for outlet, published, text in TEXTS:
        body = article_payload(outlet=outlet, published=published, text=text, title=text[:30])
        response = client.post("/v1/articles", json=body)
        assert response.status_code == 202, response.text
        ids.append(int(response.json()["id"]))
    assert drain() == len(TEXTS)
    return ids


def _actor_id(client: TestClient, name: str) -> int:
    items = client.get("/v1/actors", params={"q": name}).json()["items"]
    return int(next(a["id"] for a in items if a["name"] == name))


def test_the_article_view_lists_its_quotations(client: TestClient, quoted: list[int]) -> None:
    article = client.get(f"/v1/articles/{quoted[0]}").json()
    text = article["text"]
    found = [
        (
            q["text"],
            q["speaker"]["name"],
            q["how"],
            [(t["actor"]["name"], t["label"]) for t in q["targets"]],
        )
        for q in article["quotations"]
    ]
    assert found == [
        (
            "Washington is a threat to the whole region,",
            "Sergei Lavrov",
            "explicit",
            [("United States", "negative")],
        ),
        (
            "China is a good partner and a friend,",
            "Sergei Lavrov",
            "pronoun",
            [("China", "positive")],
        ),
    ]
    for q in article["quotations"]:
        assert text[q["start"] : q["end"]] == q["text"]
        assert q["speaker"]["id"] == _actor_id(client, "Sergei Lavrov")


def test_annotations_replaced_replace_the_quotations(
    client: TestClient,
    quoted: list[int],
    session_factory: sessionmaker[Session],
    drain: Callable[[], int],
) -> None:
    with session_factory() as session:
        before = session.scalar(select(func.count()).select_from(Quotation))
        edges = session.scalar(select(func.count()).select_from(ActorRelation))
    assert (before, edges) == (4, 3)
    assert client.post("/v1/reannotate", json={"all": True}).status_code in (200, 202)
    drain()
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Quotation)) == before
        assert session.scalar(select(func.count()).select_from(QuotationTarget)) == 3
        assert session.scalar(select(func.count()).select_from(ActorRelation)) == edges


def test_quotes_are_filtered_and_paged(client: TestClient, quoted: list[int]) -> None:
    everything = client.get("/v1/quotes").json()["items"]
    assert len(everything) == 4
    assert [q["id"] for q in everything] == sorted((q["id"] for q in everything), reverse=True)
    lavrov = client.get("/v1/quotes", params={"speaker": "Lavrov"}).json()["items"]
    assert len(lavrov) == 3
    about = client.get(
        "/v1/quotes", params={"speaker": "lavrov", "about": "United States", "stance": "negative"}
    ).json()["items"]
    assert [(q["outlet"], q["title"] is not None) for q in about] == [("Global Times", True)]
    assert (
        client.get("/v1/quotes", params={"stance": "positive"}).json()["items"][0]["targets"][0][
            "actor"
        ]["name"]
        == "China"
    )
    assert len(client.get("/v1/quotes", params={"outlet": "China Daily"}).json()["items"]) == 1
    dated = client.get("/v1/quotes", params={"from": "2021-04-01", "to": "2021-04-30"}).json()
    assert [q["text"] for q in dated["items"]] == ["NATO is a hostile bloc and a threat,"]
    assert len(client.get("/v1/quotes", params={"q": "PARTNER"}).json()["items"]) == 1
    unsaid = client.get("/v1/quotes", params={"outlet": "The Hindu"}).json()["items"]
    assert [(q["speaker"], q["how"]) for q in unsaid] == [(None, "none")]
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/quotes", params=params).json()
        pages += [q["id"] for q in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [q["id"] for q in everything]


def test_quote_filter_errors_are_problems(client: TestClient, quoted: list[int]) -> None:
    assert_problem(client.get("/v1/quotes", params={"speaker": "Nobody Atall"}), 422)
    assert_problem(client.get("/v1/quotes", params={"stance": "furious"}), 422)
    assert_problem(client.get("/v1/quotes", params={"cursor": "nonsense"}), 400)
    assert_problem(client.get("/v1/quotes", params={"from": "2021-05-01", "to": "2021-04-01"}), 422)


def test_quotes_export_as_csv_and_ndjson(client: TestClient, quoted: list[int]) -> None:
    response = client.get("/v1/quotes/export", params={"format": "csv", "speaker": "Lavrov"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3
    assert {r["speaker"] for r in rows} == {"Sergei Lavrov"}
    assert json.loads(rows[0]["targets"])[0]["label"] in ("negative", "positive", "neutral")
    lines = client.get("/v1/quotes/export").text.splitlines()
    assert len(lines) == 4
    assert {json.loads(line)["kind"] for line in lines} == {"direct"}


def test_relations_from_and_to_an_actor(client: TestClient, quoted: list[int]) -> None:
    lavrov = _actor_id(client, "Sergei Lavrov")
    said = client.get(f"/v1/actors/{lavrov}/relations").json()
    assert said["direction"] == "from"
    counts = {i["actor"]["name"]: (i["articles"], i["quotations"]) for i in said["items"]}
    assert counts == {
        "United States": (1, {"negative": 1, "neutral": 0, "positive": 0}),
        "China": (1, {"negative": 0, "neutral": 0, "positive": 1}),
        "NATO": (1, {"negative": 1, "neutral": 0, "positive": 0}),
    }
    assert said["items"][0]["latest"][0]["speaker"]["id"] == lavrov
    negative = client.get(f"/v1/actors/{lavrov}/relations", params={"stance": "negative"}).json()
    assert {i["actor"]["name"] for i in negative["items"]} == {"United States", "NATO"}
    dated = client.get(
        f"/v1/actors/{lavrov}/relations", params={"from": "2021-04-01", "outlet": "China Daily"}
    ).json()
    assert [i["actor"]["name"] for i in dated["items"]] == ["NATO"]
    china = _actor_id(client, "China")
    heard = client.get(f"/v1/actors/{china}/relations", params={"direction": "to"}).json()
    assert [(i["actor"]["name"], i["quotations"]["positive"]) for i in heard["items"]] == [
        ("Sergei Lavrov", 1)
    ]
    assert_problem(client.get("/v1/actors/999999/relations"), 404)
    assert_problem(client.get(f"/v1/actors/{china}/relations", params={"direction": "up"}), 422)


def test_analyze_lists_the_quotations(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    app = create_app(settings, load_analyzer=lambda _settings: FakeAnalyzer())
    with TestClient(app) as client:
        response = client.post("/v1/analyze", json={"text": TEXTS[0][2]})
    assert response.status_code == 200, response.text
    quotes = response.json()["quotations"]
    assert [(q["speaker"]["name"], q["speaker"]["id"]) for q in quotes] == [
        ("Sergei Lavrov", None),
        ("Sergei Lavrov", None),
    ]
    assert quotes[0]["targets"][0]["actor"] == {
        "id": None,
        "key": "country:USA",
        "name": "United States",
    }


def test_a_merged_actor_takes_its_quotations_along(
    client: TestClient, drain: Callable[[], int], session_factory: sessionmaker[Session]
) -> None:
    text = (
        '"Washington and Beijing are a threat to us," Lavrov said. '
        '"China is a good partner," he added.'
    )
    response = client.post("/v1/articles", json=article_payload(text=text))
    assert response.status_code == 202, response.text
    assert drain() == 1
    china, usa, lavrov = (_actor_id(client, n) for n in ("China", "United States", "Sergei Lavrov"))
    with session_factory() as session, session.begin():
        actor_identities.merge(session, china, into=usa)
    with session_factory() as session:
        targets = session.execute(
            select(
                QuotationTarget.quotation_id, QuotationTarget.actor_id, QuotationTarget.label
            ).order_by(QuotationTarget.quotation_id)
        ).all()
        assert [(actor, label) for _, actor, label in targets] == [
            (usa, "negative"),
            (usa, "positive"),
        ]
        edges = session.execute(
            select(
                ActorRelation.speaker_id,
                ActorRelation.target_id,
                ActorRelation.negative,
                ActorRelation.positive,
            )
        ).all()
        assert edges == [(lavrov, usa, 1, 1)]
