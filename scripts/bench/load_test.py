"""Load test: 64 clients ingest and query at once, then every accepted article must end `done`.

    # a fresh SQLite file, the bundled models for the drain (slow: keep --max-articles small)
    .venv/bin/python scripts/bench/load_test.py --out /tmp/load-sqlite.json
    # PostgreSQL (an empty database of its own), a stand-in analyzer for the drain
    createdb -h 127.0.0.1 -U postgres lens_load
    .venv/bin/python scripts/bench/load_test.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/lens_load \
        --analyzer tests.tools.analyzers:fake_v1 --max-articles 4000

Phases: (1) seed: import --seed articles from the AllSides dump and analyse them, so queries find
actors; (2) load: a server without a worker (`lens serve`, LENS_EMBEDDED_WORKER=false,
LENS_RATE_LIMIT=0) on a free loopback port, or --url of a running one, gets a fixed, seeded mix
of single and batch ingests (texts from the dump, made unique) and queries (search by actor,
outlet and dates; actor profile; one-year weekly timeline) from --clients concurrent clients,
bounded by --requests and --time-limit; (3) drain: `lens analyze` on the same database; (4) check
in the database (SQLAlchemy, not the API) that every id answered 202 exists once and is `done`.
Exit status 1 if anything accepted is missing or not done, or any request got a 5xx.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import ipaddress
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

import httpx
from rich.progress import Progress
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.db import create_db_engine  # noqa: E402
from app.models import Article  # noqa: E402
from app.services.import_records import parse_published  # noqa: E402
from app.services.import_records import split_byline  # noqa: E402

DUMP = ROOT.parent / "shared" / "data" / "articles" / "allsides-10k.jsonl.gz"
LENS = [str(Path(sys.executable).with_name("lens"))]
# kind -> weight of the fixed mix; ingests are capped by --max-articles (queries take the rest)
MIX = {"ingest": 30, "ingest_batch": 5, "search": 35, "profile": 15, "timeline": 15}
INGEST_KINDS = ("ingest", "ingest_batch")
_CHUNK = 900  # ids per IN (...) query, under SQLite's parameter limit


@dataclass
class Tally:
    """What the load phase saw: timings by kind, statuses, and every id accepted with 202."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # transport errors, by kind
    accepted: list[int] = field(default_factory=list)
    not_created: int = 0  # articles answered as already stored (should be none)

    def record(self, kind: str, status: int, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)
        self.statuses[(kind, status)] += 1


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def latency_summary(tally: Tally) -> dict[str, dict[str, float]]:
    return {
        kind: {
            "count": len(values),
            **{f"p{q}_ms": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)},
        }
        for kind, values in sorted(tally.latencies.items())
    }


def verify(session: Session, accepted: list[int], tag: str) -> dict[str, Any]:
    """Every accepted id stored exactly once and `done`; nothing of this run stored twice."""
    unique = sorted(set(accepted))
    statuses: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = session.execute(
            select(Article.status, Article.attempts).where(Article.id.in_(chunk))
        ).all()
        statuses.update(status.value for status, _ in rows)
        attempts.update(n for _, n in rows)
    found = sum(statuses.values())
    # Each load article's url carries the run's tag, so a second row for one would show here.
    stored = session.scalar(
        select(func.count()).select_from(Article).where(Article.url.like(f"%#load-{tag}-%"))
    )
    result = {
        "accepted": len(accepted),
        "ids_answered_twice": len(accepted) - len(unique),
        "found": found,
        "missing": len(unique) - found,
        "by_status": dict(statuses),
        "stored_with_run_tag": stored,
        "attempts": {str(n): c for n, c in sorted(attempts.items())},
    }
    result["ok"] = (
        result["ids_answered_twice"] == 0
        and result["missing"] == 0
        and statuses["done"] == len(unique)
        and stored == len(unique)
    )
    return result


def require_loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"--url must be a loopback address (127.0.0.1, ::1, localhost): {url}")
    return url.rstrip("/")


