"""Dashboard benchmark: how long each page of /ui waits for its data from the API.

    # a database imported and analysed beforehand (say which analyzer produced it)
    .venv/bin/python scripts/bench/bench_dashboard.py --database-url sqlite:////tmp/bench/allsides.db
    # or a server already running on loopback
    .venv/bin/python scripts/bench/bench_dashboard.py --url http://127.0.0.1:8000 --key lens_...

Each page is replayed as its script runs in the browser (app/ui/static/js): the same API calls,
in the same order and with the same concurrency (calls that do not wait for one another go out
together, at most six at a time, as a browser does on one HTTP/1.1 host). A page's time is from
its first call to its last answer; page loads run one after another, after a warm-up, on targets
picked with a fixed seed from the API's own lists (the most covered actors, outlets, authors).
Prints p50/p95/max per page and per call, and writes them as JSON (--out). The analyse page is
left out: its time is the models' (docs/benchmarks.md, annotation speed).

Without --url it starts the API like `lens serve` (uvicorn, one process, no embedded worker, no
rate limit) on a free loopback port, and stops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.bench.bench_query import _free_port  # noqa: E402
from scripts.bench.bench_query import _wait  # noqa: E402
from scripts.bench.bench_query import start_api  # noqa: E402
from scripts.bench.load_test import require_loopback  # noqa: E402

# the actor page's rule (actor.js): weeks for up to two years of coverage, months beyond
WEEKS_UP_TO_DAYS = 731
TERMS = ["health care", "trade war", "election", "sanctions", "climate change", "border wall"]
Params = list[tuple[str, str | int]]


class Recorder:
    """Times every call by kind; counts the answers that are not 200."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.calls: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def get(self, kind: str, path: str, params: Params | None = None) -> Any:
        started = time.perf_counter()
        response = await self.client.get(path, params=params)
        self.calls[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            self.errors.append(f"{response.status_code} {response.url}: {response.text[:200]}")
            return {}
        return response.json()


Page = Callable[[Recorder, random.Random, dict[str, Any]], Awaitable[None]]


async def search(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui: the most covered actors, outlets and authors, the topic menu, the newest articles."""
    lists = [rec.get(f"{kind} list", f"/v1/{kind}", [("limit", 8)]) for kind in t["lists"]]
    await asyncio.gather(
        *lists, rec.get("topics", "/v1/topics"), rec.get("search", "/v1/articles", [("limit", 20)])
    )


async def search_filtered(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui?find=...&actor=...&from=...&to=...&q=...: names, then articles by every filter."""
    actor = rng.choice(t["actors"])
    name = actor["name"][:3].lower()
    year = rng.randint(2014, 2020)
    filters: Params = [("actor", actor["name"]), ("from", f"{year}-01-01"), ("to", f"{year}-12-31")]
    if rng.random() < 0.5:
        filters.append(("q", rng.choice(TERMS)))
    lists = [
        rec.get(f"{kind} list", f"/v1/{kind}", [("q", name), ("limit", 10)]) for kind in t["lists"]
    ]
    await asyncio.gather(
        *lists,
        rec.get("topics", "/v1/topics"),
        rec.get("search", "/v1/articles", [*filters, ("limit", 20)]),
    )


async def _actor(rec: Recorder, actor_id: int, extra: Params, interval: str | None) -> None:
    async def profile_then_timeline() -> None:
        profile = rec.get(
            "actor profile",
            f"/v1/actors/{actor_id}",
            [("outlets", 50), ("co_mentions", 12), *extra],
        )
        if interval:
            await asyncio.gather(profile, _timeline(interval))
            return
        found = await profile
        first, last = found.get("first_seen"), found.get("last_seen")
        days = (
            (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days
            if first and last
            else 0
        )
        await _timeline("month" if days > WEEKS_UP_TO_DAYS else "week")

    async def _timeline(chosen: str) -> None:
        await rec.get(
            "actor timeline", f"/v1/actors/{actor_id}/timeline", [("interval", chosen), *extra]
        )

    async def articles() -> None:
        listed = await rec.get(
            "articles by actor", "/v1/articles", [("actor", actor_id), *extra, ("limit", 10)]
        )
        if listed["items"]:
            # the passages behind the stance in the listed articles, one call for the page
            await rec.get(
                "passages toward the actor",
                f"/v1/actors/{actor_id}/passages",
                [("article", a["id"]) for a in listed["items"]],
            )

    await asyncio.gather(profile_then_timeline(), articles())


async def actor(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui/actors/{id} as it opens: the profile, then the timeline; the recent articles."""
    await _actor(rec, rng.choice(t["actors"])["id"], [], None)


async def actor_weekly_range(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui/actors/{id}?interval=week&from=...&to=...: half a year, week by week."""
    year = rng.randint(2014, 2020)
    extra: Params = [("from", f"{year}-01-01"), ("to", f"{year}-06-30")]
    await _actor(rec, rng.choice(t["actors"])["id"], extra, "week")


async def outlet(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui/outlets?name=... (an article's link): the id by name, then profile and articles."""
    name = rng.choice(t["outlets"])["name"]
    found = await rec.get("outlet by name", "/v1/outlets", [("q", name), ("limit", 100)])
    outlet_id = next(o["id"] for o in found["items"] if o["name"].lower() == name.lower())
    await _source(rec, "outlet", outlet_id)


async def author(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui/authors/{id}: profile and articles."""
    await _source(rec, "author", rng.choice(t["authors"])["id"])


async def _source(rec: Recorder, kind: str, source_id: int) -> None:
    await asyncio.gather(
        rec.get(f"{kind} profile", f"/v1/{kind}s/{source_id}", [("actors", 15)]),
        rec.get(f"articles by {kind}", "/v1/articles", [(kind, source_id), ("limit", 10)]),
    )


async def article(rec: Recorder, rng: random.Random, t: dict[str, Any]) -> None:
    """/ui/articles/{id}: the article with its annotations and history."""
    await rec.get(
        "article with history",
        f"/v1/articles/{rng.choice(t['articles'])}",
        [("include", "history")],
    )


PAGES: dict[str, Page] = {
    "search": search,
    "search (filters)": search_filtered,
    "actor": actor,
    "actor (weekly, range)": actor_weekly_range,
    "outlet (by name)": outlet,
    "author": author,
    "article": article,
}


async def targets(client: httpx.AsyncClient) -> dict[str, Any]:
    """What the pages are opened for: the most covered actors, outlets, authors, and articles
    that mention those actors, from the API's lists."""
    found: dict[str, Any] = {"lists": ["actors", "outlets", "authors"]}
    for kind in found["lists"]:
        response = await client.get(f"/v1/{kind}", params={"limit": 50})
        response.raise_for_status()
        found[kind] = response.json()["items"]
        if not found[kind]:
            raise SystemExit(f"no {kind}: import and analyse a corpus first")
    ids: list[int] = []
    for one in found["actors"][:10]:
        response = await client.get(
            "/v1/articles", params={"actor": one["id"], "limit": 20, "fields": "id"}
        )
        ids += [item["id"] for item in response.json()["items"]]
    found["articles"] = ids
    return found


async def run(url: str, key: str | None, loads: int, warmup: int, seed: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=6)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=60
    ) as client:
        pool = await targets(client)
        rng = random.Random(seed)
        plan = [name for name in PAGES for _ in range(warmup + loads)]
        rng.shuffle(plan)
        seen: dict[str, int] = defaultdict(int)
        pages: dict[str, list[float]] = defaultdict(list)
        rec = Recorder(client)
        warm = Recorder(client)
        for name in plan:
            seen[name] += 1
            recorder = warm if seen[name] <= warmup else rec
            started = time.perf_counter()
            await PAGES[name](recorder, rng, pool)
            if recorder is rec:
                pages[name].append((time.perf_counter() - started) * 1000)
    for error in rec.errors + warm.errors:
        print(f"  {error}", flush=True)
    return {
        "pages": {name: _summary(pages[name]) for name in PAGES},
        "calls": {kind: _summary(values) for kind, values in sorted(rec.calls.items())},
        "errors": len(rec.errors) + len(warm.errors),
    }


def _summary(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {
        "n": len(values),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "max_ms": round(max(values), 1),
    }


def _print(title: str, rows: dict[str, dict[str, float]], target: float | None) -> None:
    print(f"{title:<26} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, r in rows.items():
        verdict = "" if target is None else ("  ok" if r["p95_ms"] < target else "  OVER")
        print(f"{name:<26} {r['n']:>5} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url", help="start the API on this database")
    where.add_argument("--url", help="a running API on loopback instead")
    parser.add_argument(
        "--key", default=os.environ.get("LENS_API_KEY"), help="an API key, if reads need one"
    )
    parser.add_argument("--loads", type=int, default=40, help="measured loads of each page")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured loads of each page first")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--target-ms", type=float, default=300.0, help="marks pages whose p95 is over it"
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args()

    server = None
    if args.url:
        url = require_loopback(args.url)
    else:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_api(args.database_url, port)
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            _wait(client)
        results = asyncio.run(run(url, args.key, args.loads, args.warmup, args.seed))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    _print("page (all its data)", results["pages"], args.target_ms)
    print()
    _print("API call", results["calls"], None)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    if results["errors"]:
        raise SystemExit(f"{results['errors']} calls did not answer 200")


if __name__ == "__main__":
    main()
