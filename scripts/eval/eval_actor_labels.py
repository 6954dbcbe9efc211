"""The author's stance toward every actor of a corpus sample: label distribution, and how often
an actor named once, in a sentence that evaluates nothing, comes out neutral.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/eval/eval_actor_labels.py \
        --data ../shared/data/articles/allsides-10k.jsonl.gz --articles 1000 --out after.json

"Named once, in a sentence with no evaluation" is measured without the stance model: the actor
has one mention, and the bundled sentence head reads that sentence as neutral (its most likely
label). Such an actor is named in passing; the author's stance toward it should be neutral.

Only `app.analysis.analyzer.load_analyzer` and the `Analysis` contract are used, so the same file
runs against an older checkout (``PYTHONPATH=that/checkout``) to give the "before" figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path("../shared/data/articles/allsides-10k.jsonl.gz")
    )
    parser.add_argument("--articles", type=int, default=1000, help="a seeded sample (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from app.analysis.analyzer import load_analyzer
    from app.core.config import Settings
    from rich.progress import Progress

    with gzip.open(args.data, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    if args.articles:
        picks = np.random.default_rng(args.seed).choice(len(texts), args.articles, replace=False)
        texts = [texts[int(i)] for i in sorted(picks)]
    analyzer = load_analyzer(Settings())
    labels: Counter[str] = Counter()
    passing: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    started = time.perf_counter()
    with Progress() as bar:
        task = bar.add_task("articles", total=len(texts))
        for b in range(0, len(texts), args.batch):
            for analysis in analyzer.analyze(texts[b : b + args.batch]):
                neutral = {
                    s.sentence_index for s in analysis.sentence_sentiments if s.label == "neutral"
                }
                for actor in analysis.actors:
                    label = actor.sentiment.label
                    labels[label] += 1
                    by_kind.setdefault(actor.kind, Counter())[label] += 1
                    if len(actor.mentions) == 1 and actor.mentions[0].sentence_index in neutral:
                        passing[label] += 1
            bar.advance(task, len(texts[b : b + args.batch]))
    total, named_once = sum(labels.values()), sum(passing.values())
    report: dict[str, Any] = {
        "articles": len(texts),
        "seconds": round(time.perf_counter() - started, 1),
        "models": analyzer.models,
        "actor_rows": total,
        "labels": {k: labels[k] for k in ("negative", "neutral", "positive")},
        "label_shares": {
            k: round(labels[k] / total, 4) for k in ("negative", "neutral", "positive")
        },
        "by_kind": {kind: dict(c) for kind, c in sorted(by_kind.items())},
        "named_once_in_passing": named_once,
        "named_once_in_passing_labels": dict(passing),
        "named_once_in_passing_neutral_share": round(passing["neutral"] / named_once, 4)
        if named_once
        else None,
    }
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k not in ("models", "by_kind")}, indent=1))


if __name__ == "__main__":
    main()