def read_dump(count: int) -> list[dict[str, Any]]:
    """The first ``count`` rows of the AllSides dump as API articles (bylines split)."""
    rows = []
    with gzip.open(DUMP, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, count):
            row = json.loads(line)
            article = {k: row[k] for k in ("outlet", "url", "title", "text") if row.get(k)}
            if row.get("authors"):
                article["authors"] = split_byline(row["authors"])
            if published := parse_published(row.get("published") or ""):
                article["published"] = published.isoformat()
            rows.append(article)
    return rows


def parse_mix(text: str) -> dict[str, int]:
    """``ingest=30,ingest_batch=5,...`` -> weights; kinds left out weigh 0."""
    weights = dict.fromkeys(MIX, 0)
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, weight = part.partition("=")
        if kind not in MIX or not weight.isdigit():
            raise argparse.ArgumentTypeError(f"{part!r}: expected KIND=WEIGHT, KIND in {list(MIX)}")
        weights[kind] = int(weight)
    if not any(weights.values()):
        raise argparse.ArgumentTypeError("every weight is 0")
    return weights


def plan(
    requests: int, max_articles: int, batch_size: int, seed: int, mix: dict[str, int] = MIX
) -> list[str]:
    """The fixed, seeded sequence of request kinds; ingests stop at ``max_articles``."""
    rng = random.Random(seed)
    kinds, weights = zip(*mix.items(), strict=True)
    planned, articles = [], 0
    for kind in rng.choices(kinds, weights, k=requests):
        size = batch_size if kind == "ingest_batch" else 1
        if kind in INGEST_KINDS and articles + size > max_articles:
            kind = rng.choice(("search", "profile", "timeline"))
        elif kind in INGEST_KINDS:
            articles += size
        planned.append(kind)
    return planned


class Mix:
    """Builds each request of the plan: unique articles from the dump, queries from the seed."""

    def __init__(self, rows: list[dict[str, Any]], targets: dict[str, Any], tag: str, batch: int):
        self.rows, self.targets, self.tag, self.batch = rows, targets, tag, batch
        self._serial = itertools.count()
        self._rng = random.Random(1)

    def article(self) -> dict[str, Any]:
        n = next(self._serial)
        row = dict(self.rows[n % len(self.rows)])
        row["url"] = f"{row.get('url', 'https://load.invalid/a')}#load-{self.tag}-{n}"
        row["text"] = f"{row['text']}\n\n(load test {self.tag}, copy {n})"
        return row

    def request(self, kind: str) -> tuple[str, str, dict[str, Any] | None]:
        t, pick = self.targets, self._rng.choice
        if kind == "ingest":
            return "POST", "/v1/articles", self.article()
        if kind == "ingest_batch":
            return (
                "POST",
                "/v1/articles/batch",
                {"articles": [self.article() for _ in range(self.batch)]},
            )
        actor = pick(t["actors"])
        if kind == "search":
            year = pick(t["years"])
            query = f"actor={quote(actor['name'])}&from={year}-01-01&to={year}-12-31&limit=20"
            if self._rng.random() < 0.5:
                query += f"&outlet={quote(pick(t['outlets']))}"
            return "GET", f"/v1/articles?{query}", None
        if kind == "profile":
            return "GET", f"/v1/actors/{actor['id']}", None
        year = pick(t["years"])
        return (
            "GET",
            f"/v1/actors/{actor['id']}/timeline?interval=week&from={year}-01-01&to={year}-12-31",
            None,
        )


