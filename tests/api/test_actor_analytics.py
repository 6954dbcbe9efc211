"""Actors: the list, a profile (counts, sentiment by outlet, co-mentions) and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import ActorOutletStats, ActorPair, ArticleActor
from app.models.article import ArticleStatus
from app.repositories import queue, rollups
from app.worker import Worker
from tests.api.test_errors import assert_problem
from tests.conftest import Settings
from tests.fakes import FakeAnalyzer

pytestmark = pytest.mark.usefixtures("lens_corpus")


def _actor_id(client: TestClient, name: str) -> int:
    items = client.get("/v1/actors", params={"q": name}).json()["items"]
    return int(next(a["id"] for a in items if a["name"] == name))


def _timeline(client: TestClient, name: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/v1/actors/{_actor_id(client, name)}/timeline", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_actors_are_listed_by_article_count_and_filtered_by_kind(client: TestClient) -> None:
    everyone = client.get("/v1/actors", params={"limit": 100}).json()["items"]
    assert [(a["name"], a["article_count"]) for a in everyone[:2]] == [("China", 6), ("India", 5)]
    people = client.get("/v1/actors", params={"kind": "person"}).json()["items"]
    assert [a["name"] for a in people] == ["Sergei Lavrov"]
    assert_problem(client.get("/v1/actors", params={"kind": "planet"}), 422)


def test_actor_profile(client: TestClient) -> None:
    china = client.get(f"/v1/actors/{_actor_id(client, 'China')}").json()

    assert (china["key"], china["kind"]) == ("country:CHN", "country")
    assert {"china", "chn", "prc"} <= set(china["aliases"])
    assert china["article_count"] == 6
    assert china["mention_count"] == 6
    # the undated article counts, but has no date to be first or last
    assert china["first_seen"].startswith("2021-02-01")
    assert china["last_seen"].startswith("2021-04-20")
    assert china["sentiment"] == {"mean": -0.1, "negative": 2, "neutral": 3, "positive": 1}
    by_outlet = {o["outlet"]: (o["articles"], o["sentiment"]) for o in china["by_outlet"]}
    assert by_outlet == {
        "China Daily": (2, {"mean": 0.0, "negative": 1, "neutral": 0, "positive": 1}),
        "Global Times": (2, {"mean": 0.0, "negative": 0, "neutral": 2, "positive": 0}),
        "The Hindu": (1, {"mean": 0.0, "negative": 0, "neutral": 1, "positive": 0}),
        "Le Monde": (1, {"mean": -0.6, "negative": 1, "neutral": 0, "positive": 0}),
    }
    assert [o["articles"] for o in china["by_outlet"]] == [2, 2, 1, 1]
    assert [(c["actor"]["name"], c["articles"]) for c in china["co_mentions"]] == [
        ("India", 4),
        ("United States", 2),
        ("Russia", 1),
    ]
    short = client.get(f"/v1/actors/{china['id']}", params={"outlets": 1, "co_mentions": 1}).json()
    assert [o["outlet"] for o in short["by_outlet"]] == ["China Daily"]
    assert [c["actor"]["name"] for c in short["co_mentions"]] == ["India"]
    assert_problem(client.get("/v1/actors/999999"), 404)


def test_actor_profile_over_a_date_range(client: TestClient) -> None:
    china = _actor_id(client, "China")
    march = client.get(f"/v1/actors/{china}", params={"from": "2021-03-01", "to": "2021-03-31"})
    assert march.status_code == 200, march.text
    body = march.json()

    # articles 0, 1 and 5 of the corpus; the undated one is outside any range
    assert (body["article_count"], body["mention_count"]) == (3, 3)
    assert body["first_seen"].startswith("2021-03-10")
    assert body["last_seen"].startswith("2021-03-24")
    assert body["sentiment"] == {"mean": 0.0, "negative": 1, "neutral": 1, "positive": 1}
    by_outlet = {o["outlet"]: (o["articles"], o["sentiment"]["mean"]) for o in body["by_outlet"]}
    assert by_outlet == {"China Daily": (1, 0.6), "Global Times": (1, 0.0), "Le Monde": (1, -0.6)}
    co_mentions = {c["actor"]["name"]: c["articles"] for c in body["co_mentions"]}
    assert co_mentions == {"India": 2, "Russia": 1, "United States": 1}
    assert body["co_mentions"][0]["actor"]["name"] == "India"

    # open-ended: only February's article; the limits apply as without a range
    early = client.get(f"/v1/actors/{china}", params={"to": "2021-02-28", "co_mentions": 0}).json()
    assert (early["article_count"], early["co_mentions"]) == (1, [])
    assert [o["outlet"] for o in early["by_outlet"]] == ["Global Times"]
    nothing = client.get(f"/v1/actors/{china}", params={"from": "2030-01-01"}).json()
    assert (nothing["article_count"], nothing["by_outlet"], nothing["first_seen"]) == (0, [], None)
    assert nothing["sentiment"] == {"mean": None, "negative": 0, "neutral": 0, "positive": 0}
    backwards = {"from": "2021-04-01", "to": "2021-03-01"}
    assert_problem(client.get(f"/v1/actors/{china}", params=backwards), 422)


def test_weekly_timeline_has_every_week_with_zero_counts(client: TestClient) -> None:
    body = _timeline(client, "China", interval="week", **{"from": "2021-03-01", "to": "2021-03-31"})

    assert body["interval"] == "week"
    assert (body["from"], body["to"]) == ("2021-03-01", "2021-03-31")
    points = {p["period"]: (p["articles"], p["mentions"], p["sentiment"]) for p in body["points"]}
    zero = {"mean": None, "negative": 0, "neutral": 0, "positive": 0}
    assert points == {
        "2021-03-01": (0, 0, zero),
        "2021-03-08": (1, 1, {"mean": 0.0, "negative": 0, "neutral": 1, "positive": 0}),
        "2021-03-15": (1, 1, {"mean": -0.6, "negative": 1, "neutral": 0, "positive": 0}),
        "2021-03-22": (1, 1, {"mean": 0.6, "negative": 0, "neutral": 0, "positive": 1}),
        "2021-03-29": (0, 0, zero),
    }
    assert [p["period"] for p in body["points"]] == sorted(points)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # by default from the first to the last dated article
        ({"interval": "month"}, {"2021-02-01": 1, "2021-03-01": 3, "2021-04-01": 1}),
        (
            {"interval": "month", "outlet": "china daily"},
            {"2021-02-01": 0, "2021-03-01": 1, "2021-04-01": 1},
        ),
        (
            {"interval": "month", "outlet": ["China Daily", "Le Monde"]},
            {"2021-02-01": 0, "2021-03-01": 2, "2021-04-01": 1},
        ),
        (
            {"interval": "day", "from": "2021-03-09", "to": "2021-03-11"},
            {"2021-03-09": 0, "2021-03-10": 1, "2021-03-11": 0},
        ),
        # a week that starts before `from` is reported from its Monday
        ({"interval": "week", "from": "2021-04-21", "to": "2021-04-22"}, {"2021-04-19": 1}),
    ],
)
def test_timeline_intervals_ranges_and_outlets(
    client: TestClient, params: dict[str, Any], expected: dict[str, int]
) -> None:
    points = _timeline(client, "China", **params)["points"]

    assert {p["period"]: p["articles"] for p in points} == expected


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"from": "2021-05-01", "to": "2021-04-01"}, 422, "from"),
        ({"interval": "day", "from": "1900-01-01", "to": "2021-01-01"}, 422, "interval"),
        ({"interval": "year"}, 422, "interval"),
        ({"outlet": "Daily Planet"}, 422, "outlet"),
    ],
)
def test_bad_timeline_requests(
    client: TestClient, params: dict[str, Any], status: int, field: str
) -> None:
    response = client.get(f"/v1/actors/{_actor_id(client, 'China')}/timeline", params=params)

    body = assert_problem(response, status)
    assert body["errors"][0]["loc"][:2] == ["query", field]


def test_timeline_of_unknown_actor_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/actors/999999/timeline"), 404)


def _rollups(factory: sessionmaker[Session]) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    with factory() as session:
        stats = {
            tuple(getattr(row, c.name) for c in ActorOutletStats.__table__.columns)
            for row in session.scalars(
                select(ActorOutletStats).where(ActorOutletStats.articles > 0)
            )
        }
        pairs = {
            (p.actor_id, p.other_actor_id, p.articles)
            for p in session.scalars(select(ActorPair).where(ActorPair.articles > 0))
        }
    return stats, pairs


def test_rollups_follow_a_reanalysis(
    client: TestClient,
    session_factory: sessionmaker[Session],
    settings: Settings,
    drain: Callable[[], int],
) -> None:
    """Re-annotation subtracts the old rows from the roll-ups and adds the new ones."""
    china = _actor_id(client, "China")
    with session_factory() as session, session.begin():
        queue.requeue(session, statuses=[ArticleStatus.done])
    # this "model version" no longer finds China
    worker = Worker(
        session_factory, FakeAnalyzer(version="2", ignore=frozenset({"country:CHN"})), settings
    )
    while worker.run_once():
        pass

    profile = client.get(f"/v1/actors/{china}").json()
    assert profile["article_count"] == 0
    assert profile["by_outlet"] == []
    assert profile["co_mentions"] == []
    india = client.get(f"/v1/actors/{_actor_id(client, 'India')}").json()
    assert india["article_count"] == 5
    assert "China" not in [c["actor"]["name"] for c in india["co_mentions"]]
    # what the writes maintained equals a rebuild from the annotation rows
    incremental = _rollups(session_factory)
    with session_factory() as session, session.begin():
        rollups.rebuild(session)
    assert _rollups(session_factory) == incremental


def test_passages_for_a_page_of_articles(client: TestClient, lens_corpus: list[int]) -> None:
    """One call gives each listed article's stance toward the actor and the quoted passages."""
    china = _actor_id(client, "China")
    listed = [a["id"] for a in client.get("/v1/articles", params={"actor": china}).json()["items"]]
    # an article that does not name China (RT, article 2) is left out; the order is the request's
    asked = [*listed, lens_corpus[2]]
    response = client.get(f"/v1/actors/{china}/passages", params={"article": asked})
    assert response.status_code == 200, response.text
    body = response.json()

    assert body["actor"]["name"] == "China"
    assert [item["article_id"] for item in body["items"]] == listed
    for item in body["items"]:
        article = client.get(f"/v1/articles/{item['article_id']}").json()
        stance = next(a["sentiment"] for a in article["actors"] if a["id"] == china)
        assert (item["label"], item["score"]) == (stance["label"], stance["score"])
        assert [(p["start"], p["end"]) for p in item["passages"]] == [
            (p["start"], p["end"]) for p in stance["passages"]
        ]
        for passage in item["passages"]:
            assert passage["kind"] == "passage"
            assert passage["text"] == article["text"][passage["start"] : passage["end"]]
            named = {passage["text"][m["start"] : m["end"]] for m in passage["mentions"]}
            assert named
            assert named <= {"China", "Beijing"}
    assert_problem(client.get("/v1/actors/999999/passages", params={"article": listed[0]}), 404)


def test_passages_of_articles_analysed_before_the_stance_model_are_their_evidence_sentences(
    client: TestClient, lens_corpus: list[int], session_factory: sessionmaker[Session]
) -> None:
    china = _actor_id(client, "China")
    first = lens_corpus[0]  # "Moscow and Beijing are partners. Washington is a threat."
    with session_factory() as session, session.begin():
        row = session.get(ArticleActor, (first, china))
        assert row is not None
        row.passages = None
    body = client.get(f"/v1/actors/{china}/passages", params={"article": first}).json()
    [item] = body["items"]
    [passage] = item["passages"]
    assert passage["kind"] == "sentence"
    assert passage["text"] == "Moscow and Beijing are partners."
    assert passage["weight"] is None
    assert passage["mentions"] == [{"start": 11, "end": 18}]


@pytest.mark.parametrize(
    "params",
    [{}, {"article": 0}, {"article": "x"}, {"article": list(range(1, 52))}],
    ids=["none", "zero", "not-a-number", "too-many"],
)
def test_bad_passage_requests_are_422(client: TestClient, params: dict[str, Any]) -> None:
    china = _actor_id(client, "China")
    assert_problem(client.get(f"/v1/actors/{china}/passages", params=params), 422)
