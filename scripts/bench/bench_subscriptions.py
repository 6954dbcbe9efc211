"""Subscriptions benchmark: what matching costs the worker, and how fast webhooks go out.

    .venv/bin/python scripts/bench/bench_subscriptions.py              # SQLite, temporary file
    .venv/bin/python scripts/bench/bench_subscriptions.py \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/lens    # a throw-away schema

Two measurements, each on a fresh database with the stand-in analyzer of the tests (so the time
is the subscription machinery's and the database's, not the models'):

1. *Matching*: `--articles` articles (default 1,000) stored and drained by one worker
   (`Worker.run_once` until the queue is empty), without subscriptions, then with
   `--subscriptions` (default 10) that every article matches: the difference is what finding
   the matches and writing the deliveries (payload included) costs per article.
2. *Delivery*: the same articles and subscriptions, the worker loop (`Worker.run`: analyse,
   then send due deliveries, as `lens worker` does) running while a real HTTP receiver on
   127.0.0.1 answers 204. Deliveries per second (first match written to last POST received)
   and the lag of each (match committed -> POST received): p50, p95, max.

Prints a table and writes JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.api.search_params import SearchFilters  # noqa: E402
from app.api.search_params import saved_filters  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import create_db_engine  # noqa: E402
from app.core.db import create_session_factory  # noqa: E402
from app.core.db import migrate  # noqa: E402
from app.core.db import utcnow  # noqa: E402
from app.models import Delivery  # noqa: E402
from app.models import DeliveryState  # noqa: E402
from app.schemas.ingest import ArticleIn  # noqa: E402
from app.services import ingest  # noqa: E402
from app.services import subscriptions  # noqa: E402
from app.worker import Worker  # noqa: E402
from tests.fakes import FakeAnalyzer  # noqa: E402
from tests.webhook_receiver import Receiver  # noqa: E402

# Ten searches every article below answers, from one actor to most filters at once.
FILTERS: list[dict[str, Any]] = [
    {"actor": ["India"]},
    {"actor": ["India"], "actor_sentiment": "positive"},
    {"actor": ["India", "China"], "actor_mode": "all"},
    {"actor": ["India", "NATO"], "actor_mode": "any"},
    {"outlet": ["China Daily"]},
    {"outlet": ["China Daily"], "language": ["en"], "genre": ["opinion"]},
    {"q": "partner"},
    {"actor": ["China"], "from": "2021-01-01", "to": "2021-12-31"},
    {"author": ["Dmitri Trenin"], "actor": ["India"]},
    {"min_sentiment": -1, "actor": ["China"], "outlet": ["China Daily"]},
]


def _article(i: int) -> ArticleIn:
    return ArticleIn.model_validate(
        {
            "title": f"India and China, part {i}",
            "text": f"India is a great partner of China. Talks number {i} went well.",
            "outlet": "China Daily",
            "authors": ["Dmitri Trenin"],
            "published": "2021-03-22",
            "url": f"https://example.com/bench/{i}",
            "language": "en",
            "genre": "opinion",
        }
    )


class Database:
    """Fresh databases: SQLite files in a temporary folder, or PostgreSQL schemas."""

    def __init__(self, postgres: str | None) -> None:
        self.postgres = postgres
        self.folder = tempfile.mkdtemp(prefix="lens-bench-subscriptions-")
        self.schemas: list[str] = []

    def fresh(self) -> str:
        if self.postgres is None:
            url = f"sqlite:///{self.folder}/{uuid.uuid4().hex[:8]}.db"
        else:
            schema = f"lens_bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            self.schemas.append(schema)
            url = (
                make_url(self.postgres)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        migrate(url)
        return url

    def drop(self) -> None:
        if self.postgres is None or not self.schemas:
            return
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for schema in self.schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _setup(url: str, subscribed: int, hook: str | None) -> tuple[Any, Settings, Callable[[], None]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        embedded_worker=False,
        webhook_allow_private=True,
        worker_poll_seconds=0.01,
    )
    engine = create_db_engine(url)
    factory = create_session_factory(engine)
    worker = Worker(factory, FakeAnalyzer(), settings)
    with factory.begin() as session:  # India, China and NATO known: the filters may name them
        ingest.ingest_one(
            session,
            settings,
            ArticleIn.model_validate(
                {
                    "text": "India, China and NATO met.",
                    "outlet": "China Daily",
                    "authors": ["Dmitri Trenin"],
                }
            ),
        )
    while worker.run_once():
        pass
    with factory.begin() as session:
        for i in range(subscribed):
            shown, query = saved_filters(SearchFilters.model_validate(FILTERS[i % len(FILTERS)]))
            subscriptions.create(
                session,
                settings,
                owner=None,
                name=f"bench {i}",
                filters=shown,
                query=query,
                webhook_url=hook,
                now=utcnow(),
            )
    return factory, settings, engine.dispose


def _ingest(factory: Any, settings: Settings, n: int) -> None:
    for start in range(0, n, 500):
        with factory.begin() as session:
            ingest.ingest_batch(
                session, settings, [_article(i) for i in range(start, min(n, start + 500))]
            )


def matching(db: Database, articles: int, subscribed: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, count in (("without", 0), ("with", subscribed)):
        factory, settings, dispose = _setup(db.fresh(), count, "http://127.0.0.1:9/unused")
        _ingest(factory, settings, articles)
        worker = Worker(factory, FakeAnalyzer(), settings)
        started = time.perf_counter()
        drained = 0
        while handled := worker.run_once():
            drained += handled
        seconds = time.perf_counter() - started
        with factory() as session:
            written = session.scalar(select(func.count()).select_from(Delivery)) or 0
        dispose()
        results[label] = {
            "subscriptions": count,
            "articles": drained,
            "seconds": round(seconds, 2),
            "articles_per_second": round(drained / seconds, 1),
            "deliveries_written": written,
        }
    extra = results["with"]["seconds"] - results["without"]["seconds"]
    results["matching_ms_per_article"] = round(1000 * extra / articles, 2)
    return results


def delivery(db: Database, articles: int, subscribed: int) -> dict[str, Any]:
    receiver = Receiver().start()
    arrivals: dict[str, float] = {}
    try:
        factory, settings, dispose = _setup(db.fresh(), subscribed, receiver.url)
        _ingest(factory, settings, articles)
        expected = articles * subscribed
        stop = threading.Event()
        worker = Worker(factory, FakeAnalyzer(), settings)
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        started = time.perf_counter()
        thread.start()
        seen = 0
        while True:
            received = receiver.received[seen:]
            now = time.time()
            for request in received:
                arrivals.setdefault(request.headers["webhook-id"], now)
            seen += len(received)
            if len(arrivals) >= expected or time.perf_counter() - started > 1800:
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
        stop.set()
        thread.join()
        with factory() as session:
            rows = session.execute(
                select(Delivery.event_id, Delivery.created_at, Delivery.state)
            ).all()
        dispose()
    finally:
        receiver.stop()
    delivered = [r for r in rows if r.state is DeliveryState.delivered]
    lags = sorted(
        arrivals[r.event_id] - r.created_at.replace(tzinfo=UTC).timestamp()
        for r in delivered
        if r.event_id in arrivals
    )
    first_match = min(r.created_at for r in rows).timestamp()
    span = max(arrivals.values()) - first_match if arrivals else float("nan")
    return {
        "articles": articles,
        "subscriptions": subscribed,
        "deliveries": len(rows),
        "delivered": len(delivered),
        "posts_received": len(receiver.received),
        "distinct_ids_received": len(arrivals),
        "wall_seconds": round(wall, 2),
        "deliveries_per_second": round(len(arrivals) / span, 1),
        "lag_seconds": {
            "p50": round(statistics.median(lags), 2),
            "p95": round(lags[int(0.95 * (len(lags) - 1))], 2),
            "max": round(lags[-1], 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--postgres", help="a PostgreSQL URL; each run gets its own schema")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    db = Database(args.postgres)
    try:
        result = {
            "database": "postgresql" if args.postgres else "sqlite",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "matching": matching(db, args.articles, args.subscriptions),
            "delivery": delivery(db, args.articles, args.subscriptions),
        }
    finally:
        db.drop()
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
