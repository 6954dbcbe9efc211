"""Scores the sentiment heads against labelled files: accuracy, macro F1, per-label P/R/F1.

``lens eval sentiment FILE`` reads ``{text, label}`` records, ``lens eval targeted-sentiment
FILE`` reads ``{text, target, target_start, target_end, label}``. Gold labels outside
negative/neutral/positive are an error, not silently dropped. When a file has no neutral gold
label at all (binary sets such as SST-2), the prediction is the stronger of negative and
positive: a 3-way model is otherwise scored on a class its test set cannot contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from app.analysis.encoder import Encoder, FloatArray
from app.analysis.sentiment import SentimentModel
from app.analysis.types import SENTIMENT_LABELS

_INDEX = {label: i for i, label in enumerate(SENTIMENT_LABELS)}

HOLDOUT_SEED = 13
HOLDOUT_FRACTION = 0.2


def _newsmtsc_group(primary_gid: str) -> str:
    """The story a NewsMTSC sentence comes from.

    AllSides ids are ``allsides_<article>_<story>_...`` and one story has articles from several
    outlets that quote the same sentences, so the story is the group; POLUSA ids are
    ``polusa_v1_<article>_...``.
    """
    parts = primary_gid.split("_")
    if parts[0] == "allsides" and len(parts) > 2:
        return f"allsides:{parts[2]}"
    return ":".join(parts[:3])


def newsmtsc_holdout(
    records: Sequence[Mapping[str, Any]],
    fraction: float = HOLDOUT_FRACTION,
    seed: int = HOLDOUT_SEED,
) -> list[bool]:
    """Which NewsMTSC records are held out from training: whole stories, drawn by ``seed``.

    Stories that share a sentence (the same text up to case and spacing) are joined first, so no
    sentence is on both sides of the split.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    keys = [f"g:{_newsmtsc_group(str(r['primary_gid']))}" for r in records]
    for key, record in zip(keys, records, strict=True):
        text = " ".join(str(record["text"]).lower().split())
        parent[root(key)] = root(f"t:{text}")
    components = [root(key) for key in keys]
    ordered = sorted(set(components))
    np.random.default_rng(seed).shuffle(ordered)
    held = set(ordered[: round(len(ordered) * fraction)])
    return [c in held for c in components]


def _gold(records: Sequence[Mapping[str, Any]]) -> list[int]:
    gold: list[int] = []
    for n, record in enumerate(records):
        label = str(record["label"]).strip().lower()
        if label not in _INDEX:
            raise ValueError(
                f"record {n}: label {record['label']!r} is not one of {SENTIMENT_LABELS}"
            )
        gold.append(_INDEX[label])
    return gold


def _predict(probabilities: FloatArray, gold: Sequence[int]) -> tuple[list[int], list[int]]:
    """Predicted columns, and the label columns that take part in the scoring."""
    allowed = sorted(set(gold))
    if _INDEX["neutral"] not in gold:
        allowed = [_INDEX["negative"], _INDEX["positive"]]
    masked = np.full_like(probabilities, -np.inf)
    masked[:, allowed] = probabilities[:, allowed]
    return [int(i) for i in masked.argmax(axis=1)], allowed


def classification_report(
    task: str, gold: Sequence[int], predicted: Sequence[int], labels: Sequence[int]
) -> dict[str, Any]:
    """The metrics dict every ``lens eval`` command prints; macro F1 averages over ``labels``."""
    y = np.asarray(gold, dtype=np.int64)
    p = np.asarray(predicted, dtype=np.int64)
    per_label: dict[str, dict[str, float | int]] = {}
    for column in labels:
        tp = int(((p == column) & (y == column)).sum())
        n_pred = int((p == column).sum())
        support = int((y == column).sum())
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[SENTIMENT_LABELS[column]] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    n = len(y)
    f1s = [float(per_label[SENTIMENT_LABELS[c]]["f1"]) for c in labels]
    return {
        "task": task,
        "n": n,
        "accuracy": round(float((p == y).mean()), 4) if n else 0.0,
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "per_label": per_label,
    }


def score_probabilities(
    task: str, records: Sequence[Mapping[str, Any]], probabilities: FloatArray
) -> dict[str, Any]:
    """The metrics of (negative, neutral, positive) rows against the records' labels."""
    gold = _gold(records)
    predicted, labels = _predict(probabilities, gold)
    return classification_report(task, gold, predicted, labels)


def evaluate_sentiment(
    records: Iterable[Mapping[str, Any]], model: SentimentModel, encoder: Encoder
) -> dict[str, Any]:
    """Sentence sentiment of each ``{text, label}`` record against its label."""
    rows = list(records)
    _gold(rows)  # a bad label fails before the encoder runs
    encoded = encoder.encode([str(r["text"]) for r in rows])
    return score_probabilities("sentiment", rows, model.sentence_probabilities(encoded))


def evaluate_targeted(
    records: Iterable[Mapping[str, Any]], model: SentimentModel, encoder: Encoder
) -> dict[str, Any]:
    """Sentiment toward ``text[target_start:target_end]`` of each record against its label."""
    rows = list(records)
    _gold(rows)
    for n, r in enumerate(rows):
        start, end = int(r["target_start"]), int(r["target_end"])
        if not 0 <= start < end <= len(str(r["text"])):
            raise ValueError(f"record {n}: target [{start}, {end}) is outside its text")
    texts = [str(r["text"]) for r in rows]
    # Records often share a sentence (one per target): encode each distinct text once.
    unique = list(dict.fromkeys(texts))
    by_text = dict(zip(unique, encoder.encode(unique), strict=True))
    pairs = [
        (by_text[t], int(r["target_start"]), int(r["target_end"]))
        for t, r in zip(texts, rows, strict=True)
    ]
    return score_probabilities("targeted-sentiment", rows, model.targeted(pairs))
