"""The hub profile's model steps: `transformers` pipelines named by Hugging Face id and revision.

Each step is the only place its pipeline's raw output is converted: labels from any common
scheme are mapped onto negative/neutral/positive, zero-shot scores onto the taxonomy. A local
directory works wherever an id does, which is how the tests run this path offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.analysis.encoder import FloatArray
from app.analysis.topics import TaxonomyEntry
from app.analysis.types import SENTIMENT_LABELS, Topic

_STARS = re.compile(r"^([1-5])\s*stars?$")


def sentiment_index(label: str, position: int, n_labels: int) -> int | None:
    """Column (0 negative, 1 neutral, 2 positive) for one of a model's labels; None to ignore."""
    name = label.strip().lower()
    if name.startswith("neg"):
        return 0
    if name.startswith("neu") or name == "mixed":
        return 1
    if name.startswith("pos"):
        return 2
    stars = _STARS.match(name)
    if stars:
        value = int(stars.group(1))
        return 0 if value <= 2 else (1 if value == 3 else 2)
    if re.fullmatch(r"label_\d+", name):
        # Generic ids: the conventional orders are (neg, pos) and (neg, neu, pos).
        if n_labels == 2:
            return 0 if position == 0 else 2
        if n_labels == 3:
            return position
    return None


def _pipeline(task: str, model_id: str, revision: str, **kwargs: Any) -> Any:
    from transformers import pipeline

    # `pipeline` is overloaded per task literal; the task here is a plain str.
    return pipeline(task, model=model_id, revision=revision, device="cpu", **kwargs)  # type: ignore[call-overload]


class HubSentiment:
    """Sentence sentiment from any hub text-classification model."""

    def __init__(self, model_id: str, revision: str = "main", batch_size: int = 32) -> None:
        self.pipe = _pipeline("text-classification", model_id, revision, top_k=None)
        self.batch_size = batch_size
        config = self.pipe.model.config
        labels = [str(config.id2label[i]) for i in range(len(config.id2label))]
        self._columns = [sentiment_index(lab, i, len(labels)) for i, lab in enumerate(labels)]
        if not any(c is not None for c in self._columns):
            raise ValueError(f"{model_id}: labels {labels} do not look like sentiment labels")
        self.version = f"{model_id}@{revision}"

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Rows of (negative, neutral, positive) probabilities, one per text."""
        out = np.zeros((len(texts), len(SENTIMENT_LABELS)), dtype=np.float32)
        if not texts:
            return out
        label_to_col = {
            str(self.pipe.model.config.id2label[i]): col for i, col in enumerate(self._columns)
        }
        results = self.pipe(list(texts), batch_size=self.batch_size, truncation=True)
        for row, scores in enumerate(results):
            for item in scores:
                col = label_to_col.get(str(item["label"]))
                if col is not None:
                    out[row, col] += float(item["score"])
        totals = out.sum(axis=1, keepdims=True)
        totals[totals == 0] = 1.0
        normalised: FloatArray = out / totals
        return normalised


class HubTopics:
    """Multi-label topics from any hub zero-shot-classification (NLI) model."""

    def __init__(
        self,
        model_id: str,
        taxonomy: Sequence[TaxonomyEntry],
        revision: str = "main",
        threshold: float = 0.5,
        hypothesis_template: str = "This text is about {}.",
    ) -> None:
        self.pipe = _pipeline("zero-shot-classification", model_id, revision)
        self.taxonomy = list(taxonomy)
        self.threshold = threshold
        self.template = hypothesis_template
        self.version = f"{model_id}@{revision}"

    def classify(self, chunks_per_doc: Sequence[Sequence[str]]) -> list[list[Topic]]:
        """Topics per document, from the length-weighted mean over its chunks' scores."""
        labels = [entry.label for entry in self.taxonomy]
        by_label = {entry.label: entry for entry in self.taxonomy}
        results: list[list[Topic]] = []
        for chunks in chunks_per_doc:
            texts = [c for c in chunks if c.strip()]
            if not texts:
                results.append([])
                continue
            weights = np.asarray([len(t) for t in texts], dtype=np.float64)
            totals = dict.fromkeys(labels, 0.0)
            outputs = self.pipe(
                texts,
                candidate_labels=labels,
                multi_label=True,
                hypothesis_template=self.template,
            )
            if isinstance(outputs, dict):
                outputs = [outputs]
            for weight, output in zip(weights, outputs, strict=True):
                for label, score in zip(output["labels"], output["scores"], strict=True):
                    totals[label] += weight * float(score)
            scores = {label: value / weights.sum() for label, value in totals.items()}
            ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
            chosen = [kv for kv in ranked if kv[1] >= self.threshold] or ranked[:1]
            results.append(
                [
                    Topic(code=by_label[label].code, label=label, score=round(score, 4))
                    for label, score in chosen
                ]
            )
        return results
