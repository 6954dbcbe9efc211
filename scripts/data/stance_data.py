"""The stance model's data: (target, passage, label) records from the sets in ../shared/data/train.

Every loader returns plain records ``{"target", "passage", "mentions", "label", "source",
"group"}``: ``mentions`` are character spans of the target inside the passage (may be empty),
``group`` keeps records of one text together when splitting. Splits:

- VAST: its own train and test; a dev split of 10 % of the train *comments* (seed 13) chooses
  settings. The test split is scored once, at the end, and never chooses anything.
- NewsMTSC: the fixed hold-out of `newsmtsc_holdout` is never trained on (the targeted head's
  floor is measured on it); the rest is training data.
- RuSentNE (machine-translated English): training data only.
- PerSenT: its `fixed_test` articles (paragraph labels) are training data; its dev split (578
  articles) is the dev set, scored per paragraph and per article through the product's path.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.sentiment_eval import newsmtsc_holdout  # noqa: E402
from scripts.train.train_sentiment import restore_commas  # noqa: E402

Record = dict[str, Any]
VAST_DEV_FRACTION = 0.1
VAST_DEV_SEED = 13
# RuSentNE tags whose sentiment is toward an actor (professions and the like are left out)
RUSENTNE_TAGS = frozenset({"COUNTRY", "ORGANIZATION", "PERSON", "NATIONALITY"})


def _lines(path: Path) -> Iterable[Record]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _occurrences(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Whole-word, case-insensitive occurrences of any of ``names`` in ``text``."""
    names = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if not names:
        return []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def vast(data: Path) -> dict[str, list[Record]]:
    """VAST as ``{"train", "dev", "test"}``; dev is 10 % of the train comments.

    Each record's ``consistent`` says whether its exact (text, target) input carries one label
    only. In this copy of VAST, 2,294 of the 2,555 train and 979 of the 1,044 test neutral rows
    repeat the text and target of a pro or con row: the same input with two labels, which no
    model can tell apart (docs/quality.md gives the ceiling this puts on the test figure)."""
    rows = list(_lines(data / "stance_vast.jsonl.gz"))
    texts = sorted({r["text"] for r in rows if r["split"] == "train"})
    random.Random(VAST_DEV_SEED).shuffle(texts)
    dev_texts = set(texts[: int(len(texts) * VAST_DEV_FRACTION)])
    labels: dict[tuple[str, str, str], set[str]] = {}
    for r in rows:
        labels.setdefault((r["split"], r["text"], r["target"].casefold()), set()).add(r["label"])
    out: dict[str, list[Record]] = {"train": [], "dev": [], "test": []}
    for r in rows:
        split = r["split"] if r["split"] == "test" else "dev" if r["text"] in dev_texts else "train"
        out[split].append(
            {
                "target": r["target"],
                "passage": r["text"],
                "mentions": _occurrences(r["text"], [r["target"]]),
                "label": r["label"],
                "source": "vast",
                "group": r["text"],
                "seen": r.get("seen"),
                "consistent": len(labels[(r["split"], r["text"], r["target"].casefold())]) == 1,
            }
        )
    return out


def persent_leads(articles: list[Record], max_chars: int = 900) -> list[Record]:
    """One record per article: its title and first paragraphs (whole ones, up to ``max_chars``)
    read for the main person, with the article's label."""
    out = []
    for a in articles:
        parts = [str(a.get("title") or "").strip()]
        for start, end in a["paragraphs"]:
            paragraph = a["text"][start:end].strip()
            if paragraph and sum(len(p) for p in parts) + len(paragraph) > max_chars and parts[1:]:
                break
            if paragraph:
                parts.append(paragraph)
        passage = "\n".join(p for p in parts if p)
        out.append(
            {"target": a["target"], "passage": passage,
             "mentions": _occurrences(passage, person_names(a["target"])), "label": a["label"],
             "source": "persent-lead", "group": a["doc_index"]}
        )  # fmt: skip
    return out


def vast_extra_neutral(train: list[Record], per_text: int, seed: int) -> list[Record]:
    """More of VAST's own kind of neutral example: each comment paired with ``per_text`` targets
    of other comments that it never names (VAST's test split is a third neutral, its train split
    a fifth)."""
    rng = random.Random(seed)
    own: dict[str, set[str]] = {}
    for r in train:
        own.setdefault(r["passage"], set()).add(r["target"].casefold())
    targets = sorted({r["target"] for r in train})
    out = []
    for passage, names in own.items():
        picked = 0
        while picked < per_text:
            target = rng.choice(targets)
            if target.casefold() in names or _occurrences(passage, [target]):
                continue
            names.add(target.casefold())
            out.append(
                {"target": target, "passage": passage, "mentions": [], "label": "neutral",
                 "source": "vast-neutral", "group": passage}
            )  # fmt: skip
            picked += 1
    return out


