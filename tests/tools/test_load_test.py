"""scripts/bench/load_test.py: its plan, percentiles, loopback check, and a tiny in-process run."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.models import Article, ArticleStatus
from tests.conftest import make_settings


def _load_script() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "load_test.py"
    spec = importlib.util.spec_from_file_location("load_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load_test = _load_script()

ROWS = [
    {"outlet": "China Daily", "title": "Trade", "text": "India and NATO talked about trade."},
    {"outlet": "Global Times", "title": "Talks", "text": "Moscow met Beijing.", "url": "https://x"},
]


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]

    assert [load_test.percentile(values, q) for q in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert load_test.percentile([0.3], 99) == 0.3
    assert load_test.percentile([2.0, 1.0], 50) == 1.0


def test_the_plan_is_fixed_and_caps_the_articles() -> None:
    first = load_test.plan(500, max_articles=100, batch_size=10, seed=3)

    assert first == load_test.plan(500, max_articles=100, batch_size=10, seed=3)
    kinds = Counter(first)
    assert len(first) == 500
    assert kinds["ingest"] + 10 * kinds["ingest_batch"] <= 100
    assert min(kinds["search"], kinds["profile"], kinds["timeline"]) > 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1/", "http://[::1]:80"])
def test_loopback_urls_are_accepted(url: str) -> None:
    assert load_test.require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "https://lens.example.com", "http://"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(SystemExit, match="loopback"):
        load_test.require_loopback(url)


def test_a_tiny_run_is_counted_and_verified(
    session_factory: sessionmaker[Session], database_url: str
) -> None:
    app = create_app(make_settings(database_url, rate_limit="0"))
    targets = {
        "actors": [{"id": 1, "name": "India"}],
        "outlets": ["China Daily"],
        "years": [2021],
    }
    mix = load_test.Mix(ROWS, targets, "t3st", batch=3)
    kinds = ["ingest", "ingest_batch", "search", "profile", "timeline", "ingest"]
    with TestClient(app):
        transport = httpx.ASGITransport(app=app)
        tally, seconds = asyncio.run(
            load_test.run_load("http://test", kinds, mix, 3, 30, transport=transport)
        )

    assert seconds > 0
    assert len(tally.accepted) == 5
    assert tally.statuses[("ingest", 202)] == 2
    assert tally.statuses[("ingest_batch", 202)] == 1
    assert tally.statuses[("search", 422)] == 1  # no actor "India" in an unanalysed database
    assert tally.statuses[("profile", 404)] == tally.statuses[("timeline", 404)] == 1
    summary = load_test.latency_summary(tally)
    assert summary["ingest"]["count"] == 2
    assert summary["ingest"]["p50_ms"] <= summary["ingest"]["p99_ms"]

    with session_factory() as session:
        pending = load_test.verify(session, tally.accepted, "t3st")
    assert (pending["found"], pending["missing"], pending["ok"]) == (5, 0, False)
    assert pending["by_status"] == {"pending": 5}

    with session_factory() as session, session.begin():
        session.execute(update(Article).values(status=ArticleStatus.done))
    with session_factory() as session:
        done = load_test.verify(session, tally.accepted, "t3st")
        lost = load_test.verify(session, [*tally.accepted, 9999], "t3st")
    assert done["ok"] is True
    assert done["stored_with_run_tag"] == 5
    assert (lost["missing"], lost["ok"]) == (1, False)
