"""`lens status`: the queue by status and the leases workers hold."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli.tools import cli
from app.core.config import Settings
from app.core.db import utcnow
from app.repositories import queue
from app.schemas.ingest import ArticleIn
from app.services import ingest

runner = CliRunner()


def test_status_shows_queue_and_leases(
    lens_env: str, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    now = utcnow()
    with session_factory() as session, session.begin():
        ingest.ingest_many(session, settings, [ArticleIn(text=f"Text {i}.") for i in range(5)])
        queue.claim(
            session,
            owner="host:1:live",
            now=now,
            lease_until=now + timedelta(minutes=5),
            limit=2,
            max_attempts=3,
        )
        queue.claim(
            session,
            owner="host:2:dead",
            now=now,
            lease_until=now - timedelta(minutes=1),
            limit=1,
            max_attempts=3,
        )

    text = runner.invoke(cli, ["status"])
    as_json = runner.invoke(cli, ["status", "--json"])

    assert text.exit_code == 0, text.output
    assert "queue: 5 pending, 0 done, 0 failed" in text.output
    assert "lease: host:2:dead: 1 articles, EXPIRED" in text.output
    assert "lease: host:1:live: 2 articles, until" in text.output
    report = json.loads(as_json.output)
    assert report["queue"] == {"pending": 5, "done": 0, "failed": 0, "skipped": 0}
    assert [
        (lease["owner"], lease["articles"], lease["expired"]) for lease in report["leases"]
    ] == [
        ("host:2:dead", 1, True),
        ("host:1:live", 2, False),
    ]


def test_status_of_an_idle_queue(lens_env: str) -> None:
    result = runner.invoke(cli, ["status"])

    assert result.exit_code == 0
    assert "no worker holds a lease" in result.output
