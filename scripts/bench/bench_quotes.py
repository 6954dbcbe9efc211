"""Quotations (issue 29): the extra analysis time per article, and the quotation and relation
queries' latency over HTTP.

    # the analysis: the 70 dev articles through the bundled models, then the quotation step
    # alone (the rules, and the stance model on each quotation's targets) on their analyses
    .venv/bin/python scripts/bench/bench_quotes.py analysis data/labels/quotes/articles.jsonl

    # the queries: a corpus of scripts/bench/bench_query.py's (real texts, generated annotations),
    # with generated quotations added (about 5 per article, 1-2 targets each, speakers drawn
    # from the article's actors), then the API timed as bench_query.py times it
    .venv/bin/python scripts/bench/bench_quotes.py queries \
        --database-url sqlite:////tmp/bq/lens.db \
        --articles 10000 --load

The generated quotations have the shape and the skew of real ones (a few speakers quoted
often), not their words: `q=` searches the article texts' sentences that they copy.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.core.db import create_db_engine  # noqa: E402
from app.models import ActorRelation  # noqa: E402
from app.models import Article  # noqa: E402
from app.models import ArticleActor  # noqa: E402
from app.models import Quotation  # noqa: E402
from app.models import QuotationTarget  # noqa: E402
from scripts.bench import bench_query  # noqa: E402

LABELS = ("negative", "neutral", "positive")


def analysis(path: Path, batch: int) -> None:
    from app.analysis import quotes
    from app.analysis.analyzer import load_analyzer
    from app.core.config import get_settings

    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    analyzer = load_analyzer(get_settings())
    analyzer.analyze(texts[:batch])  # warm-up
    started = time.perf_counter()
    analyses = []
    for first in range(0, len(texts), batch):
        analyses += analyzer.analyze(texts[first : first + batch])
    whole = time.perf_counter() - started
    started = time.perf_counter()
    found = [quotes.find(t, a.sentences, a.actors) for t, a in zip(texts, analyses, strict=True)]
    rules = time.perf_counter() - started
    started = time.perf_counter()
    stance = quotes.QuoteStance(analyzer.components.stance.model)
    for first in range(0, len(texts), batch):
        part = slice(first, first + batch)
        stance.read(texts[part], found[part], [a.actors for a in analyses[part]])
    model = time.perf_counter() - started
    n = len(texts)
    pairs = sum(len(q.targets) for f in found for q in f)
    print(
        f"{n} articles, {sum(len(f) for f in found)} quotations, {pairs} (quotation, target) pairs"
    )
    print(f"whole analysis (quotations included): {1000 * whole / n:.0f} ms per article")
    print(f"quotation rules: {1000 * rules / n:.1f} ms per article")
    print(f"speaker stance (the stance model on the pairs): {1000 * model / n:.0f} ms per article")
    print(f"the quotation step's share of the analysis: {100 * (rules + model) / whole:.1f} %")


def add_quotations(engine: Engine, seed: int) -> None:
    """About five quotations per analysed article, each by one of its actors (a few per
    article quoted most) about one or two others, with the article's relations rolled up."""
    rng = random.Random(seed)
    with Session(engine) as session:
        for model in (QuotationTarget, ActorRelation, Quotation):
            session.execute(model.__table__.delete())
        by_article: dict[int, list[int]] = {}
        for article_id, actor_id in session.execute(
            select(ArticleActor.article_id, ArticleActor.actor_id).order_by(
                ArticleActor.article_id, ArticleActor.salience.desc()
            )
        ):
            by_article.setdefault(article_id, []).append(actor_id)
        articles = {
            a.id: a
            for a in session.execute(
                select(Article.id, Article.text, Article.published, Article.outlet_id)
            )
        }
        next_id = 1
        quotations, targets, relations = [], [], []
        for article_id, actors in by_article.items():
            if len(actors) < 2 or article_id not in articles:
                continue
            article = articles[article_id]
            sentences = [s for s in article.text.split(". ") if len(s) > 30] or [article.text]
            edges: dict[tuple[int, int], list[int]] = {}
            position = 0
            for _ in range(rng.choice((2, 3, 4, 5, 6, 7, 8))):
                speaker = actors[min(int(rng.expovariate(1.0)), len(actors) - 1)]
                others = [a for a in actors if a != speaker]
                words = rng.choice(sentences)[:300]
                quotations.append(
                    {
                        "id": next_id, "article_id": article_id, "start": position,
                        "end": position + len(words), "kind": rng.choice(("direct", "reported")),
                        "cue": "said", "how": "explicit", "speaker_id": speaker,
                        "speaker_name": None, "text": words, "published": article.published,
                        "outlet_id": article.outlet_id,
                    }
                )  # fmt: skip
                position += len(words) + 1
                for target in rng.sample(others, min(len(others), rng.choice((1, 1, 2)))):
                    label = rng.choices(LABELS, (0.4, 0.4, 0.2))[0]
                    targets.append(
                        {
                            "quotation_id": next_id, "actor_id": target,
                            "article_id": article_id, "label": label,
                            "score": {"negative": -0.6, "neutral": 0.0, "positive": 0.6}[label],
                        }
                    )  # fmt: skip
                    edges.setdefault((speaker, target), [0, 0, 0])[LABELS.index(label)] += 1
                next_id += 1
            for (speaker, target), counts in edges.items():
                relations.append(
                    {
                        "article_id": article_id, "speaker_id": speaker, "target_id": target,
                        "negative": counts[0], "neutral": counts[1], "positive": counts[2],
                        "published": article.published, "outlet_id": article.outlet_id,
                    }
                )  # fmt: skip
        for model, rows in (
            (Quotation, quotations),
            (QuotationTarget, targets),
            (ActorRelation, relations),
        ):
            for first in range(0, len(rows), 5000):
                session.execute(insert(model), rows[first : first + 5000])
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(
                text("ANALYZE quotations; ANALYZE quotation_targets; ANALYZE actor_relations")
            )
        else:
            session.execute(text("ANALYZE"))
        session.commit()
    print(f"{len(quotations)} quotations, {len(targets)} targets, {len(relations)} relations")


