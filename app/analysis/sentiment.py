"""Sentiment heads on the shared encoder: per sentence, toward a target span, per document.

All heads read the same encoder pass (`Encoded`), so an article's sentences are encoded once and
every step below is a few matrix products in numpy. The weights are trained by
``scripts/train/train_sentiment.py`` and bundled in ``bundled/sentiment/heads.npz``; the actor-level
aggregation (mentions -> the author's sentiment toward an actor) lives in ``actors.sentiment``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.analysis.actors.sentiment import actor_features
from app.analysis.encoder import Encoded, FloatArray, file_digest
from app.analysis.types import (
    SENTIMENT_LABELS,
    ActorSentiment,
    DocumentSentiment,
    SentenceSentiment,
    SentimentLabel,
)

BUNDLED_DIR = Path(__file__).parent / "bundled" / "sentiment"
HEADS_FILE = "heads.npz"

BoolArray = npt.NDArray[np.bool_]

# Token distances (in tokens) at which the context weight around a target falls to 1/e: a near
# window for the words attached to the target and a wider one for the clause it sits in.
CONTEXT_SCALES: tuple[float, ...] = (2.0, 5.0)


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


@dataclass(frozen=True, slots=True)
class Head:
    """Standardise, then dense layers with ReLU between them, then softmax."""

    mean: FloatArray
    scale: FloatArray
    weights: tuple[FloatArray, ...]
    biases: tuple[FloatArray, ...]

    @classmethod
    def from_arrays(cls, arrays: dict[str, FloatArray], prefix: str) -> Head:
        """Read ``{prefix}.mean``, ``{prefix}.scale``, ``{prefix}.w0``, ``{prefix}.b0``, ..."""
        weights: list[FloatArray] = []
        biases: list[FloatArray] = []
        while f"{prefix}.w{len(weights)}" in arrays:
            weights.append(arrays[f"{prefix}.w{len(weights)}"].astype(np.float32))
            biases.append(arrays[f"{prefix}.b{len(biases)}"].astype(np.float32))
        if not weights:
            raise ValueError(f"no layers for head {prefix!r}")
        return cls(
            mean=arrays[f"{prefix}.mean"].astype(np.float32),
            scale=arrays[f"{prefix}.scale"].astype(np.float32),
            weights=tuple(weights),
            biases=tuple(biases),
        )

    def to_arrays(self, prefix: str) -> dict[str, FloatArray]:
        """The inverse of `from_arrays`."""
        out = {f"{prefix}.mean": self.mean, f"{prefix}.scale": self.scale}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"{prefix}.w{i}"] = w
            out[f"{prefix}.b{i}"] = b
        return out

    @property
    def n_inputs(self) -> int:
        return int(self.mean.shape[0])

    def probabilities(self, features: FloatArray) -> FloatArray:
        """Class probabilities, one row per row of ``features``."""
        h = (features.astype(np.float32) - self.mean) / self.scale
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                h = np.maximum(h, 0.0)
        return _softmax(h)


def _target_mask(encoded: Encoded, start: int, end: int) -> BoolArray:
    offsets = encoded.offsets
    mask = (offsets[:, 0] < end) & (offsets[:, 1] > start)
    if not mask.any():
        # A target inside one token's gap (e.g. whitespace offsets): take the nearest token.
        centres = offsets.mean(axis=1)
        mask = np.zeros(len(offsets), dtype=bool)
        mask[int(np.abs(centres - (start + end) / 2).argmin())] = True
    return mask


def target_features(encoded: Encoded, start: int, end: int) -> FloatArray:
    """Features of the span ``[start, end)`` of an encoded text, for the targeted head.

    The sentence vector, the mean of the target's own token vectors, distance-weighted means of
    the tokens around it (the words that say something about the target are mostly near it), and
    where the target sits in the sentence.
    """
    dim = encoded.sentence.shape[0]
    n = len(encoded.tokens)
    if n == 0:
        return np.zeros(dim * (2 + len(CONTEXT_SCALES)) + 3, dtype=np.float32)
    mask = _target_mask(encoded, start, end)
    inside = np.flatnonzero(mask)
    first, last = int(inside[0]), int(inside[-1]) + 1
    positions = np.arange(n)
    distance = np.where(
        positions < first, first - positions, np.where(positions >= last, positions - last + 1, 0)
    ).astype(np.float32)
    parts = [encoded.sentence, encoded.tokens[mask].mean(axis=0)]
    for scale in CONTEXT_SCALES:
        weight = np.exp(-distance / scale) * ~mask
        total = float(weight.sum())
        parts.append(
            (weight @ encoded.tokens) / total if total > 0 else np.zeros(dim, dtype=np.float32)
        )
    parts.append(np.array([first / n, (n - last) / n, np.log1p(n)], dtype=np.float32))
    out: FloatArray = np.concatenate(parts).astype(np.float32)
    return out


def sentence_features(encoded: Sequence[Encoded]) -> FloatArray:
    """Features for the sentence head: the sentence vectors, one row per text."""
    if not encoded:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([e.sentence for e in encoded]).astype(np.float32)


def _probability_dict(row: FloatArray) -> dict[str, float]:
    return {label: round(float(p), 6) for label, p in zip(SENTIMENT_LABELS, row, strict=True)}


def _label(row: FloatArray) -> SentimentLabel:
    return SENTIMENT_LABELS[int(np.argmax(row))]


def sentence_sentiments(probabilities: FloatArray) -> list[SentenceSentiment]:
    """Rows of (negative, neutral, positive) probabilities as `SentenceSentiment`s, from 0."""
    return [
        SentenceSentiment(
            sentence_index=i,
            label=_label(row),
            score=round(float(row[2] - row[0]), 6),
            probabilities=_probability_dict(row),
        )
        for i, row in enumerate(probabilities)
    ]


def _as_matrix(sentiments: FloatArray | Sequence[SentenceSentiment]) -> FloatArray:
    if isinstance(sentiments, np.ndarray):
        return sentiments.astype(np.float32).reshape(-1, len(SENTIMENT_LABELS))
    rows = [[s.probabilities[label] for label in SENTIMENT_LABELS] for s in sentiments]
    return np.asarray(rows, dtype=np.float32).reshape(-1, len(SENTIMENT_LABELS))


def document_sentiment(
    sentiments: FloatArray | Sequence[SentenceSentiment], max_drivers: int = 3
) -> DocumentSentiment:
    """An article's sentiment: the mean of its sentences' probabilities.

    The mean keeps the label consistent with the probabilities and lets a few strong sentences
    tip a mostly neutral article only when they are strong enough; confidence-weighted means and
    votes were no better on PerSenT (see the card). Drivers are the sentences with the winning
    label, most confident first.
    """
    probs = _as_matrix(sentiments)
    if len(probs) == 0:
        neutral = np.array([0.0, 1.0, 0.0], dtype=np.float32)
        return DocumentSentiment(
            label="neutral", score=0.0, probabilities=_probability_dict(neutral)
        )
    mean = probs.mean(axis=0)
    column = int(np.argmax(mean))
    winners = np.flatnonzero(probs.argmax(axis=1) == column)
    ranked = winners[np.argsort(-probs[winners, column], kind="stable")]
    return DocumentSentiment(
        label=SENTIMENT_LABELS[column],
        score=round(float(mean[2] - mean[0]), 6),
        probabilities=_probability_dict(mean),
        drivers=tuple(int(i) for i in ranked[:max_drivers]),
    )


class SentimentModel:
    """The bundled sentiment heads, loaded once; every method is vectorised over its inputs."""

    name = "lens-sentiment-heads"

    def __init__(self, path: Path | None = None) -> None:
        directory = path or BUNDLED_DIR
        weights = directory / HEADS_FILE
        with np.load(weights) as archive:
            arrays = {key: archive[key] for key in archive.files}
        self.ensembles: dict[str, tuple[Head, ...]] = _ensembles(arrays)
        for head in ("sentence", "targeted", "actor"):
            if head not in self.ensembles:
                raise ValueError(f"{weights}: no {head!r} head")
        self.version = f"{self.name}@{file_digest(weights)}"

    def _probabilities(self, head: str, features: FloatArray) -> FloatArray:
        members = self.ensembles[head]
        if len(features) == 0:
            return np.zeros((0, len(SENTIMENT_LABELS)), dtype=np.float32)
        total = members[0].probabilities(features)
        for member in members[1:]:
            total = total + member.probabilities(features)
        out: FloatArray = (total / len(members)).astype(np.float32)
        return out

    def sentence_probabilities(self, encoded: Sequence[Encoded]) -> FloatArray:
        """(negative, neutral, positive) probabilities of each encoded sentence: shape (n, 3)."""
        return self._probabilities("sentence", sentence_features(encoded))

    def sentences(self, encoded: Sequence[Encoded]) -> list[SentenceSentiment]:
        """`SentenceSentiment` of each encoded sentence, indexed in input order."""
        return sentence_sentiments(self.sentence_probabilities(encoded))

    def document(self, sentiments: FloatArray | Sequence[SentenceSentiment]) -> DocumentSentiment:
        """The article's sentiment from its sentences' (see `document_sentiment`)."""
        return document_sentiment(sentiments)

    def targeted(self, pairs: Sequence[tuple[Encoded, int, int]]) -> FloatArray:
        """Sentiment toward ``text[start:end]`` of each encoded text: shape (len(pairs), 3).

        Offsets are relative to the encoded text (the sentence), not to the article.
        """
        if not pairs:
            return np.zeros((0, len(SENTIMENT_LABELS)), dtype=np.float32)
        features = np.stack([target_features(e, start, end) for e, start, end in pairs])
        return self._probabilities("targeted", features)

    def targeted_probabilities(
        self, encoded: Sequence[Encoded], targets: Sequence[tuple[int, int, int]]
    ) -> FloatArray:
        """`targeted` for ``(index into encoded, start, end)`` triples, e.g. a batch's mentions."""
        return self.targeted([(encoded[i], start, end) for i, start, end in targets])

    def actor(
        self,
        mention_probabilities: FloatArray,
        mention_sentences: Sequence[int],
        sentence_probabilities: FloatArray | Sequence[SentenceSentiment],
    ) -> ActorSentiment:
        """The author's sentiment toward one actor of one article (see `actors.sentiment`).

        ``mention_probabilities`` are the `targeted` rows of the actor's mentions, in text order;
        ``mention_sentences`` their sentence indexes, which become the evidence.
        """
        sentences = _as_matrix(sentence_probabilities)
        mentions = np.asarray(mention_probabilities, dtype=np.float32).reshape(-1, 3)
        features = actor_features(mentions, mention_sentences, sentences)
        row = self._probabilities("actor", features[None, :])[0]
        return ActorSentiment(
            label=_label(row),
            score=round(float(row[2] - row[0]), 6),
            probabilities=_probability_dict(row),
            evidence=tuple(sorted({int(i) for i in mention_sentences})),
        )


def _ensembles(arrays: dict[str, FloatArray]) -> dict[str, tuple[Head, ...]]:
    """Heads stored as ``{name}/{member}.{array}``; members of one name are averaged."""
    members: dict[str, set[str]] = {}
    for key in arrays:
        prefix = key.split(".", 1)[0]
        name = prefix.split("/", 1)[0]
        members.setdefault(name, set()).add(prefix)
    return {
        name: tuple(Head.from_arrays(arrays, p) for p in sorted(prefixes))
        for name, prefixes in members.items()
    }
