"""Query latency benchmark: fill a database with a synthetic corpus, then time the API over HTTP.

    # load 100,000 articles into a new SQLite file, then measure
    .venv/bin/python scripts/bench/bench_query.py --database-url sqlite:////tmp/bench/lens.db \
        --articles 100000 --load
    # measure again without reloading; PostgreSQL the same way
    .venv/bin/python scripts/bench/bench_query.py --database-url sqlite:////tmp/bench/lens.db
    # rank full text with a search index (LENS_SEARCH_INDEX), built from the database first
    .venv/bin/python scripts/bench/bench_query.py --database-url sqlite:////tmp/bench/lens.db \
        --search-index /tmp/bench/search
    .venv/bin/python scripts/bench/bench_query.py --articles 1000000 --load \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

The corpus is described in scripts/bench/bench_corpus.py: real article texts, generated annotations.
Loading bulk-inserts (executemany on SQLite; on PostgreSQL COPY into tables stripped of their
indexes and keys, rebuilt afterwards, two writers: scripts/bench/bench_pgload.py), then rebuilds the
actor roll-ups with the application's own code and refreshes the planner statistics.

Measuring starts the API (uvicorn, one process, no embedded worker) on 127.0.0.1 and sends a
fixed, seeded mix of requests one at a time with httpx, after a warm-up; it prints p50/p95/p99 per
kind of query and writes them as JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.db import create_db_engine  # noqa: E402
from app.core.db import migrate  # noqa: E402
from app.models import Article  # noqa: E402
from app.models.keys import normalize_key  # noqa: E402
from app.repositories import rollups  # noqa: E402
from scripts.bench import bench_corpus as corpus  # noqa: E402
from scripts.bench import bench_pgload as pgload  # noqa: E402

CHUNK = 5000
_ARTICLE_COLUMNS = (
    "id, title, text, url, outlet_id, published, published_known, language, genre, "
    "content_hash, received_at, status, attempts, analysis_run_id, analyzed_at"
)
# table -> (columns, the Chunk attribute holding its rows)
_TABLES = {
    "articles": (_ARTICLE_COLUMNS, "articles"),
    "article_authors": ("article_id, author_id, position", "authors"),
    "article_sentiments": (
        "article_id, label, score, probabilities, drivers, sentences",
        "sentiments",
    ),
    "article_topics": ("article_id, code, label, score", "topics"),
    "article_actors": (
        "article_id, actor_id, mention_count, salience, sentiment_label, sentiment_score, "
        "sentiment_probabilities, evidence, published, outlet_id",
        "actors",
    ),
    "mentions": ('article_id, actor_id, text, label, start, "end", sentence_index', "mentions"),
}
_TERMS = [
    "sanctions", "climate change", "supreme court", "immigration reform", "election fraud",
    "trade war", "health care", "nuclear deal", "border wall", "tax cuts", "gun control",
    "impeachment", "refugees", "cyber attack", "minimum wage", "pipeline", "ceasefire",
    "vaccine", "inflation", "tariffs",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--load", action="store_true", help="load the corpus (empty database)")
    parser.add_argument(
        "--finish",
        action="store_true",
        help="only rebuild the roll-ups and statistics (after an interrupted --load)",
    )
    parser.add_argument("--requests", type=int, default=100, help="timed requests per kind")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per kind")
    parser.add_argument("--seed", type=int, default=20210324)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the benchmark, the API and (PostgreSQL) the database sessions serving "
        "it; negative puts them ahead of other jobs on a shared machine",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument(
        "--search-index",
        type=Path,
        default=None,
        help="rank full text with a search index in this folder (LENS_SEARCH_INDEX): it is "
        "brought up to date (built, the first time) before measuring",
    )
    args = parser.parse_args()

    engine = create_db_engine(args.database_url)
    if args.load:
        started = time.perf_counter()
        load(engine, args.database_url, args.articles, args.seed)
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    elif args.finish:
        finish(engine)
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(Article)) or 0
    print(f"{engine.dialect.name}: {stored} articles", flush=True)
    if args.search_index is not None:
        sync_index(engine, args.search_index)
        os.environ["LENS_SEARCH_INDEX"] = str(args.search_index)
    load_before = os.getloadavg()[0]
    if args.nice:
        os.nice(args.nice)  # the client; the API inherits it
    results = measure(args.database_url, engine, args.requests, args.warmup, args.seed, args.nice)
    results = {
        "backend": engine.dialect.name,
        "articles": stored,
        "nice": args.nice,
        "search_index": args.search_index is not None,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "queries": results,
    }
    print(f"load average before/after: {results['load_average']}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    engine.dispose()


def sync_index(engine: Engine, folder: Path) -> None:
    """Bring the search index in ``folder`` up to date with the database (build it if new)."""
    from app.core.search_index import SearchIndex
    from app.services import search as services_search
    from sqlalchemy.orm import sessionmaker

    index = SearchIndex(folder)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 100_000 < 2_000 or done == total:
            print(f"  search index: {done:>9} of {total} articles", flush=True)

    added = services_search.sync_index(index, sessionmaker(engine), progress)
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    print(
        f"search index: {added} articles added in {time.perf_counter() - started:.0f} s; "
        f"{len(index)} in all, {size / 2**20:,.0f} MB",
        flush=True,
    )


def load(engine: Engine, url: str, total: int, seed: int) -> None:
    migrate(url)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(Article)):
            raise SystemExit("the database already has articles; --load needs an empty one")
    sources = corpus.read_sources()
    replicas = min(5, math.ceil(total / len(sources)))
    outlets = _keyed({corpus.outlet_name(s, r) for s in sources for r in range(replicas)})
    authors = _keyed({name for s in sources for name in s.authors})
    universe = corpus.actor_universe()
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        postgres = engine.dialect.name == "postgresql"
        if not postgres:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-400000")
        _write(cursor, postgres, "outlets", "id, name, key", _rows(outlets))
        _write(cursor, postgres, "authors", "id, name, key", _rows(authors))
        _write(
            cursor,
            postgres,
            "actors",
            "id, key, name, kind",
            [(i + 1, a.key, a.name, a.kind) for i, a in enumerate(universe)],
        )
        aliases = {
            (i + 1, alias)
            for i, a in enumerate(universe)
            for alias in map(normalize_key, (a.name, *a.aliases))
            if alias
        }
        _write(cursor, postgres, "actor_aliases", "actor_id, alias", sorted(aliases))
        now = datetime(2023, 1, 2, tzinfo=UTC)
        _write(
            cursor,
            postgres,
            "analysis_runs",
            "id, fingerprint, models, config, created_at",
            [(1, "bench", '{"bench": "generated-annotations@1"}', "{}", _time(now, postgres))],
        )
        ids = {name: i for name, (i, _key) in outlets.items()}
        author_ids = {name: i for name, (i, _key) in authors.items()}
        chunks = corpus.chunks(
            sources, total, CHUNK, seed=seed, outlet_ids=ids, author_ids=author_ids, run_id=1
        )
        if postgres:
            connection.commit()
            _load_postgres(engine, connection, chunks, total)
        else:
            for n, chunk in enumerate(chunks):
                for table, (columns, attribute) in _TABLES.items():
                    rows = _times(getattr(chunk, attribute), postgres)
                    _write(cursor, postgres, table, columns, rows)
                connection.commit()
                print(f"  {(n + 1) * CHUNK:>9} articles", flush=True)
    finally:
        connection.close()
    finish(engine)


def _load_postgres(
    engine: Engine, connection: Any, chunks: Iterator[corpus.Chunk], total: int
) -> None:
    """COPY the chunks into tables stripped of their indexes and keys, the articles two chunks at
    a time (see bench_pgload), then rebuild those. The rows are those of the sequential load, ids
    included: the serial ids of article_topics and mentions are numbered here, in the order COPY
    would have drawn them."""
    tables = list(_TABLES)
    print(f"dropping the indexes and keys of {', '.join(tables)}", flush=True)
    deferred = pgload.defer_indexes(connection, tables)
    serials = {"topics": 0, "mentions": 0}

    def numbered() -> Iterator[corpus.Chunk]:
        for chunk in chunks:
            for attribute in serials:
                first = serials[attribute] + 1
                rows = getattr(chunk, attribute)
                setattr(chunk, attribute, [(first + i, *row) for i, row in enumerate(rows)])
                serials[attribute] += len(rows)
            yield chunk

    def articles(cursor: Any, chunk: corpus.Chunk) -> int:
        _write(cursor, True, "articles", _ARTICLE_COLUMNS, chunk.articles)
        return len(chunk.articles)

    def rest(cursor: Any, chunk: corpus.Chunk) -> None:
        for table, (columns, attribute) in _TABLES.items():
            if table != "articles":
                names = f"id, {columns}" if attribute in serials else columns
                _write(cursor, True, table, names, getattr(chunk, attribute))

    try:
        pgload.copy_chunks(engine, numbered(), articles, rest, total)
    except BaseException:
        print("load failed: rebuilding the indexes and keys first (for --finish)", flush=True)
        raise
    finally:
        pgload.rebuild(engine, deferred)
        cursor = connection.cursor()
        for table in ("article_topics", "mentions"):  # as if COPY had drawn the ids
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        connection.commit()


def finish(engine: Engine) -> None:
    """Sequences past the loaded ids, roll-ups from the actor rows, fresh planner statistics."""
    print("rebuilding the actor roll-ups", flush=True)
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":
            for table in ("outlets", "authors", "actors", "analysis_runs", "articles"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            session.execute(text("SET LOCAL work_mem = '256MB'"))
        rollups.rebuild(session)
    print(f"  {time.perf_counter() - started:.0f} s; refreshing planner statistics", flush=True)
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    print(f"  {time.perf_counter() - started:.0f} s", flush=True)


def _keyed(names: set[str]) -> dict[str, tuple[int, str]]:
    """Name -> (id, key); names that normalise alike share the first one's id."""
    by_key: dict[str, int] = {}
    found: dict[str, tuple[int, str]] = {}
    for name in sorted(names):
        key = normalize_key(name)
        by_key.setdefault(key, len(by_key) + 1)
        found[name] = (by_key[key], key)
    return found


