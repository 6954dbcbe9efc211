"""Topic evaluation: against a data set whose labels map onto taxonomy codes, or against an
editor's filing (``primary`` and ``all`` codes per article, `evaluate_editor_topics`)."""

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
    top = _top_codes([text for text, _ in items], model, encoder, codes, subtopics)
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


def _top_codes(
    texts: Sequence[str], model: TopicModel, encoder: Encoder, codes: Sequence[str], sub: bool
) -> list[str]:
    top: list[str] = []
    for start in range(0, len(texts), _CHUNK):
        vectors = embed_documents(encoder, list(texts[start : start + _CHUNK]))
        scores = model.subtopic_scores(vectors) if sub else model.scores(vectors)
        top.extend(codes[int(i)] for i in np.argmax(scores, axis=1))
    return top


def evaluate_editor_topics(
    records: Iterable[Mapping[str, Any]], model: TopicModel, encoder: Encoder
) -> dict[str, Any]:
    """The first topic against an editor's filing, for records ``{"text", "primary", "all"}``.

    ``primary`` is the one top-level code an editor would file the article under and ``all``
    every code a substantial part of it is about (primary first), as in
    ``topics_iptc_labels.jsonl``. Reports ``accuracy`` (the first topic is the primary),
    ``first_in_all`` (it is one of ``all``) and the macro F1 of the first topic over the
    primaries the records have.
    """
    items = [(str(r["text"]), str(r["primary"]), [str(c) for c in r["all"]]) for r in records]
    codes = list(model.codes)
    unknown = sorted({c for _, p, a in items for c in [p, *a]} - set(codes))
    if unknown:
        raise ValueError(f"codes outside the taxonomy: {', '.join(unknown)}")
    top = _top_codes([text for text, _, _ in items], model, encoder, codes, sub=False)
    labels = {e.code: e.label for e in model.taxonomy}
    result = editor_report(top, [p for _, p, _ in items], [a for _, _, a in items], labels)
    return {"task": "topics", **result, "model": model.version}


def editor_report(
    first: Sequence[str],
    primary: Sequence[str],
    every: Sequence[Sequence[str]],
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """The editor-filing figures from each article's first topic (codes), shared with
    `scripts/train/train_topics.py`: accuracy (first == primary), first_in_all, macro F1 over the
    primaries present, and per primary its precision, recall, F1 and support."""
    n = len(first)
    per_label: dict[str, dict[str, float | int]] = {}
    for code in sorted(set(primary), key=lambda c: labels.get(c, c)):
        tp = sum(f == code and p == code for f, p in zip(first, primary, strict=True))
        said, real = sum(f == code for f in first), sum(p == code for p in primary)
        precision, recall = (tp / said if said else 0.0), tp / real
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        per_label[labels.get(code, code)] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": real,
        }
    right = sum(f == p for f, p in zip(first, primary, strict=True))
    among = sum(f in a for f, a in zip(first, every, strict=True))
    macro = sum(float(v["f1"]) for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {
        "n": n,
        "accuracy": round(right / n, 4) if n else 0.0,
        "first_in_all": round(among / n, 4) if n else 0.0,
        "macro_f1": round(macro, 4),
        "per_label": per_label,
    }