def _plan(engine: Engine, count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    with Session(engine) as session:
        speakers = [
            row[0]
            for row in session.execute(
                select(Quotation.speaker_id, func.count())
                .group_by(Quotation.speaker_id)
                .order_by(func.count().desc())
                .limit(200)
            )
        ]
        outlets = [
            row[0]
            for row in session.execute(select(Quotation.outlet_id).distinct().limit(50))
            if row[0] is not None
        ]
    words = ("president", "china", "the economy", "we will", "health", "election")
    kinds = {
        "quotes": lambda: "/v1/quotes",
        "quotes_speaker": lambda: f"/v1/quotes?speaker={rng.choice(speakers)}",
        "quotes_about_stance": lambda: (
            f"/v1/quotes?about={rng.choice(speakers)}&stance={rng.choice(LABELS)}"
        ),
        "quotes_outlet_dates": lambda: (
            f"/v1/quotes?outlet={rng.choice(outlets)}&from=2016-01-01&to=2019-12-31"
        ),
        "quotes_q": lambda: f"/v1/quotes?q={rng.choice(words)}",
        "quotes_speaker_about": lambda: (
            f"/v1/quotes?speaker={rng.choice(speakers[:20])}&about={rng.choice(speakers[:20])}"
        ),
        "relations_from": lambda: f"/v1/actors/{rng.choice(speakers)}/relations?direction=from",
        "relations_to_stance": lambda: (
            f"/v1/actors/{rng.choice(speakers)}/relations?direction=to&stance=negative"
            "&from=2016-01-01"
        ),
    }
    plan = [(kind, make()) for kind, make in kinds.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan


def queries(url: str, engine: Engine, count: int, warmup: int, seed: int) -> dict[str, Any]:
    plan = _plan(engine, count + warmup, seed)
    port = bench_query._free_port()
    env = {
        **__import__("os").environ,
        "LENS_DATABASE_URL": url,
        "LENS_EMBEDDED_WORKER": "false",
        "LENS_RATE_LIMIT": "0",
        "LENS_LOG_FORMAT": "text",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    timings: dict[str, list[float]] = {kind: [] for kind, _ in plan}
    warm = dict.fromkeys(timings, 0)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            bench_query._wait(client)
            for kind, path in plan:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    print(f"  {response.status_code} {path}: {response.text[:200]}", flush=True)
                if warm[kind] < warmup:
                    warm[kind] += 1
                    continue
                timings[kind].append(elapsed)
    finally:
        server.terminate()
        server.wait(30)
    results = {}
    print(f"{'query':<24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in timings.items():
        q = statistics.quantiles(values, n=100, method="inclusive")
        results[kind] = {"n": len(values), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1)}
        print(f"{kind:<24} {len(values):>5} {q[49]:>8.1f} {q[94]:>8.1f} {max(values):>8.1f}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="task", required=True)
    a = sub.add_parser("analysis", help="the extra analysis time per article")
    a.add_argument("articles", type=Path)
    a.add_argument("--batch", type=int, default=8)
    q = sub.add_parser("queries", help="the quotation and relation queries' latency")
    q.add_argument("--database-url", required=True)
    q.add_argument("--articles", type=int, default=10_000)
    q.add_argument("--load", action="store_true", help="load bench_query's corpus first")
    q.add_argument("--requests", type=int, default=100, help="timed requests per kind")
    q.add_argument("--warmup", type=int, default=10)
    q.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    if args.task == "analysis":
        analysis(args.articles, args.batch)
        return
    engine = create_db_engine(args.database_url)
    if args.load:
        bench_query.load(engine, args.database_url, args.articles, args.seed)
        add_quotations(engine, args.seed)
    queries(args.database_url, engine, args.requests, args.warmup, args.seed)


if __name__ == "__main__":
    main()