def _rows(keyed: dict[str, tuple[int, str]]) -> list[tuple[int, str, str]]:
    seen: dict[int, tuple[int, str, str]] = {}
    for name, (i, key) in keyed.items():
        seen.setdefault(i, (i, name, key))
    return list(seen.values())


def _times(rows: list[tuple[Any, ...]], postgres: bool) -> list[tuple[Any, ...]]:
    if postgres:
        return rows
    return [tuple(_time(v, False) if isinstance(v, datetime) else v for v in row) for row in rows]


def _time(value: Any, postgres: bool) -> Any:
    # SQLite gets the text SQLAlchemy writes for a naive UTC datetime.
    return value if postgres else value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _write(cursor: Any, postgres: bool, table: str, columns: str, rows: list[Any]) -> None:
    if not rows:
        return
    if postgres:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns.split(","))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def measure(
    url: str, engine: Engine, count: int, warmup: int, seed: int, nice: int
) -> dict[str, Any]:
    plan = _requests(engine, count + warmup, seed)
    port = _free_port()
    server = start_api(url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            _wait(client)
            timings: dict[str, list[float]] = {kind: [] for kind, _ in plan}
            errors: dict[str, int] = dict.fromkeys(timings, 0)
            warm = dict.fromkeys(timings, 0)
            reniced = False
            for kind, path in plan:
                if nice and not reniced and sum(warm.values()) == warmup * len(warm):
                    _renice_database_sessions(engine, nice)
                    reniced = True
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    errors[kind] += 1
                    print(f"  {response.status_code} {path}: {response.text[:200]}", flush=True)
                if warm[kind] < warmup:
                    warm[kind] += 1
                    continue
                timings[kind].append(elapsed)
    finally:
        server.terminate()
        server.wait(30)
    results = {}
    print(f"{'query':<24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in timings.items():
        q = statistics.quantiles(values, n=100, method="inclusive")
        results[kind] = {
            "n": len(values),
            "errors": errors[kind],
            "p50_ms": round(q[49], 1),
            "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1),
            "max_ms": round(max(values), 1),
        }
        r = results[kind]
        print(
            f"{kind:<24} {r['n']:>5} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['max_ms']:>8}" + (f"  ({r['errors']} errors)" if r["errors"] else "")
        )
    return results


def _renice_database_sessions(engine: Engine, nice: int) -> None:
    """Give the PostgreSQL backends of this database (the API's pooled sessions, opened during
    the warm-up) the benchmark's niceness; they are separate processes."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        pids = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
        ).scalars()
        for pid in pids:
            try:
                os.setpriority(os.PRIO_PROCESS, pid, nice)
            except OSError as exc:
                print(f"  could not renice backend {pid}: {exc}", flush=True)


def _requests(engine: Engine, per_kind: int, seed: int) -> list[tuple[str, str]]:
    """The request mix, shuffled: (kind, path)."""
    rng = random.Random(seed)
    with engine.connect() as connection:
        actors = connection.execute(text("SELECT id, name FROM actors ORDER BY id LIMIT 100")).all()
        outlets = connection.execute(
            text(
                "SELECT o.name FROM outlets o JOIN articles a ON a.outlet_id = o.id "
                "GROUP BY o.id, o.name ORDER BY count(*) DESC LIMIT 50"
            )
        ).all()
    plan: list[tuple[str, str]] = []
    for _ in range(per_kind):
        actor_id, name = rng.choice(actors)
        (outlet,) = rng.choice(outlets)
        year = rng.randint(2013, 2022)
        month = rng.randint(1, 10)
        first, second = rng.sample(actors[:30], 2)
        plan += [
            ("actor", f"/v1/articles?actor={name}"),
            (
                "actor_outlet_dates",
                f"/v1/articles?actor={rng.choice(actors[:50])[1]}&outlet={outlet}"
                f"&from={year}-{month:02d}-01&to={year}-{month + 2:02d}-28",
            ),
            ("two_actors_all", f"/v1/articles?actor={first[1]}&actor={second[1]}"),
            ("fulltext", f"/v1/articles?q={rng.choice(_TERMS)}"),
            (
                "timeline_week_year",
                f"/v1/actors/{actor_id}/timeline?interval=week&from={year}-01-01&to={year}-12-31",
            ),
            ("actor_profile", f"/v1/actors/{actor_id}"),
        ]
    rng.shuffle(plan)
    return plan


def _wait(client: httpx.Client) -> None:
    for _ in range(300):
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the API did not start")


def start_api(database_url: str, port: int) -> subprocess.Popen[bytes]:
    """The API on loopback over ``database_url``, without the embedded worker or a rate limit
    (one client sends every request: the per-caller limit would answer most with 429)."""
    env = os.environ | {
        "LENS_DATABASE_URL": database_url,
        "LENS_EMBEDDED_WORKER": "false",
        "LENS_RATE_LIMIT": "0",
        "LENS_LOG_FORMAT": "text",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
