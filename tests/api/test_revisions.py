"""A different text for a stored url is a revision: replaced, re-analysed, the earlier text and
its annotations kept in the history; the same text again changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.models import ActorRelation
from tests.conftest import article_payload, count_articles

URL = "https://example.com/2021/03/22/moscow-beijing"
FIRST = "Moscow and Beijing drew closer. Washington sees a threat."
SECOND = "Moscow and Beijing drew closer. India is worried, and NATO is watching."
QUOTED = FIRST + ' "Washington is a threat to the whole region," Lavrov said.'


def test_a_new_text_for_a_stored_url_is_a_revision(
    client: TestClient, drain: Callable[[], int], session_factory: sessionmaker[Session]
) -> None:
    first = client.post("/v1/articles", json=article_payload(url=URL, text=FIRST))
    drain()
    article_id = first.json()["id"]
    before = client.get(f"/v1/articles/{article_id}").json()

    revised = client.post(
        "/v1/articles", json=article_payload(url=URL, text=SECOND, title="Corrected")
    )

    assert revised.status_code == 202
    assert revised.json() == {
        "id": article_id,
        "status": "pending",
        "revision": 2,
        "revised": True,
    }
    pending = client.get(f"/v1/articles/{article_id}").json()
    assert (pending["text"], pending["title"], pending["revision"]) == (SECOND, "Corrected", 2)
    # the old annotations pointed into the old text: gone until the new analysis
    assert (pending["status"], pending["sentiment"], pending["mentions"]) == ("pending", None, [])
    assert pending["authors"] == before["authors"]
    assert drain() == 1

    done = client.get(f"/v1/articles/{article_id}", params={"include": "history"}).json()
    assert {a["name"] for a in done["actors"]} == {"Russia", "China", "India", "NATO"}
    [entry] = done["history"]
    assert (entry["reason"], entry["revision"], entry["text"]) == ("revised", 1, FIRST)
    assert entry["title"] == before["title"]
    assert entry["replaced_by_run_id"] is None
    assert entry["sentiment"] == {k: before["sentiment"][k] for k in ("label", "score")}
    assert {a["name"] for a in entry["actors"]} == {"Russia", "China", "United States"}
    assert count_articles(session_factory) == 1


def test_a_revision_drops_the_quotations_of_the_old_text(
    client: TestClient, drain: Callable[[], int], session_factory: sessionmaker[Session]
) -> None:
    first = client.post("/v1/articles", json=article_payload(url=URL, text=QUOTED))
    drain()
    article_id = first.json()["id"]
    assert client.get(f"/v1/articles/{article_id}").json()["quotations"]
    client.post("/v1/articles", json=article_payload(url=URL, text=SECOND))
    # their offsets pointed into the old text: gone with the other annotations
    assert client.get("/v1/quotes").json()["items"] == []
    assert client.get(f"/v1/articles/{article_id}").json()["quotations"] == []
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ActorRelation)) == 0


def test_identical_and_earlier_texts_change_nothing(client: TestClient) -> None:
    first = client.post("/v1/articles", json=article_payload(url=URL, text=FIRST)).json()
    client.post("/v1/articles", json=article_payload(url=URL, text=SECOND))

    same = client.post("/v1/articles", json=article_payload(url=URL, text=SECOND))
    # an older copy sent again (a re-run import of a dump with both) is not a new revision
    older = client.post("/v1/articles", json=article_payload(url=URL, text=FIRST))

    assert same.status_code == older.status_code == 200
    assert (
        same.json()
        == older.json()
        == {
            "id": first["id"],
            "status": "pending",
            "revision": 2,
            "revised": False,
        }
    )
    history = client.get(f"/v1/articles/{first['id']}", params={"include": "history"}).json()
    assert [(h["reason"], h["revision"]) for h in history["history"]] == [("revised", 1)]


def test_a_batch_says_which_articles_were_revised(client: TestClient) -> None:
    client.post("/v1/articles", json=article_payload(url=URL, text=FIRST))

    response = client.post(
        "/v1/articles/batch",
        json={
            "articles": [
                article_payload(url=URL, text=SECOND),
                article_payload(text="Another article entirely."),
            ]
        },
    )

    assert response.status_code == 202
    items = response.json()["items"]
    assert [(i["created"], i["revised"], i["revision"]) for i in items] == [
        (False, True, 2),
        (True, False, 1),
    ]