async def run_load(
    base: str,
    kinds: list[str],
    mix: Mix,
    clients: int,
    time_limit: float,
    transport: httpx.AsyncBaseTransport | None = None,
    rate: float | None = None,
) -> tuple[Tally, float]:
    """Send the planned requests from ``clients`` concurrent clients; what came back, how long.

    Without ``rate`` each client sends its next request as soon as the last one is answered (a
    closed loop: it finds the most the server can do). With ``rate`` (requests/s) request ``i``
    is due at ``i / rate`` seconds (an open loop, the arrival rate of a fixed workload); a due
    request waits for a free client, and its latency counts from when it was due, so a server
    falling behind shows in the percentiles instead of slowing the clients down.
    """
    tally = Tally()
    queue = enumerate(kinds)
    deadline = time.monotonic() + time_limit
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, timeout=60, limits=limits, transport=transport
    ) as client:
        with Progress(transient=True) as bar:
            task = bar.add_task(f"{clients} clients", total=len(kinds))

            async def one_client() -> None:
                for index, kind in queue:
                    if time.monotonic() > deadline:
                        return
                    method, path, body = mix.request(kind)
                    started = time.perf_counter()
                    if rate:
                        due = origin + index / rate
                        if due > started:
                            await asyncio.sleep(due - started)
                        started = due
                    try:
                        response = await client.request(method, path, json=body)
                    except httpx.HTTPError as exc:
                        tally.failures[f"{kind}: {type(exc).__name__}"] += 1
                        continue
                    finally:
                        bar.advance(task)
                    tally.record(kind, response.status_code, time.perf_counter() - started)
                    if kind in INGEST_KINDS and response.status_code in (200, 202):
                        answer = response.json()
                        items = (
                            answer["items"]
                            if kind == "ingest_batch"
                            else [answer | {"created": response.status_code == 202}]
                        )
                        tally.accepted.extend(i["id"] for i in items if i["created"])
                        tally.not_created += sum(not i["created"] for i in items)

            origin = time.perf_counter()
            await asyncio.gather(*(one_client() for _ in range(clients)))
    return tally, time.perf_counter() - origin


def _env(database_url: str, **settings: str) -> dict[str, str]:
    # PYTHONPATH: so --analyzer may name a module of this checkout (tests.tools.analyzers)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LENS_DATABASE_URL": database_url}
    return env | {f"LENS_{name.upper()}": value for name, value in settings.items()}


def lens(database_url: str, *args: str) -> None:
    env = _env(database_url, log_format="text")
    code = subprocess.run([*LENS, *args], cwd=ROOT, env=env, check=False).returncode
    # 3: finished, but some rows or articles failed; the verification says which.
    if code not in (0, 3):
        raise SystemExit(f"lens {args[0]} failed with exit status {code}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    database_url: str, log_path: Path, workers: int = 1
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # No worker in the server (the drain comes after), no rate limit (one client IP makes all
    # the requests), the production log format.
    env = _env(database_url, embedded_worker="false", rate_limit="0", log_format="json")
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*LENS, "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"the server did not start; see {log_path}")


def targets(base: str) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=30) as client:
        actors = client.get("/v1/actors", params={"limit": 20}).json()["items"]
        outlets = [
            o["name"] for o in client.get("/v1/outlets", params={"limit": 20}).json()["items"]
        ]
    if not actors or not outlets:
        raise SystemExit("no analysed articles to query: seed first (--seed)")
    return {"actors": actors, "outlets": outlets, "years": [2012, 2016, 2020, 2021]}


