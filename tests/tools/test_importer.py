"""Bulk import into the database and through the API: idempotent, bad rows set aside."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.main import create_app
from app.models import Article
from app.schemas.ingest import ArticleIn
from app.services import importer, ingest
from app.services.import_records import FieldMap
from app.services.import_sources import Source
from tests.conftest import count_articles, make_settings


def write_jsonl(path: Path, rows: Sequence[dict[str, Any] | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROWS: list[dict[str, Any]] = [
    {
        "id": "a",
        "url": "https://example.com/a",
        "title": "A",
        "outlet": "Daily",
        "authors": "Ann Lee and Bo Chen",
        "published": "4/4/17",
        "text": "Moscow met Beijing.",
    },
    {"id": "b", "title": "B", "outlet": "Daily", "text": "India and NATO.", "published": None},
    # the same url as "a" with another text: a revision of it
    {"id": "c", "url": "https://example.com/a", "title": "A2", "text": "Changed text."},
    {"id": "d", "title": "No text"},
    # the same outlet (any case), title and text as "b"
    {"id": "e", "title": "B", "outlet": "DAILY", "text": "India and NATO.", "published": "2020"},
]


def run(
    path: Path, sink: importer.Sink, settings: Settings, **kwargs: Any
) -> importer.ImportReport:
    return importer.run_import(Source(path, "jsonl"), FieldMap(), sink, settings, **kwargs)


def test_import_is_idempotent_and_reports_rejects(
    tmp_path: Path, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    path = write_jsonl(tmp_path / "dump.jsonl", ROWS)
    sink = importer.DatabaseSink(session_factory, settings)

    first = run(path, sink, settings, chunk_size=2)

    assert (first.rows, first.created, first.duplicates) == (5, 2, 2)
    assert [(r.where, r.line, r.id) for r in first.rejects] == [("line 4", 4, "d")]
    assert first.rejects[0].reasons == ["text: Field required"]
    assert first.notes == [("line 5", "published '2020' is not a full date: kept as unknown")]
    with session_factory() as session:
        stored = {a.title: a for a in session.scalars(select(Article))}
        # "c" revised "a": its title and text; the byline and date it did not give stay
        assert sorted(stored) == ["A2", "B"]
        assert (stored["A2"].text, stored["A2"].revision) == ("Changed text.", 2)
        assert stored["A2"].author_names == ["Ann Lee", "Bo Chen"]
        assert stored["A2"].published is not None
        assert stored["A2"].published.date().isoformat() == "2017-04-04"
        assert stored["A2"].published_known is False
        assert stored["B"].published is None

    second = run(path, sink, settings, chunk_size=500)

    assert (second.created, second.duplicates, len(second.rejects)) == (0, 4, 1)
    assert count_articles(session_factory) == 2


def test_bulk_ingest_matches_one_by_one_ingest(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    stored = ArticleIn(text="Old text.", url="https://example.com/x")
    same_url = ArticleIn(text="New text.", url="https://example.com/x")
    # the same content as `same_url`, which revised the stored article: a duplicate of it
    same_content = ArticleIn(text="New text.", url="https://example.com/y")
    other = ArticleIn(text="Other text.", url="https://example.com/z")
    with session_factory() as session, session.begin():
        original = ingest.ingest_one(session, settings, stored)

    with session_factory() as session, session.begin():
        results = ingest.ingest_many(
            session, settings, [same_url, same_content, other, same_content]
        )
    with session_factory() as session, session.begin():
        one_by_one = [ingest.ingest_one(session, settings, a) for a in (same_url, other)]

    assert (results[0].id, results[0].created, results[0].revised) == (original.id, False, True)
    assert (results[1].id, results[1].created) == (original.id, False)
    assert results[2].created
    assert (results[3].id, results[3].created) == (original.id, False)
    assert [(r.id, r.created, r.revised) for r in one_by_one] == [
        (original.id, False, False),
        (results[2].id, False, False),
    ]
    assert count_articles(session_factory) == 2


def test_a_row_the_database_refuses_is_isolated(
    tmp_path: Path,
    settings: Settings,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = ingest.ingest_many

    def refusing(session: Session, settings: Settings, batch: Sequence[ArticleIn]) -> Any:
        if any("POISON" in a.text for a in batch):
            raise IntegrityError("INSERT", {}, Exception("value too long for type"))
        return real(session, settings, batch)

    monkeypatch.setattr(ingest, "ingest_many", refusing)
    rows = [{"text": f"Article {i}."} for i in range(7)]
    rows[4] = {"text": "POISON"}
    path = write_jsonl(tmp_path / "dump.jsonl", rows)

    report = run(path, importer.DatabaseSink(session_factory, settings), settings, chunk_size=7)

    assert (report.created, report.duplicates) == (6, 0)
    assert [(r.line, r.reasons) for r in report.rejects] == [
        (5, ["refused by the database: value too long for type"])
    ]
    assert count_articles(session_factory) == 6


def test_import_through_the_api(
    tmp_path: Path, client: TestClient, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    path = write_jsonl(tmp_path / "dump.jsonl", ROWS)
    sink = importer.ApiSink(client)

    first = run(path, sink, settings, chunk_size=2)
    second = run(path, sink, settings)

    assert (first.created, first.duplicates, len(first.rejects)) == (2, 2, 1)
    assert (second.created, second.duplicates, len(second.rejects)) == (0, 4, 1)
    assert count_articles(session_factory) == 2


def test_api_refusals_set_aside_only_their_rows(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    local = make_settings(database_url, max_text_chars=10_000)
    server = make_settings(database_url, max_text_chars=100, max_body_bytes=1024)
    rows: list[dict[str, Any]] = [{"text": f"Short article number {i}."} for i in range(6)]
    rows[2] = {"text": "x" * 150}  # over the server's text limit
    rows[4] = {"text": "y " * 600}  # alone over the server's body limit
    path = write_jsonl(tmp_path / "dump.jsonl", rows)

    with TestClient(create_app(server)) as client:
        report = run(path, importer.ApiSink(client), local)

    assert (report.created, report.duplicates) == (4, 0)
    reasons = {r.line: r.reasons[0] for r in report.rejects}
    assert sorted(reasons) == [3, 5]
    assert reasons[3].startswith("refused by the server: text:")
    assert reasons[5].startswith("refused by the server (413)")
    assert count_articles(session_factory) == 4


def test_api_sink_retries_when_unavailable_then_gives_up(settings: Settings) -> None:
    answers = [503, 503, 202]
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer k3y"
        code = answers.pop(0)
        if code == 503:
            return httpx.Response(503, headers={"Retry-After": "2"}, json={"detail": "down"})
        count = len(json.loads(request.content)["articles"])
        items = [
            {"index": i, "id": i + 1, "status": "pending", "created": True} for i in range(count)
        ]
        return httpx.Response(202, json={"items": items})

    client = httpx.Client(
        base_url="http://lens",
        transport=httpx.MockTransport(handler),
        headers={"Authorization": "Bearer k3y"},
    )
    sink = importer.ApiSink(client, sleep=sleeps.append)

    assert sink.send([ArticleIn(text="One."), ArticleIn(text="Two.")]) == [True, True]
    assert sleeps == [2.0, 2.0]

    refusing = importer.ApiSink(
        httpx.Client(
            base_url="http://lens",
            transport=httpx.MockTransport(lambda _r: httpx.Response(401, json={"detail": "no"})),
        )
    )
    with pytest.raises(importer.ImportAbortedError, match="401"):
        refusing.send([ArticleIn(text="One.")])

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    down = importer.ApiSink(
        httpx.Client(base_url="http://lens", transport=httpx.MockTransport(unreachable)),
        retries=2,
        sleep=lambda _s: None,
    )
    with pytest.raises(importer.ImportAbortedError, match="cannot reach the server"):
        down.send([ArticleIn(text="One.")])
