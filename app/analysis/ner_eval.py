"""Entity-level evaluation on `{tokens, tags}` (IOB2) files, through the product's inference path.

Tokens are joined with single spaces into a sentence, the entity model finds spans in it exactly
as it does in an article, and the spans are mapped back onto tokens. Scores are exact span and
type matches (the CoNLL / seqeval definition), micro over all entities and per type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from app.analysis.types import EntityMention

Entity = tuple[int, int, str]  # first token, last token (inclusive), type


class EntityFinder(Protocol):
    def find(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> list[list[EntityMention]]: ...


def entities_from_tags(tags: Sequence[str]) -> set[Entity]:
    """IOB2 (tolerating IOB1-style I- starts) to a set of entities."""
    found: set[Entity] = set()
    start: int | None = None
    kind = ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and start is not None and label == kind
        if start is not None and not continues:
            found.add((start, i - 1, kind))
            start = None
        if prefix == "B" or (prefix == "I" and not continues):
            start, kind = i, label
    return found


def _token_offsets(tokens: Sequence[str]) -> list[tuple[int, int]]:
    offsets, pos = [], 0
    for token in tokens:
        offsets.append((pos, pos + len(token)))
        pos += len(token) + 1
    return offsets


def entities_from_mentions(
    mentions: Iterable[EntityMention], offsets: Sequence[tuple[int, int]]
) -> set[Entity]:
    """Map character spans onto the tokens they overlap."""
    found: set[Entity] = set()
    for mention in mentions:
        covered = [i for i, (s, e) in enumerate(offsets) if s < mention.end and e > mention.start]
        if covered:
            found.add((covered[0], covered[-1], mention.label))
    return found


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score_entities(gold: Sequence[set[Entity]], pred: Sequence[set[Entity]]) -> dict[str, Any]:
    """Micro and per-type precision/recall/F1 over paired sentences."""
    types = sorted({e[2] for g in gold for e in g} | {e[2] for p in pred for e in p})
    counts = {t: [0, 0, 0] for t in types}
    for g, p in zip(gold, pred, strict=True):
        for e in g & p:
            counts[e[2]][0] += 1
        for e in p - g:
            counts[e[2]][1] += 1
        for e in g - p:
            counts[e[2]][2] += 1
    per_label = {t: {**_prf(*counts[t]), "support": counts[t][0] + counts[t][2]} for t in types}
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    micro = _prf(tp, fp, fn)
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {
        "micro_f1": micro["f1"],
        "precision": micro["precision"],
        "recall": micro["recall"],
        "macro_f1": round(macro, 4),
        "per_label": per_label,
    }


def evaluate_ner(
    records: Sequence[dict[str, Any]], finder: EntityFinder, batch_size: int = 256
) -> dict[str, Any]:
    """Score `finder` on `{tokens, tags}` records; returns the `lens eval --json` object."""
    gold: list[set[Entity]] = []
    pred: list[set[Entity]] = []
    for b in range(0, len(records), batch_size):
        batch = [r for r in records[b : b + batch_size] if r["tokens"]]
        texts = [" ".join(r["tokens"]) for r in batch]
        found = finder.find(texts, [[(0, len(t))] for t in texts])
        for record, mentions in zip(batch, found, strict=True):
            gold.append(entities_from_tags(record["tags"]))
            pred.append(entities_from_mentions(mentions, _token_offsets(record["tokens"])))
    return {"task": "ner", "n": len(gold), **score_entities(gold, pred)}