def _own_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, children not included (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its live descendants (Linux /proc); None elsewhere."""
    try:
        own = _own_cpu_seconds(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    return own + sum(process_cpu_seconds(int(child)) or 0.0 for child in children)


def database_cpu_seconds(database_url: str) -> float | None:
    """CPU time of every PostgreSQL process on this machine (a local server); None otherwise.

    Each process counts once: the postmaster and its backends all match, so a process tree sum
    (process_cpu_seconds) would count every backend twice.
    """
    if not database_url.startswith("postgresql"):
        return None
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                total += _own_cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--url", help="a running server (loopback only) instead of starting one")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--requests", type=int, default=4000, help="load-phase requests in all")
    parser.add_argument(
        "--time-limit", type=float, default=300, help="seconds; no new request after"
    )
    parser.add_argument("--max-articles", type=int, default=1500, help="most articles ingested")
    parser.add_argument("--batch-size", type=int, default=10, help="articles per batch request")
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=MIX,
        help="request kinds and weights, e.g. ingest=10,ingest_batch=6,search=44,profile=20,"
        "timeline=20 (default: %(default)s)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="requests/s, sent on schedule (open loop; latency counts from when each was due); "
        "default: each client sends as soon as it is answered (closed loop)",
    )
    parser.add_argument(
        "--server-workers", type=int, default=1, help="uvicorn processes of the server it starts"
    )
    parser.add_argument(
        "--seed", type=int, default=300, help="articles imported and analysed first"
    )
    parser.add_argument(
        "--analyzer", help="module:factory for the seed and drain (default: bundled models)"
    )
    parser.add_argument("--out", type=Path, help="also write the report here as JSON")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="lens-load-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'lens.db'}"
    if args.url and not args.database_url:
        raise SystemExit("--url needs --database-url: the check reads the server's database")
    analyzer = ["--analyzer", args.analyzer] if args.analyzer else []
    report: dict[str, Any] = {
        "database": database_url.split("://")[0],
        "clients": args.clients,
        "mix": args.mix,
        "batch_size": args.batch_size,
        "rate": args.rate,
        "server_workers": args.server_workers,
        "drain_analyzer": args.analyzer or "bundled models",
        "load_average_before": load_average(),
    }
    rows = read_dump(args.seed + 2000)
    if args.seed:
        seed_file = workdir / "seed.jsonl"
        seed_file.write_text("".join(json.dumps(r) + "\n" for r in rows[: args.seed]))
        lens(database_url, "import", str(seed_file))
        lens(database_url, "analyze", *analyzer)

    server, base = (
        (None, require_loopback(args.url))
        if args.url
        else start_server(database_url, workdir / "server.log", args.server_workers)
    )
    try:
        tag = uuid.uuid4().hex[:8]
        mix = Mix(rows[args.seed :], targets(base), tag, args.batch_size)
        kinds = plan(args.requests, args.max_articles, args.batch_size, seed=7, mix=args.mix)
        cpu = time.process_time()
        server_cpu = process_cpu_seconds(server.pid) if server else None
        database_cpu = database_cpu_seconds(database_url)
        tally, seconds = asyncio.run(
            run_load(base, kinds, mix, args.clients, args.time_limit, rate=args.rate)
        )
        cpu = time.process_time() - cpu
        if server and server_cpu is not None:
            server_cpu = (process_cpu_seconds(server.pid) or 0.0) - server_cpu
        if database_cpu is not None:
            database_cpu = (database_cpu_seconds(database_url) or 0.0) - database_cpu
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    report["load_average_after_load"] = load_average()
    sent = sum(tally.statuses.values()) + sum(tally.failures.values())
    errors: Counter[str] = Counter()
    for (_, status), n in tally.statuses.items():
        if status >= 400:
            errors[str(status)] += n
    report["load"] = {
        "requests": sent, "planned": len(kinds), "seconds": round(seconds, 2),
        "requests_per_s": round(sent / seconds, 1),
        "articles_accepted": len(tally.accepted),
        "ingest_articles_per_s": round(len(tally.accepted) / seconds, 1),
        "client_cpu_seconds": round(cpu, 1),
        "server_cpu_seconds": round(server_cpu, 1) if server_cpu is not None else None,
        "database_cpu_seconds": round(database_cpu, 1) if database_cpu is not None else None,
        "errors_by_status": dict(sorted(errors.items())),
        "statuses": {f"{k} {s}": n for (k, s), n in sorted(tally.statuses.items())},
        "transport_errors": dict(tally.failures), "answered_already_stored": tally.not_created,
        "latency": latency_summary(tally),
    }  # fmt: skip
    started = time.perf_counter()
    lens(database_url, "analyze", *analyzer)
    report["drain_seconds"] = round(time.perf_counter() - started, 1)
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            report["verification"] = verify(session, tally.accepted, tag)
    finally:
        engine.dispose()
    report["load_average_after"] = load_average()
    server_errors = sum(n for status, n in errors.items() if int(status) >= 500)
    report["ok"] = report["verification"]["ok"] and server_errors == 0 and not tally.failures
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