def _span_record(r: Record, source: str) -> Record:
    start, end = int(r["target_start"]), int(r["target_end"])
    return {
        "target": r["text"][start:end],
        "passage": r["text"],
        "mentions": [(start, end)],
        "label": r["label"],
        "source": source,
        "group": r["text"],
    }


def newsmtsc(data: Path) -> dict[str, list[Record]]:
    """NewsMTSC as ``{"train", "holdout"}`` (the hold-out of `newsmtsc_holdout`)."""
    rows = list(_lines(data / "sentiment_newsmtsc_train.jsonl"))
    held = newsmtsc_holdout(rows)
    out: dict[str, list[Record]] = {"train": [], "holdout": []}
    for r, h in zip(rows, held, strict=True):
        out["holdout" if h else "train"].append(_span_record(r, "newsmtsc"))
    return out


def rusentne(data: Path) -> list[Record]:
    return [
        _span_record(r, "rusentne")
        for r in _lines(data / "entity_sentiment_rusentne_en.jsonl.gz")
        if r.get("entity_tag") in RUSENTNE_TAGS
    ]


NLI_LABELS = ("contradiction", "neutral", "entailment")


def nli(data: Path) -> list[Record]:
    """Three-way NLI pairs (two-way sets are left out) for an entailment warm-up: the
    hypothesis is read as the target, the premise as the passage."""
    return [
        {
            "target": r["hypothesis"],
            "passage": r["premise"],
            "mentions": [],
            "label": r["label"],
            "source": "nli",
            "group": r["premise"],
        }
        for r in _lines(data / "nli_small.jsonl.gz")
        if r["label"] in NLI_LABELS and r["premise"].strip() and r["hypothesis"].strip()
    ]


def person_names(target: str) -> list[str]:
    """The full name and the surname, as the product's resolver finds a person."""
    return [target, target.split()[-1]]


def persent_articles(path: Path) -> list[Record]:
    """PerSenT articles with commas restored and their paragraphs as character spans."""
    out = []
    for r in _lines(path):
        parts = r["text"].split("\n")
        text = "\n".join(restore_commas(p) for p in parts)
        spans, start = [], 0
        for part in text.split("\n"):
            spans.append((start, start + len(part)))
            start += len(part) + 1
        out.append({**r, "text": text, "paragraphs": spans})
    return out


def persent_paragraphs(articles: list[Record]) -> list[Record]:
    """One record per labelled paragraph (articles without paragraph labels give none)."""
    out = []
    for a in articles:
        labels = a["paragraph_labels"]
        if len(labels) != len(a["paragraphs"]):
            continue
        for (start, end), label in zip(a["paragraphs"], labels, strict=True):
            passage = a["text"][start:end].strip()
            if not passage:
                continue
            out.append(
                {
                    "target": a["target"],
                    "passage": passage,
                    "mentions": _occurrences(passage, person_names(a["target"])),
                    "label": label,
                    "source": "persent",
                    "group": a["doc_index"],
                }
            )
    return out


def write_eval_files(data: Path, out: Path) -> dict[str, int]:
    """The dev and test sets as `lens eval` reads them, one JSON object a line.

    ``persent_dev.jsonl`` and ``vast_{dev,test}.jsonl`` for ``lens eval actor-sentiment``
    (``{text, target, label[, title]}``); ``newsmtsc_holdout.jsonl`` for ``lens eval
    targeted-sentiment``. PerSenT's texts get their commas back, as in training.
    """
    out.mkdir(parents=True, exist_ok=True)
    news = list(_lines(data / "sentiment_newsmtsc_train.jsonl"))
    sets: dict[str, list[Record]] = {
        "newsmtsc_holdout": [r for r, h in zip(news, newsmtsc_holdout(news), strict=True) if h],
        "persent_dev": [
            {"text": a["text"], "title": a["title"], "target": a["target"], "label": a["label"]}
            for a in persent_articles(data / "sentiment_persent_dev.jsonl")
        ],
    }
    splits = vast(data)
    for split in ("dev", "test"):
        sets[f"vast_{split}"] = [
            {"text": r["passage"], "target": r["target"], "label": r["label"], "seen": r["seen"]}
            for r in splits[split]
        ]
    for name, rows in sets.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in rows)
    return {name: len(rows) for name, rows in sets.items()}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(
        description="Write the stance dev and test sets for lens eval."
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/train")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for name, n in write_eval_files(args.data, args.out).items():
        print(f"{args.out / name}.jsonl: {n} records")
