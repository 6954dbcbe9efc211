"""`lens eval actor-sentiment`: the author's stance toward a target, through the product's path.

Each record is one article and one target (``{text, target, label[, title]}``, as in PerSenT and
VAST). The article is analysed as the worker would (entities, actors, stance); the target is looked
up among its actors by name, alias or key. Where it is not one of them (a free-form VAST topic, a
person the tagger missed), the paragraphs naming it, or all of them, are read for it instead
(`LensAnalyzer.stance_toward`), so every record gets a prediction; the report says how many
targets were found among the actors and scores those alone too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from app.analysis.sentiment_eval import classification_report
from app.analysis.types import SENTIMENT_LABELS, ActorSentiment, Analysis

_INDEX: dict[str, int] = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
_BATCH = 8  # articles analysed together, as the worker's default batch


class StanceReader(Protocol):
    def analyze(self, texts: list[str]) -> list[Analysis]: ...

    def stance_toward(
        self, text: str, analysis: Analysis, target: str
    ) -> tuple[ActorSentiment, bool]: ...


def article_text(record: Mapping[str, Any]) -> str:
    """The text as the service would store it: the title, when given, as a first paragraph."""
    title = str(record.get("title") or "").strip()
    text = str(record["text"])
    return f"{title}\n\n{text}" if title else text


def evaluate_actor_sentiment(
    analyzer: StanceReader,
    records: Sequence[Mapping[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Accuracy, macro F1 and per-label scores over all records, and over found targets."""
    for number, record in enumerate(records, start=1):
        if str(record["label"]) not in _INDEX:
            raise ValueError(f"record {number}: label {record['label']!r} is not one of "
                             f"{SENTIMENT_LABELS}")  # fmt: skip
    # Records often share a text (one per target): each text is analysed once, in batches.
    by_text: dict[str, list[int]] = {}
    for k, record in enumerate(records):
        by_text.setdefault(article_text(record), []).append(k)
    gold = [_INDEX[str(r["label"])] for r in records]
    predicted = [0] * len(records)
    found = [False] * len(records)
    texts = list(by_text)
    for b in range(0, len(texts), _BATCH):
        chunk = texts[b : b + _BATCH]
        for text, analysis in zip(chunk, analyzer.analyze(chunk), strict=True):
            for k in by_text[text]:
                sentiment, is_actor = analyzer.stance_toward(
                    text, analysis, str(records[k]["target"])
                )
                predicted[k] = _INDEX[sentiment.label]
                found[k] = is_actor
            if progress is not None:
                progress(len(by_text[text]))
    labels = [0, 1, 2]
    report = classification_report("actor-sentiment", gold, predicted, labels)
    report["targets_found"] = sum(found)
    report["found_only"] = classification_report(
        "actor-sentiment (targets found among the actors)",
        [g for g, f in zip(gold, found, strict=True) if f],
        [p for p, f in zip(predicted, found, strict=True) if f],
        labels,
    )
    # Some sets (VAST) carry the same text and target under two labels: no reader can get both
    # right, so the records whose input has one label are scored apart too.
    seen: dict[tuple[str, str], set[int]] = {}
    for record, g in zip(records, gold, strict=True):
        seen.setdefault((article_text(record), str(record["target"])), set()).add(g)
    single = [len(seen[(article_text(r), str(r["target"]))]) == 1 for r in records]
    report["conflicting_records"] = len(records) - sum(single)
    if not all(single):
        report["one_label_inputs"] = classification_report(
            "actor-sentiment (inputs with one label)",
            [g for g, s in zip(gold, single, strict=True) if s],
            [p for p, s in zip(predicted, single, strict=True) if s],
            labels,
        )
    return report
