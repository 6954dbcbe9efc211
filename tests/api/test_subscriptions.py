"""Subscriptions over HTTP: saved, owned by a key, matched where articles finish, read as Atom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import Delivery, KeyScope, Subscription
from app.worker import Worker
from tests.api.test_auth import bearer, new_key
from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer

HOOK = "http://127.0.0.1:9/hook"  # never called here: deliveries are sent in test_delivery


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, webhook_allow_private=True)


def _ingest(client: TestClient, text: str, **overrides: Any) -> int:
    response = client.post("/v1/articles", json=article_payload(text=text, **overrides))
    assert response.status_code == 202, response.text
    article_id: int = response.json()["id"]
    return article_id


def _deliveries(factory: sessionmaker[Session]) -> list[tuple[int, int, str]]:
    with factory() as session:
        rows = session.execute(
            select(Delivery.subscription_id, Delivery.article_id, Delivery.state).order_by(
                Delivery.id
            )
        ).all()
    return [(s, a, state.value) for s, a, state in rows]


@pytest.fixture
def known_actors(client: TestClient, drain: Callable[[], int]) -> None:
    """India, China and the rest exist, and the outlet RT: a subscription may name them."""
    _ingest(client, "India and China met. Moscow and Washington watched.")
    _ingest(client, "Nothing to see.", outlet="RT")
    assert drain() == 2


def _subscribe(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/subscriptions", json={"name": "watch", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.mark.usefixtures("known_actors")
def test_create_read_list_update_delete(client: TestClient) -> None:
    response = client.post(
        "/v1/subscriptions",
        json={
            "name": "India, negative",
            "filters": {"actor": ["India"], "actor_sentiment": "negative", "from": "2021-01-01"},
            "webhook": {"url": HOOK},
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/subscriptions/{created['id']}"
    assert created["secret"].startswith("whsec_")
    assert created["filters"] == {
        "actor": ["India"],
        "actor_sentiment": "negative",
        "from": "2021-01-01",
    }
    assert created["webhook"] == {"url": HOOK}
    assert created["active"] is True

    shown = client.get(f"/v1/subscriptions/{created['id']}").json()
    assert "secret" not in shown
    assert shown["feed"] == f"/v1/subscriptions/{created['id']}/feed"

    paused = client.patch(
        f"/v1/subscriptions/{created['id']}", json={"active": False, "name": "renamed"}
    ).json()
    assert (paused["active"], paused["name"]) == (False, "renamed")
    assert paused["filters"] == created["filters"]
    changed = client.patch(
        f"/v1/subscriptions/{created['id']}",
        json={"filters": {"outlet": ["China Daily"]}, "webhook": None},
    ).json()
    assert changed["filters"] == {"outlet": ["China Daily"]}
    assert changed["webhook"] is None

    assert client.delete(f"/v1/subscriptions/{created['id']}").status_code == 204
    assert_problem(client.get(f"/v1/subscriptions/{created['id']}"), 404)


@pytest.mark.usefixtures("known_actors")
def test_list_pages_with_a_cursor(client: TestClient) -> None:
    ids = [_subscribe(client, name=f"s{i}")["id"] for i in range(5)]

    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/subscriptions", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == sorted(ids, reverse=True)
    assert_problem(client.get("/v1/subscriptions", params={"cursor": "nonsense"}), 400)


@pytest.mark.usefixtures("known_actors")
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"filters": {"actors": ["India"]}}, 422),  # not a search parameter's name
        ({"filters": {"actor": "India"}}, 422),  # a list, as in the search
        ({"filters": {"outlet": ["Atlantis Times"]}}, 422),  # unknown, as in the search
        ({"filters": {"actor_sentiment": "negative"}}, 422),  # needs an actor
        ({"filters": {"min_sentiment": 2}}, 422),
        ({"filters": {"sort": "relevance"}}, 422),  # not saved
        ({"webhook": {"url": "ftp://example.org/hook"}}, 422),
        ({"webhook": {"url": "http://[::1/hook"}}, 422),
        ({"webhook": {"url": "https://example.org:99999/hook"}}, 422),
        ({"webhook": {"url": "https://user:pw@example.org/hook"}}, 422),
        ({"name": " "}, 422),
    ],
)
def test_invalid_subscriptions_are_refused(
    client: TestClient, body: dict[str, Any], status: int
) -> None:
    problem = assert_problem(client.post("/v1/subscriptions", json={"name": "x", **body}), status)
    assert problem["detail"]
    if "filters" in body:
        assert all(e["loc"][:2] == ["body", "filters"] for e in problem["errors"]), problem


def test_private_destinations_are_refused_unless_allowed(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with TestClient(create_app(make_settings(database_url))) as client:
        for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/x",
                    "http://10.1.2.3/hook", "http://169.254.169.254/latest"):  # fmt: skip
            response = client.post("/v1/subscriptions", json={"name": "x", "webhook": {"url": url}})
            assert "LENS_WEBHOOK_ALLOW_PRIVATE" in assert_problem(response, 422)["detail"]


def test_a_subscription_belongs_to_its_key(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    alice, bob = new_key(session_factory, KeyScope.read), new_key(session_factory, KeyScope.read)
    created = client.post(
        "/v1/subscriptions", json={"name": "alice's"}, headers=bearer(alice)
    ).json()
    path = f"/v1/subscriptions/{created['id']}"

    assert client.get(path, headers=bearer(alice)).status_code == 200
    for method in ("get", "delete"):
        assert_problem(client.request(method, path, headers=bearer(bob)), 404)
    assert_problem(client.patch(path, json={"active": False}, headers=bearer(bob)), 404)
    assert_problem(client.get(f"{path}/feed", headers=bearer(bob)), 404)
    assert client.get("/v1/subscriptions", headers=bearer(bob)).json()["items"] == []
    # keys exist now: without one, subscriptions are not reachable at all
    assert_problem(client.get("/v1/subscriptions"), 401)
    assert client.get(f"{path}/feed", params={"token": alice}).status_code == 200


@pytest.mark.usefixtures("known_actors")
def test_matches_are_recorded_where_articles_finish(
    client: TestClient, drain: Callable[[], int], session_factory: sessionmaker[Session]
) -> None:
    india = _subscribe(client, filters={"actor": ["India"]}, webhook={"url": HOOK})["id"]
    negative = _subscribe(
        client, filters={"actor": ["India"], "actor_sentiment": "negative"}, webhook={"url": HOOK}
    )["id"]
    feed_only = _subscribe(client, filters={"outlet": ["RT"]})["id"]
    paused = _subscribe(client, filters={"actor": ["India"]})["id"]
    client.patch(f"/v1/subscriptions/{paused}", json={"active": False})

    praised = _ingest(client, "India is a great partner.")
    feared = _ingest(client, "India is a threat.", outlet="RT")
    _ingest(client, "China is a great partner.")
    assert drain() == 3

    assert sorted(_deliveries(session_factory)) == sorted(
        [
            (india, praised, "pending"),
            (india, feared, "pending"),
            (negative, feared, "pending"),
            (feed_only, feared, "feed"),
        ]
    )
    counts = client.get(f"/v1/subscriptions/{india}").json()["deliveries"]
    assert counts == {"pending": 2}
    page = client.get(f"/v1/subscriptions/{india}/deliveries").json()
    assert [d["article_id"] for d in page["items"]] == [feared, praised]
    assert page["items"][0]["event_id"].startswith("msg_")


@pytest.mark.usefixtures("known_actors")
def test_a_reanalysis_that_changes_nothing_sends_nothing(
    client: TestClient,
    settings: Settings,
    session_factory: sessionmaker[Session],
    drain: Callable[[], int],
) -> None:
    india = _subscribe(client, filters={"actor": ["India"]}, webhook={"url": HOOK})["id"]
    article = _ingest(client, "India is a great partner.")
    assert drain() == 1
    assert len(_deliveries(session_factory)) == 1

    # the same models again: the article still matches, nothing new
    assert client.post("/v1/reannotate", json={"all": True}).status_code == 202
    assert drain() == 3
    assert len(_deliveries(session_factory)) == 1

    def reanalyse(analyzer: FakeAnalyzer) -> None:
        assert client.post("/v1/reannotate", json={"all": True}).status_code == 202
        worker = Worker(session_factory, analyzer, settings)
        while worker.run_once():
            pass

    # models that miss India: it stops matching (nothing sent) ...
    reanalyse(FakeAnalyzer(version="2", ignore=frozenset({"country:IND"})))
    assert len(_deliveries(session_factory)) == 1
    # ... and when it matches again, that is a new match (for the fixture's India article too)
    reanalyse(FakeAnalyzer(version="3"))
    again = _deliveries(session_factory)[1:]
    assert (india, article, "pending") in again
    assert len(again) == 2


@pytest.mark.usefixtures("known_actors")
def test_a_revision_that_still_matches_is_a_new_match(
    client: TestClient, drain: Callable[[], int], session_factory: sessionmaker[Session]
) -> None:
    _subscribe(client, filters={"actor": ["India"]}, webhook={"url": HOOK})
    url = "https://example.com/revised"
    _ingest(client, "India is a great partner.", url=url)
    assert drain() == 1
    _ingest(client, "India is a great partner, said the minister.", url=url)
    assert drain() == 1

    assert len(_deliveries(session_factory)) == 2


@pytest.mark.usefixtures("known_actors")
def test_feeds_are_valid_atom_newest_first(client: TestClient, drain: Callable[[], int]) -> None:
    india = _subscribe(client, filters={"actor": ["India"]})["id"]
    first = _ingest(client, "India is a great partner.", title="First", published="2021-03-01")
    second = _ingest(client, "India is a threat.", title="Second", published="2021-03-02")
    assert drain() == 2

    response = client.get(f"/v1/subscriptions/{india}/feed")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Second", "First"]
    assert feed.entries[0].link.startswith("https://example.com/")  # the page itself
    assert feed.entries[0].id.startswith(f"http://testserver/v1/articles/{second}#msg_")
    assert "India negative" in feed.entries[0].summary
    assert "India positive" in feed.entries[1].summary

    search = client.get("/v1/articles/feed", params={"actor": "India", "q": "partner"})
    assert search.status_code == 200, search.text
    parsed = feedparser.parse(search.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.id.rsplit("/", 1)[1] for e in parsed.entries] == [str(first)]
    assert_problem(client.get("/v1/articles/feed", params={"actor": "Atlantis"}), 422)


@pytest.mark.usefixtures("known_actors")
def test_feeds_leave_out_what_xml_cannot_hold(client: TestClient, drain: Callable[[], int]) -> None:
    # a control character in a name or title is stored, but XML 1.0 has no place for it
    india = _subscribe(client, name="India\x01 watch", filters={"actor": ["India"]})["id"]
    _ingest(client, "India is a great partner.", title="Bell\x07 rings", published="2021-03-01")
    assert drain() == 1
    response = client.get(f"/v1/subscriptions/{india}/feed")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.startswith("India watch")
    assert [e.title for e in feed.entries] == ["Bell rings"]


def test_feeds_take_a_key_as_a_token_where_reads_need_one(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    key = new_key(session_factory, KeyScope.read)
    settings = make_settings(database_url, auth_reads=True)
    with TestClient(create_app(settings)) as client:
        assert_problem(client.get("/v1/articles/feed"), 401)
        assert_problem(client.get("/v1/articles", params={"token": key}), 401)  # feeds only
        assert client.get("/v1/articles/feed", params={"token": key}).status_code == 200
        assert_problem(client.get("/v1/articles/feed", params={"token": "lens_wrong"}), 401)


@pytest.mark.usefixtures("known_actors")
def test_a_database_dump_holds_no_secret(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    settings = make_settings(database_url, webhook_secret_key="server-key-" + "x" * 32)
    with TestClient(create_app(settings)) as client:
        secret = _subscribe(client, webhook={"url": "https://example.org/hook"})["secret"]
    with session_factory() as session:
        stored = session.execute(select(Subscription)).scalar_one()
        assert stored.secret_scheme == "derived"
        assert secret.removeprefix("whsec_") != stored.secret_salt
        assert session.scalar(select(func.count()).select_from(Subscription)) == 1
