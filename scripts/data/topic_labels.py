"""More editor labels for the top-level topic head, made the way `topics_iptc_labels.jsonl` was.

    .venv/bin/python scripts/data/topic_labels.py prompt --batch 1 > prompt.txt
    .venv/bin/python scripts/data/topic_labels.py collect \\
        scripts/data/topic_labels/answers/*.jsonl \\
        --out scripts/data/topic_labels/labels_extra.jsonl

`prompt` prints one batch of the prompt a labeller (a helper session, a language model) answers:
`TOPICS_GUIDELINE.md` word for word, the taxonomy (`TOPICS_TAXONOMY.md`), then per article its
number, title, outlet and first 1,800 characters, as the labels of the shared file were made.
The articles: a seeded draw from `allsides-10k` of the outlets of the labelled `train` split only
(never a `dev` outlet), not labelled yet, at least 300 characters. `collect` joins the answers
(`{"n", "primary", "all"}` per line) with the articles into the shared file's format, split
`train`. The prompt of each batch is reproducible from the seed; the answers are kept in the repo.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.data.topic_data import read_jsonl  # noqa: E402

SHARED = ROOT.parent / "shared/data"
_LEAD = 1800


def draw(
    articles: list[dict[str, Any]], labelled: list[dict[str, Any]], n: int, seed: int
) -> list[dict[str, Any]]:
    """``n`` unlabelled articles of the train outlets, in a seeded order."""
    train_outlets = {r["outlet"] for r in labelled if r["split"] == "train"}
    dev_outlets = {r["outlet"] for r in labelled if r["split"] == "dev"}
    known = {r["source_id"] for r in labelled}
    pool = sorted(
        (
            a
            for a in articles
            if a["outlet"] in train_outlets - dev_outlets
            and a["id"] not in known
            and len(str(a.get("text") or "")) >= 300
        ),
        key=lambda a: str(a["id"]),
    )
    random.Random(seed).shuffle(pool)
    return pool[:n]


def agreement_draw(labelled: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` articles of the shared file's train split, to label again blind: the agreement."""
    pool = sorted((r for r in labelled if r["split"] == "train"), key=lambda r: r["source_id"])
    random.Random(seed).shuffle(pool)
    return pool[:n]


def prompt(batch: list[dict[str, Any]], first: int) -> str:
    guideline = (SHARED / "train/TOPICS_GUIDELINE.md").read_text(encoding="utf-8")
    taxonomy = (SHARED / "train/TOPICS_TAXONOMY.md").read_text(encoding="utf-8")
    parts = [guideline.strip(), "", taxonomy.strip(), "", "Articles:"]
    for n, a in enumerate(batch, start=first):
        parts += ["", f"[{n}] {a['title']} ({a['outlet']})", str(a["text"])[:_LEAD].strip()]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["prompt", "collect", "agreement"])
    parser.add_argument("answers", nargs="*", type=Path)
    parser.add_argument("--articles", type=Path, default=SHARED / "articles/allsides-10k.jsonl.gz")
    parser.add_argument("--labels", type=Path, default=SHARED / "train/topics_iptc_labels.jsonl")
    parser.add_argument("--n", type=int, default=80)
    parser.add_argument("--size", type=int, default=20, help="articles per batch")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check", type=int, default=0, help="agreement: that many articles")
    args = parser.parse_args()
    articles, labelled = read_jsonl(args.articles), read_jsonl(args.labels)
    if args.check:
        agreement(args, articles, labelled)
        return
    drawn = draw(articles, labelled, args.n, args.seed)
    if args.command == "prompt":
        start = (args.batch - 1) * args.size
        sys.stdout.write(prompt(drawn[start : start + args.size], start + 1))
        return
    rows = []
    for path in args.answers:
        for answer in read_jsonl(path):
            a = drawn[int(answer["n"]) - 1]
            rows.append(
                {
                    "source_id": a["id"],
                    "outlet": a["outlet"],
                    "title": a["title"],
                    "primary": answer["primary"],
                    "all": answer["all"],
                    "split": "train",
                }
            )
    assert args.out is not None, "collect needs --out"
    args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} labels -> {args.out}")


def agreement(
    args: argparse.Namespace, articles: list[dict[str, Any]], labelled: list[dict[str, Any]]
) -> None:
    """``prompt --check N`` prints the blind prompt of N labelled train articles; ``agreement
    --check N ANSWERS`` compares the answers with the shared file's primaries."""
    again = agreement_draw(labelled, args.check, args.seed)
    by_id = {a["id"]: a for a in articles}
    if args.command == "prompt":
        sys.stdout.write(prompt([by_id[r["source_id"]] for r in again], 1))
        return
    answers = {int(a["n"]): a for path in args.answers for a in read_jsonl(path)}
    same = sum(answers[n]["primary"] == r["primary"] for n, r in enumerate(again, start=1))
    among = sum(answers[n]["primary"] in r["all"] for n, r in enumerate(again, start=1))
    print(
        json.dumps(
            {
                "n": len(again),
                "same_primary": same,
                "primary_among_their_all": among,
                "differ": [
                    {
                        "n": n,
                        "title": r["title"],
                        "theirs": r["primary"],
                        "ours": answers[n]["primary"],
                    }
                    for n, r in enumerate(again, start=1)
                    if answers[n]["primary"] != r["primary"]
                ],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
