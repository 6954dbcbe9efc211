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

Options: ``--seed`` (29), ``--n`` (70), ``--out DIR`` (data/labels/quotes), ``--exclude FILE``
(repeatable): a jsonl whose lines carry ``source_id`` (or ``id``), whose articles are left out
too, and ``--finder``: ``as-drawn`` (the default) finds the quotations with the pattern the dev
set was drawn with (``DEV_QUOTE_PATTERN``, before commit 6c40a82, which stopped a one- or
two-word quote's closing mark from opening a "quotation" of the narration), ``current`` with
``quotations`` as it is now. The defaults draw the dev set byte for byte; the held-out set
(data/labels/quotes/heldout) was drawn with

    --seed 2929 --n 40 --out data/labels/quotes/heldout --finder current \\
        --exclude data/labels/quotes/articles.jsonl \\
        --exclude data/labels/actor_audit2/listed.jsonl

Run: PYTHONPATH=. .venv/bin/python scripts/data/quotes_sample.py [options]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections.abc import Callable
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
# QUOTE_PATTERN of app/analysis/actors/stance.py when the dev set was drawn (commit 307f064):
# ``quotations`` then found the spans of its group 1 as ``re.finditer`` does.
DEV_QUOTE_PATTERN = re.compile(r"[\"“]([^\"“”\n]+?\s[^\"“”\n]+?\s[^\"“”\n]+?)[\"”]")


def quotations_as_drawn(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quotations' insides as ``quotations`` found them when the dev set was drawn."""
    return [m.span(1) for m in DEV_QUOTE_PATTERN.finditer(text, start, end)]


FINDERS: dict[str, Callable[[str, int, int], list[tuple[int, int]]]] = {
    "as-drawn": quotations_as_drawn,
    "current": quotations,
}


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def used_ids(exclude: list[Path] | None = None) -> set[str]:
    """The ids of the articles of the USED label sets and of each ``exclude`` jsonl."""
    used = {row["source_id"] for path in USED for row in _lines(path)}
    for path in exclude or []:
        for row in _lines(path):
            used.add(row["source_id"] if "source_id" in row else row["id"])
    return used


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--exclude",
        type=Path,
        action="append",
        default=[],
        help="a jsonl of articles (source_id or id) to leave out too; repeatable",
    )
    parser.add_argument("--finder", choices=sorted(FINDERS), default="as-drawn")
    args = parser.parse_args()
    find = FINDERS[args.finder]
    out = args.out
    used = used_ids(args.exclude)
    candidates = []
    for row in _lines(ARTICLES):
        text = row["text"]
        if row["id"] in used or not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        spans = find(text, 0, len(text))
        if len(spans) >= MIN_QUOTES:
            candidates.append((row, spans))
    candidates.sort(key=lambda c: c[0]["id"])
    sample = random.Random(args.seed).sample(candidates, args.n)
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(out / "articles.jsonl", "w", encoding="utf-8") as fa,
        open(out / "marked.txt", "w", encoding="utf-8") as fm,
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
        f" wrote {args.n} articles, {total} quotations -> {out}"
    )


if __name__ == "__main__":
    main()
