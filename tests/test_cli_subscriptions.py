"""`lens subscriptions list|create|test|resend` against a SQLite file and a real receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from standardwebhooks.webhooks import Webhook
from typer.testing import CliRunner

from app.cli.subscriptions import cli as subscriptions_cli
from app.core.config import get_settings
from app.core.db import create_db_engine, create_session_factory, migrate
from app.models import Delivery, DeliveryState, KeyScope
from app.schemas.ingest import ArticleIn
from app.services import api_keys, ingest
from app.worker import Worker
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer
from tests.webhook_receiver import Receiver

runner = CliRunner()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'subscriptions.db'}"
    monkeypatch.setenv("LENS_DATABASE_URL", url)
    monkeypatch.setenv("LENS_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    migrate(url)
    yield url
    get_settings.cache_clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def lens(*args: str) -> Any:
    return runner.invoke(subscriptions_cli, list(args))


def test_create_list_test_and_resend(database_file: str, receiver: Receiver) -> None:
    created = lens(
        "create", "Opinion in English", "-f", "genre=opinion", "-f", "language=en",
        "--webhook", receiver.url, "--json",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    subscription = json.loads(created.stdout)
    assert subscription["filters"] == {"genre": ["opinion"], "language": ["en"]}
    secret = subscription["secret"]

    listed = json.loads(lens("list", "--json").stdout)
    assert [(s["id"], s["api_key_id"]) for s in listed] == [(subscription["id"], None)]
    assert "Opinion in English" in lens("list").stdout

    tested = lens("test", str(subscription["id"]))
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.startswith("HTTP 204")
    (request,) = receiver.received
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "subscription.test"

    # a delivery that failed, queued again by the command, then sent by a worker
    engine = create_db_engine(database_file)
    factory = create_session_factory(engine)
    settings = make_settings(database_file, webhook_allow_private=True)
    with factory.begin() as session:
        ingest.ingest_one(session, settings, ArticleIn.model_validate(article_payload()))
    worker = Worker(factory, FakeAnalyzer(), settings)
    worker.run_once()
    with factory.begin() as session:
        session.execute(update(Delivery).values(state=DeliveryState.failed))
    resent = lens("resend", str(subscription["id"]))
    assert resent.stdout.strip() == "1 deliveries queued again"
    assert worker.deliver_once() == 1
    assert len(receiver.received) == 2
    engine.dispose()


def test_bad_filters_and_missing_subscriptions(database_file: str) -> None:
    assert lens("create", "x", "-f", "actors=India").exit_code == 2
    assert lens("create", "x", "-f", "actor").exit_code == 2
    assert lens("create", "x", "-f", "actor=Atlantis").exit_code == 2
    assert lens("create", "x", "--key", "7").exit_code == 2
    assert lens("test", "42").exit_code == 1
    assert lens("resend", "42").exit_code == 1
    feed_only = json.loads(lens("create", "feed", "--json").stdout)
    assert lens("test", str(feed_only["id"])).exit_code == 1


def test_a_subscription_made_for_a_key(database_file: str) -> None:
    engine = create_db_engine(database_file)
    with create_session_factory(engine).begin() as session:
        key = api_keys.create(session, "reader", KeyScope.read).key
    engine.dispose()

    made = json.loads(lens("create", "theirs", "--key", str(key.id), "--json").stdout)

    listed = json.loads(lens("list", "--json").stdout)
    assert [(s["id"], s["api_key_id"]) for s in listed] == [(made["id"], key.id)]
