"""Topic training data: AllSides and BBC records, the AllSides sample and outlet splits, and the
document vectors of every text, cached on disk (encoding is the slow part).

    nice -n 10 .venv/bin/python scripts/data/topic_data.py \
        --allsides ../shared/data/articles/allsides-10k.jsonl.gz \
        --bbc ../shared/data/train/topic_bbc_news_all.jsonl.gz --cap 150

encodes BBC, then the AllSides sample rank by rank (every tag's first article, then every tag's
second, ...), so a run stopped early has cached a balanced sample of a smaller cap. With
``--export dev|test OUT.jsonl`` it encodes nothing and writes that split of the sample as
``{text, label}`` records for `lens eval topics` (label: the AllSides tag, or with
``--export-level subtopics`` the tag's subtopic code, tags without one left out).

The vectors are the ones the service computes: the encoder the default settings load
(`app.analysis.model_profiles.bundled_encoder`: ONNX Runtime, int8 weights), each text split by
`split_sentences`, every sentence embedded once, and `document_vector` over them. One cache file
per encoder version holds a row per text, keyed by the text's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import Literal

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.analysis.encoder import Encoder  # noqa: E402
from app.analysis.text import split_sentences  # noqa: E402
from app.analysis.topics import document_vector  # noqa: E402
from scripts.train.toolkit import read_jsonl  # noqa: E402

Split = Literal["train", "dev", "test"]
_CHUNK = 40  # articles per encoder call
_SAVE_EVERY = 200


def outlet_splits(rows: list[dict[str, Any]]) -> dict[str, Split]:
    """Whole outlets go to one side: in the order of their names' sha256, outlets take dev until
    it holds 20% of the articles, then test until it holds 20%, and the rest are train."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[str(row.get("outlet") or "")] += 1
    order = sorted(counts, key=lambda o: hashlib.sha256(o.strip().lower().encode()).hexdigest())
    total, seen = sum(counts.values()), 0
    splits: dict[str, Split] = {}
    for outlet in order:
        share = seen / total
        splits[outlet] = "dev" if share < 0.2 else "test" if share < 0.4 else "train"
        seen += counts[outlet]
    return splits


def allsides_sample(rows: list[dict[str, Any]], cap: int, seed: int = 0) -> list[dict[str, Any]]:
    """At most ``cap`` articles per AllSides tag (a seeded shuffle of each tag), in rank order:
    every tag's first article, then every tag's second, and so on. Texts under 300 characters
    (teasers, empty pages) are left out."""
    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if len(str(row.get("text") or "")) >= 300:
            by_tag[str(row.get("topic") or "")].append(row)
    rng = random.Random(seed)
    for tag in sorted(by_tag):
        members = sorted(by_tag[tag], key=lambda r: str(r["id"]))
        rng.shuffle(members)
        by_tag[tag] = members[:cap]
    out: list[dict[str, Any]] = []
    for rank in range(cap):
        out.extend(by_tag[tag][rank] for tag in sorted(by_tag) if rank < len(by_tag[tag]))
    return out


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def cache_file(cache: Path, encoder_version: str) -> Path:
    tag = encoder_version.replace("@", "-").replace("+", "-")
    return cache / f"docvectors-{tag}.npz"


def load_cache(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        keys, vectors = data["keys"], data["vectors"]
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}


def _save(path: Path, known: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    items = sorted(known.items())
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, keys=np.array([k for k, _ in items]), vectors=np.stack([v for _, v in items]))
    tmp.replace(path)


def doc_vectors(encoder: Encoder, texts: Sequence[str], cache: Path) -> np.ndarray:
    """One L2-normalised document vector per text, encoding only what the cache lacks."""
    path = cache_file(cache, encoder.version)
    known = load_cache(path)
    keys = [text_key(t) for t in texts]
    by_key = dict(zip(keys, texts, strict=True))
    todo = [k for k in dict.fromkeys(keys) if k not in known]
    started, done = time.time(), 0
    for start in range(0, len(todo), _CHUNK):
        chunk = todo[start : start + _CHUNK]
        groups = [[s.text for s in split_sentences(by_key[k])] for k in chunk]
        flat = encoder.embed([s for group in groups for s in group])
        at = 0
        for key, group in zip(chunk, groups, strict=True):
            known[key] = document_vector(flat[at : at + len(group)])
            at += len(group)
        done += len(chunk)
        if done % _SAVE_EVERY < _CHUNK or done == len(todo):
            _save(path, known)
            print(f"  {done}/{len(todo)} encoded ({time.time() - started:.0f} s)", flush=True)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def product_encoder() -> Encoder:
    """The encoder as `lens serve` loads it with default settings."""
    from app.analysis.model_profiles import bundled_encoder
    from app.core.config import Settings

    return bundled_encoder(Settings())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--allsides", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--cap", type=int, default=150, help="AllSides articles per tag")
    parser.add_argument("--cache", type=Path, default=Path("/work/cache/topics"))
    parser.add_argument("--export", nargs=2, metavar=("SPLIT", "OUT"))
    parser.add_argument("--export-level", choices=["topics", "subtopics"], default="topics")
    args = parser.parse_args()
    if args.export:
        export(args)
        return
    encoder = product_encoder()
    print(f"encoder {encoder.version}", flush=True)
    bbc = [str(r["text"]) for r in read_jsonl(args.bbc)]
    print(f"BBC: {len(bbc)} texts", flush=True)
    doc_vectors(encoder, bbc, args.cache)
    sample = allsides_sample(read_jsonl(args.allsides), args.cap)
    print(f"AllSides sample: {len(sample)} texts", flush=True)
    for start in range(0, len(sample), 400):
        doc_vectors(encoder, [str(r["text"]) for r in sample[start : start + 400]], args.cache)


def export(args: argparse.Namespace) -> None:
    split, out = args.export
    tags = json.loads(
        (ROOT / "app/analysis/data/allsides_to_topics.json").read_text(encoding="utf-8")
    )["tags"]
    written = 0
    rows = read_jsonl(args.allsides)
    splits = outlet_splits(rows)
    with open(out, "w", encoding="utf-8") as handle:
        for row in allsides_sample(rows, args.cap):
            entry = tags.get(row["topic"]) or {}
            label = entry.get("subtopic") if args.export_level == "subtopics" else row["topic"]
            wanted = splits[str(row.get("outlet") or "")] == split and entry.get("topics")
            if not wanted or not label:
                continue
            handle.write(json.dumps({"text": row["text"], "label": label}) + "\n")
            written += 1
    print(f"{written} {split} records -> {out}")


if __name__ == "__main__":
    main()
