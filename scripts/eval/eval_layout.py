"""The layout recogniser on AllSides bodies, where the title and authors are known apart.

    .venv/bin/python scripts/eval/eval_layout.py \
        --data ../shared/data/articles/allsides-10k.jsonl.gz

AllSides texts are article bodies without a header, so every headline found is a claim that can
be checked against the given title (the same up to case and the first 40 characters), and every
byline against the given authors. Also: how often each part is found, and the time per article.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.layout import read_layout  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    with gzip.open(args.data, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for row in rows:
        layout = read_layout(row["text"])
        counts.update({p.kind for p in layout.parts})
        if layout.title:
            same = layout.title.strip().lower()[:40] == (row["title"] or "").strip().lower()[:40]
            counts["title same as given" if same else "title differs from given"] += 1
        given = row["authors"] if isinstance(row["authors"], str) else ""
        if layout.authors and given:
            hit = any(a.name.lower() in given.lower() for a in layout.authors)
            counts["byline among given authors" if hit else "byline not among given"] += 1
        elif layout.authors:
            counts["byline, no authors given"] += 1
    ms = (time.perf_counter() - started) * 1000 / len(rows)
    print(f"{len(rows)} articles, {ms:.2f} ms each")
    for name, n in sorted(counts.items()):
        print(f"  {name}: {n}")


if __name__ == "__main__":
    main()
