"""Re-annotation after a model change: which articles are queued, atomic replacement, history,
runs; through the service, the command and the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.runs import cli
from app.core.config import Settings
from app.main import create_app
from app.models import Article, ArticleHistory, ArticleStatus
from app.schemas.ingest import ArticleIn
from app.services import ingest, reannotate
from tests.conftest import make_settings
from tests.fakes import FakeAnalyzer
from tests.tools.analyzers import fake_v1, fake_v2

runner = CliRunner()


def by_outlet(session_factory: sessionmaker[Session]) -> dict[str, Article]:
    with session_factory() as session:
        return {a.outlet.name: a for a in session.scalars(select(Article)) if a.outlet}


def requeue(
    session_factory: sessionmaker[Session],
    settings: Settings,
    selection: reannotate.Selection,
    analyzer: FakeAnalyzer | None,
    dry_run: bool = False,
) -> reannotate.Requeued:
    current = reannotate.identity_of(analyzer) if analyzer else None
    with session_factory() as session, session.begin():
        return reannotate.requeue(session, settings, selection, current, dry_run=dry_run)


def test_only_articles_of_other_runs_are_queued(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    analysed(fake_v1(settings))
    v2 = fake_v2(settings)

    assert requeue(session_factory, settings, reannotate.Selection(), fake_v1(settings)).count == 0
    dry = requeue(session_factory, settings, reannotate.Selection(), v2, dry_run=True)
    assert (dry.count, dry.current_run_id) == (3, None)
    assert {a.status for a in by_outlet(session_factory).values()} == {ArticleStatus.done}

    queued = requeue(session_factory, settings, reannotate.Selection(outlets=["china daily"]), v2)

    assert queued.count == 1
    assert {o: a.status.value for o, a in by_outlet(session_factory).items()} == {
        "China Daily": "pending",
        "Global Times": "done",
        "Daily": "done",
    }
    analysed(v2)
    again = requeue(session_factory, settings, reannotate.Selection(), v2)
    assert again.count == 2  # the China Daily article has the current run now
    assert again.current_run_id == by_outlet(session_factory)["China Daily"].analysis_run_id


def test_filters_all_runs_and_failed(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    analysed(fake_v1(settings))
    v1_run = by_outlet(session_factory)["Daily"].analysis_run_id
    assert v1_run is not None
    with session_factory() as session, session.begin():
        session.get_one(
            Article, by_outlet(session_factory)["Daily"].id
        ).status = ArticleStatus.failed

    def count(selection: reannotate.Selection, analyzer: FakeAnalyzer | None = None) -> int:
        return requeue(session_factory, settings, selection, analyzer, dry_run=True).count

    assert count(reannotate.Selection(everything=True)) == 2  # the failed one is left out
    assert count(reannotate.Selection(everything=True, include_failed=True)) == 3
    assert count(reannotate.Selection(actors=["NATO"], everything=True)) == 2
    assert count(reannotate.Selection(actors=["India", "NATO"], everything=True)) == 1
    assert count(reannotate.Selection(published_from=date(2021, 3, 1), everything=True)) == 1
    assert count(reannotate.Selection(run_ids=[v1_run])) == 2
    with pytest.raises(reannotate.ModelsUnknownError):
        count(reannotate.Selection())
    with pytest.raises(Exception, match="no analysis run 999"):
        count(reannotate.Selection(run_ids=[999]))


def test_requeued_article_keeps_serving_old_annotations_then_history(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: TestClient,
) -> None:
    analysed(fake_v1(settings))
    article_id = by_outlet(session_factory)["China Daily"].id
    before = client.get(f"/v1/articles/{article_id}").json()
    assert {a["key"] for a in before["actors"]} == {"country:RUS", "org:nato"}
    v2 = fake_v2(settings)
    requeue(session_factory, settings, reannotate.Selection(outlets=["China Daily"]), v2)

    pending = client.get(f"/v1/articles/{article_id}").json()

    assert pending["status"] == "pending"
    assert pending["actors"] == before["actors"]
    assert pending["sentiment"] == before["sentiment"]
    assert pending["analysis_run"] == before["analysis_run"]

    analysed(v2)
    after = client.get(f"/v1/articles/{article_id}", params={"include": "history"}).json()

    assert after["status"] == "done"
    assert {a["key"] for a in after["actors"]} == {"country:RUS"}
    assert after["analysis_run"]["models"] == {"fake": "fake-analyzer@2"}
    [entry] = after["history"]
    assert entry["analysis_run_id"] == before["analysis_run"]["id"]
    assert entry["replaced_by_run_id"] == after["analysis_run"]["id"]
    assert entry["analyzed_at"] == before["analyzed_at"]
    assert entry["sentiment"] == {"label": "positive", "score": 0.6}
    # the snapshot keeps both levels; a subtopic with its parent
    assert [(t["code"], t["parent"]) for t in entry["topics"]] == [
        ("politics", None),
        ("diplomacy", "politics"),
        ("world", None),
    ]
    assert [a["key"] for a in entry["actors"]] == ["country:RUS", "org:nato"]
    assert client.get(f"/v1/articles/{article_id}").json()["history"] is None
    with session_factory() as session:
        assert len(session.scalars(select(ArticleHistory)).all()) == 1


def test_first_analysis_writes_no_history(
    analysed: Callable[[FakeAnalyzer], None], session_factory: sessionmaker[Session]
) -> None:
    analysed(FakeAnalyzer())

    with session_factory() as session:
        assert session.scalars(select(ArticleHistory)).all() == []


def test_runs_list_counts_and_periods(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: TestClient,
) -> None:
    analysed(fake_v1(settings))
    v2 = fake_v2(settings)
    requeue(session_factory, settings, reannotate.Selection(outlets=["Daily"]), v2)
    analysed(v2)

    page = client.get("/v1/runs", params={"limit": 1}).json()
    second = client.get("/v1/runs", params={"cursor": page["next_cursor"]}).json()

    [newest] = page["items"]
    [oldest] = second["items"]
    assert second["next_cursor"] is None
    assert (newest["models"], newest["articles"], newest["replaced"]) == (
        {"fake": "fake-analyzer@2"},
        1,
        0,
    )
    assert (oldest["articles"], oldest["replaced"]) == (2, 1)
    assert oldest["first_used"] <= oldest["last_used"] <= newest["first_used"]
    assert client.get("/v1/runs", params={"cursor": "junk"}).status_code == 400


@pytest.fixture
def embedded_client(
    database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    """An API whose embedded worker runs the "v2" models."""
    settings = make_settings(database_url, embedded_worker=True)
    with TestClient(create_app(settings, load_analyzer=fake_v2)) as client:
        yield client


def test_api_reannotate(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: TestClient,
) -> None:
    analysed(fake_v1(settings))

    unknown = client.post("/v1/reannotate", json={})
    dry = client.post("/v1/reannotate", json={"all": True, "outlet": ["Daily"], "dry_run": True})
    bad = client.post("/v1/reannotate", json={"all": True, "actor": ["Atlantis"]})
    done = client.post(
        "/v1/reannotate", json={"all": True, "from": "2021-03-01", "to": "2021-03-31"}
    )

    assert unknown.status_code == 409
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (dry.status_code, dry.json()["queued"], dry.json()["dry_run"]) == (200, 1, True)
    assert bad.status_code == 422
    assert (done.status_code, done.json()["queued"]) == (202, 2)  # both "Daily" outlets
    assert sum(a.status is ArticleStatus.pending for a in by_outlet(session_factory).values()) == 2


def test_api_reannotate_knows_the_embedded_workers_models(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
    embedded_client: TestClient,
) -> None:
    """The embedded worker ("v2") analyses the stored articles; to the API they are current."""
    for _ in range(500):
        if all(a.status is ArticleStatus.done for a in by_outlet(session_factory).values()):
            break
        time.sleep(0.02)

    response = embedded_client.post("/v1/reannotate", json={"dry_run": True})

    assert response.status_code == 200
    body = response.json()
    assert body["queued"] == 0
    assert body["current_fingerprint"] == reannotate.identity_of(fake_v2(settings)).fingerprint
    assert body["current_run_id"] == by_outlet(session_factory)["Daily"].analysis_run_id


def test_commands_reannotate_and_runs(
    analysed: Callable[[FakeAnalyzer], None],
    lens_env: str,
    settings: Settings,
    session_factory: sessionmaker[Session],
) -> None:
    analysed(fake_v1(settings))
    v2 = ["--analyzer", "tests.tools.analyzers:fake_v2", "--no-migrate"]

    dry = runner.invoke(cli, ["reannotate", "--dry-run", *v2])
    some = runner.invoke(
        cli, ["reannotate", "--outlet", "China Daily", "--since", "2021-01-01", *v2]
    )
    unknown = runner.invoke(cli, ["reannotate", "--all", "--actor", "Atlantis", "--no-migrate"])
    runs = runner.invoke(cli, ["runs"])

    assert dry.exit_code == 0, dry.output
    assert "3 articles would be queued" in dry.output
    assert some.exit_code == 0, some.output
    assert "1 article queued" in some.output
    assert unknown.exit_code == 2
    assert "Atlantis" in unknown.output
    assert runs.exit_code == 0
    assert "3 articles, 0 replaced" in runs.output
    assert "fake: fake-analyzer@1" in runs.output
    assert "settings: threshold=0.5" in runs.output


def test_models_described_without_loading_them(
    analysed: Callable[[FakeAnalyzer], None],
    lens_env: str,
    settings: Settings,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analysed(fake_v1(settings))
    monkeypatch.setattr(reannotate, "DESCRIBE_HOOK", ("tests.tools.analyzers", "describe_v2"))

    def no_loading(*_args: object) -> None:
        raise AssertionError("the models were loaded")

    monkeypatch.setattr("app.cli.runs.load_analyzer_from", no_loading)

    command = runner.invoke(cli, ["reannotate", "--dry-run", "--no-migrate"])
    api = client.post("/v1/reannotate", json={"dry_run": True})

    assert command.exit_code == 0, command.output
    assert "3 articles would be queued" in command.output
    assert api.status_code == 200
    assert (
        api.json()["current_fingerprint"] == reannotate.identity_of(fake_v2(settings)).fingerprint
    )


def test_the_history_keeps_who_said_what_about_whom(
    analysed: Callable[[FakeAnalyzer], None],
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: TestClient,
) -> None:
    text = 'Sergei Lavrov said: "NATO is a threat to Russia." Nobody answered.'
    with session_factory() as session, session.begin():
        ingest.ingest_many(session, settings, [ArticleIn(text=text, outlet="Quoting Times")])
    analysed(fake_v1(settings))
    article_id = by_outlet(session_factory)["Quoting Times"].id
    before = client.get(f"/v1/articles/{article_id}").json()
    [quotation] = before["quotations"]
    v2 = fake_v2(settings)
    requeue(session_factory, settings, reannotate.Selection(outlets=["Quoting Times"]), v2)
    analysed(v2)

    [entry] = client.get(f"/v1/articles/{article_id}", params={"include": "history"}).json()[
        "history"
    ]
    relations = {(r["speaker"], r["target"]): r for r in entry["relations"]}
    assert set(relations) == {
        ("person:sergei lavrov", "org:nato"),
        ("person:sergei lavrov", "country:RUS"),
    }
    for target in quotation["targets"]:
        counts = relations[("person:sergei lavrov", target["actor"]["key"])]
        assert counts[target["label"]] == 1
        assert sum(counts[label] for label in ("negative", "neutral", "positive")) == 1
