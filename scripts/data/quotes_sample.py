"""Sample allsides-10k articles with direct quotations for the quotation dev set (issue 29).

Reads ../shared/data/articles/allsides-10k.jsonl.gz, leaves out every article already used by
the stance, topic or actor-audit label sets, keeps the articles of 1,500 to 6,000 characters with
at least two direct quotations as ``app.analysis.actors.stance.quotations`` finds them, and draws
70 of them at random (seed 29). Writes

- data/labels/quotes/articles.jsonl: one line per article, ``article`` 1..N, source_id, outlet,
  title, text and ``quotes``: [{"q": "Q1", "start", "end"}], the offsets of the inside of each
  quotation (the quote marks are the characters just outside);
- data/labels/quotes/marked.txt: each article as ``## ARTICLE n (source_id)``, its title and its
  text with each quotation marked inline as [Qn]"..."[/Qn].

Run: PYTHONPATH=. .venv/bin/python scripts/data/quotes_sample.py
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from app.analysis.actors.stance import quotations

SHARED = Path("/work/shared/data")
ARTICLES = SHARED / "articles" / "allsides-10k.jsonl.gz"
USED = [
    SHARED / "train" / "stance_actor_labels.jsonl.gz",
    SHARED / "train" / "topics_iptc_labels.jsonl",
    SHARED / "train" / "actor_audit.jsonl",
]
OUT = Path(__file__).resolve().parents[2] / "data" / "labels" / "quotes"
SEED = 29
N = 70
MIN_CHARS, MAX_CHARS = 1500, 6000
MIN_QUOTES = 2


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def used_ids() -> set[str]:
    return {row["source_id"] for path in USED for row in _lines(path)}


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with quotation k (1-based) written as [Qk]"..."[/Qk], the marks included."""
    parts: list[str] = []
    position = 0
    for k, (start, end) in enumerate(spans, 1):
        parts.append(text[position : start - 1])
        parts.append(f"[Q{k}]{text[start - 1 : end + 1]}[/Q{k}]")
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


def main() -> None:
    used = used_ids()
    candidates = []
    for row in _lines(ARTICLES):
        text = row["text"]
        if row["id"] in used or not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        spans = quotations(text, 0, len(text))
        if len(spans) >= MIN_QUOTES:
            candidates.append((row, spans))
    candidates.sort(key=lambda c: c[0]["id"])
    sample = random.Random(SEED).sample(candidates, N)
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        open(OUT / "articles.jsonl", "w", encoding="utf-8") as fa,
        open(OUT / "marked.txt", "w", encoding="utf-8") as fm,
    ):
        for n, (row, spans) in enumerate(sample, 1):
            quotes = [{"q": f"Q{k}", "start": s, "end": e} for k, (s, e) in enumerate(spans, 1)]
            record = {
                "article": n,
                "source_id": row["id"],
                "outlet": row["outlet"],
                "title": row["title"],
                "text": row["text"],
                "quotes": quotes,
            }
            fa.write(json.dumps(record, ensure_ascii=False) + "\n")
            fm.write(f"## ARTICLE {n} ({row['id']})\n{row['title']}\n\n")
            fm.write(marked(row["text"], spans).rstrip("\n") + "\n\n")
    total = sum(len(spans) for _, spans in sample)
    print(
        f"{len(used)} used ids; {len(candidates)} candidates;"
        f" wrote {N} articles, {total} quotations"
    )


if __name__ == "__main__":
    main()
