"""Sample 80 allsides-10k articles for the second actor audit (issue 27) and list their actors.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python scripts/data/actor_audit_sample.py

Leaves out every article already used by a label set (the first actor audit, the stance, topic
and quotation labels), keeps English-looking texts of 1,500 to 9,000 characters (the first
audit's articles ran 1,819 to 8,925) with a distinct text, and draws 40 opinion and 40 news
articles at random (seed 2727); opinion and news as ``genre_data.label`` tells them apart (from
where the outlet files the article, never from its text).

Each article's six most salient actors come from the analyzer's own actor path, as
``eval_actor_audit._actors`` computes them (imported, not copied). Writes
data/labels/actor_audit2/listed.jsonl, one line per article: ``article`` 1..80, source_id,
outlet, title, genre, url, text and ``actors``: [{key, name, aliases, kind, salience, mentions,
surface, spans}] where ``surface`` counts the surface forms of the actor's mentions and ``spans``
gives their offsets into ``text``, so a reader can judge whose mentions the actor holds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.data.genre_data import label
from scripts.eval.eval_actor_audit import _LISTED
from scripts.eval.eval_actor_audit import _actors

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
OUT = Path(__file__).resolve().parents[2] / "data" / "labels" / "actor_audit2"
QUOTES = Path(__file__).resolve().parents[2] / "data" / "labels" / "quotes"
SEED = 2727
PER_GENRE = 40
MIN_CHARS, MAX_CHARS = 1500, 9000


def used_ids(shared: Path) -> set[str]:
    """Every source_id some label set already holds."""
    train = shared / "train"
    files = [
        train / "actor_audit.jsonl",
        train / "stance_actor_labels.jsonl.gz",
        train / "topics_iptc_labels.jsonl",
        *sorted(QUOTES.glob("*.jsonl")),
    ]
    ids: set[str] = set()
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            ids.update(json.loads(line)["source_id"] for line in handle if line.strip())
    return ids


def draw(shared: Path) -> list[tuple[dict[str, Any], str]]:
    used = used_ids(shared)
    with gzip.open(shared / "articles" / "allsides-10k.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    seen: set[str] = set()
    pools: dict[str, list[dict[str, Any]]] = {"opinion": [], "news": []}
    for row, genre, _group in label(rows):
        text = row["text"] or ""
        digest = hashlib.sha256(text.encode()).hexdigest()
        if row["id"] in used or digest in seen or not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        # a text in another language, or mostly markup, is no test of English actors
        if sum(c.isascii() for c in text) < 0.95 * len(text) or " the " not in text:
            continue
        seen.add(digest)
        pools[genre].append(row)
    rng = random.Random(SEED)
    picked: list[tuple[dict[str, Any], str]] = []
    for genre in ("opinion", "news"):
        pool = sorted(pools[genre], key=lambda r: r["id"])
        picked += [(row, genre) for row in rng.sample(pool, PER_GENRE)]
    rng.shuffle(picked)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--cache", type=Path, default=Path("../cache/actors"))
    parser.add_argument("--out", type=Path, default=OUT / "listed.jsonl")
    args = parser.parse_args()

    picked = draw(args.shared)
    actors = _actors({row["id"]: row["text"] for row, _ in picked}, args.cache)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for n, (row, genre) in enumerate(picked, 1):
            listed = [
                {
                    "key": a.key,
                    "name": a.name,
                    "aliases": list(a.aliases),
                    "kind": a.kind,
                    "salience": round(a.salience, 4),
                    "mentions": len(a.mentions),
                    "surface": dict(Counter(t for t, _, _ in a.mentions).most_common()),
                    "spans": [[s, e] for _, s, e in a.mentions],
                }
                for a in actors[row["id"]][:_LISTED]
            ]
            item = {
                "article": n,
                "source_id": row["id"],
                "outlet": row["outlet"],
                "title": row["title"],
                "genre": genre,
                "url": row.get("url"),
                "text": row["text"],
                "actors": listed,
            }
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    genres = Counter(g for _, g in picked)
    print(f"{len(picked)} articles ({dict(genres)}) -> {args.out}")


if __name__ == "__main__":
    main()
