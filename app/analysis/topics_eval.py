"""Topic evaluation against a labelled data set whose labels map onto taxonomy codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from app.analysis.encoder import Encoder
from app.analysis.topics import TopicModel, embed_documents

_CHUNK = 64  # articles embedded per encoder call, to bound memory on long files


def evaluate_topics(
    records: Iterable[Mapping[str, Any]],
    model: TopicModel,
    encoder: Encoder,
    label_map: Mapping[str, Sequence[str]],
    level: str = "topics",
) -> dict[str, Any]:
    """Accuracy and per-label F1 of the top topic (or subtopic, with ``level="subtopics"``),
    for records ``{"text", "label"}``.

    A record counts as right when its top topic is one of the codes its label maps to (for
    example BBC "tech" -> ``medtop:13000000``). Per label, a prediction "is" that label when the
    top code is among the label's codes, which gives precision, recall and F1 even when the
    taxonomy has many more topics than the data set has labels.
    """
    items = [(str(r["text"]), str(r["label"])) for r in records]
    unknown = sorted({label for _, label in items} - set(label_map))
    if unknown:
        raise ValueError(f"labels missing from the label map: {', '.join(unknown)}")
    subtopics = level == "subtopics"
    codes = [e.code for e in model.subtopics] if subtopics else list(model.codes)
    if not codes:
        raise ValueError("the topic model has no subtopics")
    top: list[str] = []
    for start in range(0, len(items), _CHUNK):
        texts = [text for text, _ in items[start : start + _CHUNK]]
        vectors = embed_documents(encoder, texts)
        scores = model.subtopic_scores(vectors) if subtopics else model.scores(vectors)
        top.extend(codes[int(i)] for i in np.argmax(scores, axis=1))
    gold = [label for _, label in items]
    right = [code in label_map[label] for code, label in zip(top, gold, strict=True)]
    per_label: dict[str, dict[str, float | int]] = {}
    for label in sorted(set(gold)):
        mapped = set(label_map[label])
        said = [code in mapped for code in top]
        is_label = [g == label for g in gold]
        tp = sum(s and g for s, g in zip(said, is_label, strict=True))
        precision = tp / sum(said) if any(said) else 0.0
        recall = tp / sum(is_label)
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": sum(is_label),
        }
    n = len(items)
    macro = sum(float(v["f1"]) for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {
        "task": level,
        "n": n,
        "accuracy": round(sum(right) / n, 4) if n else 0.0,
        "macro_f1": round(macro, 4),
        "per_label": per_label,
        "model": model.version,
    }
