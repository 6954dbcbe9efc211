"""Re-annotation keeps actor ids: a database annotated with older actor tables (person:obama,
the CDC under its long name) is brought to today's keys by `lens reannotate`: an actor that
survives keeps its id, one merged into another keeps answering for it, old names stay aliases,
and the articles annotated again find those ids."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.analysis.actors.identity import current_identity
from app.analysis.types import ActorRef
from app.cli.runs import cli
from app.core.config import Settings
from app.main import create_app
from app.models import Actor, ActorAlias, ActorMerge, ActorOutletStats, ArticleActor
from app.repositories import actors as actor_rows
from app.repositories.actors import ActorSpec
from app.schemas.ingest import ArticleIn
from app.services import actor_identities, ingest
from app.worker import Worker
from tests.fakes import FakeAnalyzer
from tests.tools.analyzers import actors_current, actors_old

runner = CliRunner()

TEXTS = {
    "Daily": "Obama spoke in Moscow.",
    "Global Times": "Barack Obama praised the CDC.",
    # both of the old keys in one article: one row for it after the merge
    "China Daily": "Obama met Barack Obama. Obama said the CDC was right.",
}


def _store(settings: Settings, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, session.begin():
        ingest.ingest_many(
            session, settings, [ArticleIn(text=t, outlet=o) for o, t in TEXTS.items()]
        )


def _drain(
    settings: Settings, session_factory: sessionmaker[Session], analyzer: FakeAnalyzer
) -> None:
    worker = Worker(session_factory, analyzer, settings)
    while worker.run_once():
        pass


def _ids(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return dict(session.execute(select(Actor.key, Actor.id)).all())


def _aliases(session: Session, actor_id: int) -> set[str]:
    return set(session.scalars(select(ActorAlias.alias).where(ActorAlias.actor_id == actor_id)))


def test_the_current_identity_of_old_keys() -> None:
    obama = ActorRef("person:barack obama", "Barack Obama", "person")
    assert current_identity("person:obama", "Obama", "person") == obama
    assert current_identity("person:barack obama", "Barack Obama", "person") is None
    # the stored key wins over the name it was first stored under
    trump = current_identity("person:donald trump", "Donald Trump Jr.", "person")
    assert trump == ActorRef("person:donald trump", "Donald Trump", "person")
    assert current_identity("org:congress", "Congress", "organization") == ActorRef(
        "org:us congress", "US Congress", "organization"
    )
    # what only an article's context decides, or a capital read as a city, stays
    assert current_identity("person:guyger", "Guyger", "person") is None
    assert current_identity("place:georgia", "Georgia", "place") is None
    assert current_identity("place:moscow", "Moscow", "place") is None
    assert current_identity("org:the hill", "The Hill", "organization") is None


def test_reannotate_renames_and_merges_stored_actors_keeping_their_ids(
    lens_env: str, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    _store(settings, session_factory)
    _drain(settings, session_factory, actors_old(settings))
    before = _ids(session_factory)
    obama, barack, cdc = (
        before["person:obama"],
        before["person:barack obama"],
        before["org:centers for disease control and prevention"],
    )
    russia = before["country:RUS"]

    current = ["--analyzer", "tests.tools.analyzers:actors_current", "--no-migrate"]
    dry = runner.invoke(cli, ["reannotate", "--dry-run", *current])
    assert dry.exit_code == 0, dry.output
    assert "1 would be renamed, 1 would be merged" in dry.output
    assert _ids(session_factory) == before
    result = runner.invoke(cli, ["reannotate", *current])
    assert result.exit_code == 0, result.output
    assert "3 articles queued" in result.output
    assert "1 were renamed, 1 were merged" in result.output

    after = _ids(session_factory)
    # the CDC survives under its new key with its id; Obama is Barack Obama's id now
    assert after["org:cdc"] == cdc
    assert after["person:barack obama"] == barack
    assert after["country:RUS"] == russia
    assert "person:obama" not in after
    with session_factory() as session:
        assert session.get_one(ActorMerge, obama).actor_id == barack
        assert {"obama", "barack obama"} <= _aliases(session, barack)
        assert "centers for disease control and prevention" in _aliases(session, cdc)
        # the three articles' rows are Barack Obama's, one each, and so are the roll-ups
        rows = session.scalars(select(ArticleActor).where(ArticleActor.actor_id == barack)).all()
        assert len(rows) == 3
        both = next(r for r in rows if r.mention_count > 1)
        # "Obama" twice (person:obama), "Barack Obama" once
        assert both.mention_count == 3
        articles = session.scalars(
            select(ActorOutletStats.articles).where(ActorOutletStats.actor_id == barack)
        ).all()
        assert sum(articles) == 3

    with TestClient(create_app(settings)) as client:
        # saved links and filters with the old id, key or name still reach the actor
        profile = client.get(f"/v1/actors/{obama}").json()
        assert (profile["id"], profile["name"], profile["article_count"]) == (
            barack,
            "Barack Obama",
            3,
        )
        for term in (str(obama), "person:obama", "Obama", "Barack Obama"):
            found = client.get("/v1/articles", params={"actor": term, "fields": "id"})
            assert found.status_code == 200, (term, found.text)
            assert len(found.json()["items"]) == 3, term

        # annotated again with the current tables: the same ids, nothing new
        _drain(settings, session_factory, actors_current(settings))
        assert _ids(session_factory) == after
        # a worker still on the old tables writes the old key: the actor it became
        with session_factory() as session, session.begin():
            again = actor_rows.ensure(
                session, [ActorSpec(key="person:obama", name="Obama", kind="person", aliases=())]
            )
        assert again == {"person:obama": barack}
        assert _ids(session_factory) == after
        article = client.get("/v1/articles", params={"actor": "org:cdc", "fields": "actors"}).json()
        named = {a["key"]: a["id"] for item in article["items"] for a in item["actors"]}
        assert named["org:cdc"] == cdc
        assert named["person:barack obama"] == barack


def test_actors_of_the_current_tables_are_left_as_they_are(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    _store(settings, session_factory)
    _drain(settings, session_factory, actors_current(settings))
    with session_factory() as session, session.begin():
        assert actor_identities.reconcile(session) == actor_identities.Reconciled(0, 0)
