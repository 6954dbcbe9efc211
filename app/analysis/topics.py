"""Topics: two levels of multi-label scores (IPTC top-level topics and their subtopics), read
from the document vector the shared encoder pass already gives.

Each topic has a prototype: the mean embedding of its label and description sentences. The
zero-shot score is a softmax over the level's topics of the cosine between the document vector
and each prototype, times a learnt scale. Where a trained head matches the level's taxonomy, a
second softmax adds per-topic biases and a linear term on the document vector, and the scores are
``mix * head + (1 - mix) * zero-shot``: the head is sharper where it has data, and the zero-shot
half lets a topic it has no data for (weather, say) still win when the text is clearly about it.
A user-supplied taxonomy is scored by the zero-shot half alone.

Both levels are multi-label: every topic at or over its level's threshold is listed, never none.
A listed subtopic's top-level topic is always listed too, so filtering by a top-level topic finds
every article filed under one of its subtopics.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.analysis.encoder import Encoder
from app.analysis.text import split_sentences
from app.analysis.topic_taxonomy import (
    TaxonomyEntry,
    default_subtopic_path,
    default_taxonomy_path,
    load_taxonomy,
)
from app.analysis.types import Topic

__all__ = [
    "TaxonomyEntry",
    "TopicHead",
    "TopicModel",
    "bundled_head_path",
    "default_subtopic_path",
    "default_taxonomy_path",
    "document_vector",
    "embed_documents",
    "load_taxonomy",
    "topic_prototypes",
]

FloatArray = npt.NDArray[np.float32]

_BUNDLED = Path(__file__).parent / "bundled" / "topics"
# Only when no head file exists at all: values close to what training learns.
_FALLBACK_SCALE = 20.0
_FALLBACK_THRESHOLD = 0.2
# The head files of each level in the head directory: <stem>.json and <stem>.npz.
TOP_STEM, SUB_STEM = "head", "subtopics"


def bundled_head_path() -> Path:
    """Where the trained topic heads and their card live."""
    return _BUNDLED


def document_vector(sentence_vectors: FloatArray) -> FloatArray:
    """The vector topics are read from: the mean of an article's sentence embeddings, L2-normalised.

    ``sentence_vectors`` are the shared encoder's sentence embeddings (``Encoded.sentence``) of
    the article's content sentences (`split_sentences`), one row each. Averaging whole-sentence
    embeddings weighs every sentence equally, so a long sentence does not dominate, and the
    title, when the text carries it as its first line, counts as one sentence. An article with
    no sentences gives the zero vector, which scores every topic alike.
    """
    if len(sentence_vectors) == 0:
        return np.zeros(sentence_vectors.shape[-1], dtype=np.float32)
    mean: FloatArray = sentence_vectors.astype(np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else mean


def embed_documents(encoder: Encoder, texts: list[str]) -> FloatArray:
    """Document vectors for raw texts: split, encode every sentence once, average per text."""
    sentences = [[s.text for s in split_sentences(text)] for text in texts]
    return _grouped_vectors(encoder, sentences)


def topic_prototypes(encoder: Encoder, taxonomy: tuple[TaxonomyEntry, ...]) -> FloatArray:
    """One unit vector per topic: the mean embedding of its label and description sentences.

    The description is read sentence by sentence, like the articles it is compared with, so a
    topic is represented by what its sentences have in common rather than by one long string.
    """
    groups = [[entry.label] + [s.text for s in split_sentences(entry.description)]
              for entry in taxonomy]  # fmt: skip
    return _grouped_vectors(encoder, groups)


def _grouped_vectors(encoder: Encoder, groups: list[list[str]]) -> FloatArray:
    flat = [text for group in groups for text in group]
    vectors = encoder.embed(flat) if flat else np.zeros((0, encoder.dim), dtype=np.float32)
    out = np.zeros((len(groups), encoder.dim), dtype=np.float32)
    at = 0
    for i, group in enumerate(groups):
        out[i] = document_vector(vectors[at : at + len(group)])
        at += len(group)
    return out


@dataclass(frozen=True, slots=True)
class TopicHead:
    """The trained part: a zero-shot scale, per-topic biases and linear weights for some topics."""

    # the codes of the taxonomy the head was trained with, in order
    taxonomy_codes: tuple[str, ...]
    scale: float
    # the scale fitted without biases or weights: what a taxonomy the head does not know uses
    zero_shot_scale: float
    # weight of the head's softmax against the zero-shot softmax
    mix: float
    # one bias per taxonomy code
    biases: FloatArray
    # (len(taxonomy_codes), dim); zero rows for topics the head had no data for
    weights: FloatArray
    threshold: float
    digest: str

    @classmethod
    def load(cls, directory: Path, stem: str = TOP_STEM) -> TopicHead:
        """Read ``<stem>.npz`` and ``<stem>.json`` written by ``scripts/train/train_topics.py``."""
        meta = json.loads((directory / f"{stem}.json").read_text(encoding="utf-8"))
        with np.load(directory / f"{stem}.npz") as arrays:
            weights = arrays["weights"].astype(np.float32)
            biases = arrays["biases"].astype(np.float32)
        digest = hashlib.sha256()
        for name in (f"{stem}.npz", f"{stem}.json"):
            digest.update((directory / name).read_bytes())
        return cls(
            taxonomy_codes=tuple(meta["taxonomy_codes"]),
            scale=float(meta["scale"]),
            zero_shot_scale=float(meta["zero_shot_scale"]),
            mix=float(meta["mix"]),
            biases=biases,
            weights=weights,
            threshold=float(meta["threshold"]),
            digest=digest.hexdigest()[:12],
        )


class TopicLevel:
    """One level's scorer: its taxonomy's prototypes and, when it matches, a trained head."""

    def __init__(
        self,
        encoder: Encoder,
        taxonomy: tuple[TaxonomyEntry, ...],
        head_dir: Path,
        stem: str,
        threshold: float | None,
    ) -> None:
        self.taxonomy = taxonomy
        self.prototypes = topic_prototypes(encoder, taxonomy)
        trained = TopicHead.load(head_dir, stem) if (head_dir / f"{stem}.json").exists() else None
        # The head's biases and weights only mean something against the topics it was trained
        # with: any other taxonomy (a user's own, or a trimmed list) is zero-shot only, with the
        # scale learnt for the zero-shot term alone (a property of the encoder, not of topics).
        codes = tuple(e.code for e in taxonomy)
        self.head = trained if trained is not None and trained.taxonomy_codes == codes else None
        self.scale = trained.zero_shot_scale if trained else _FALLBACK_SCALE
        default = trained.threshold if trained else _FALLBACK_THRESHOLD
        self.threshold = default if threshold is None else threshold
        self.mode = f"head-{self.head.digest}" if self.head else "zero-shot"

    def scores(self, doc_vectors: FloatArray) -> FloatArray:
        """Topic probabilities (each row sums to 1), shape (n_docs, n_topics)."""
        vectors = np.atleast_2d(doc_vectors).astype(np.float32)
        similarity = vectors @ self.prototypes.T
        probabilities = _softmax(self.scale * similarity)
        if self.head is not None:
            head = self.head
            logits = head.scale * similarity + vectors @ head.weights.T + head.biases
            probabilities = head.mix * _softmax(logits) + (1 - head.mix) * probabilities
        return probabilities

    def chosen(self, row: FloatArray) -> list[int]:
        """Indexes of the topics at or over the threshold, best first, never none."""
        order = np.argsort(-row, kind="stable")
        return [int(i) for i in order if row[i] >= self.threshold] or [int(order[0])]


class TopicModel:
    """Loads the taxonomies, embeds their topics once with the shared encoder, scores documents."""

    name = "topics"

    def __init__(
        self,
        encoder: Encoder,
        *,
        taxonomy_path: Path | None = None,
        head_path: Path | None = None,
        threshold: float | None = None,
        subtopic_path: Path | None = None,
        subtopic_threshold: float | None = None,
    ) -> None:
        self.taxonomy = load_taxonomy(taxonomy_path)
        head_dir = head_path or bundled_head_path()
        self.top = TopicLevel(encoder, self.taxonomy, head_dir, TOP_STEM, threshold)
        top_source = taxonomy_path or default_taxonomy_path()
        self.version = _version("topics", top_source, self.top, encoder)
        # The bundled subtopics hang under the bundled top-level codes: a user's own top-level
        # taxonomy has subtopics only when it names a subtopic file of its own.
        sub_path = subtopic_path or (None if taxonomy_path else default_subtopic_path())
        self.sub: TopicLevel | None = None
        self.subtopic_version: str | None = None
        if sub_path is not None:
            subtopics = load_taxonomy(sub_path, parents=self.codes)
            self.sub = TopicLevel(encoder, subtopics, head_dir, SUB_STEM, subtopic_threshold)
            self.subtopic_version = _version("subtopics", sub_path, self.sub, encoder)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.taxonomy)

    @property
    def head(self) -> TopicHead | None:
        return self.top.head

    @property
    def scale(self) -> float:
        return self.top.scale

    @property
    def threshold(self) -> float:
        return self.top.threshold

    @property
    def subtopics(self) -> tuple[TaxonomyEntry, ...]:
        return self.sub.taxonomy if self.sub else ()

    def scores(self, doc_vectors: FloatArray) -> FloatArray:
        """Top-level topic probabilities (each row sums to 1), shape (n_docs, n_topics)."""
        return self.top.scores(doc_vectors)

    def subtopic_scores(self, doc_vectors: FloatArray) -> FloatArray:
        """Subtopic probabilities (each row sums to 1); no columns without subtopics."""
        if self.sub is None:
            return np.zeros((len(np.atleast_2d(doc_vectors)), 0), dtype=np.float32)
        return self.sub.scores(doc_vectors)

    def classify(self, doc_vectors: FloatArray) -> list[list[Topic]]:
        """Per document, its top-level topics (best first), then its subtopics (best first).

        A listed subtopic's parent is listed with its own score even under the threshold.
        """
        top_scores = self.scores(doc_vectors)
        sub_scores = self.subtopic_scores(doc_vectors)
        index = {code: i for i, code in enumerate(self.codes)}
        sub_index = {e.code: i for i, e in enumerate(self.subtopics)}
        results: list[list[Topic]] = []
        for n, row in enumerate(top_scores):
            subs = (
                [self.sub.taxonomy[i] for i in self.sub.chosen(sub_scores[n])] if self.sub else []
            )
            chosen = self.top.chosen(row)
            missing = [index[e.parent] for e in subs if e.parent and index[e.parent] not in chosen]
            chosen = sorted(set(chosen) | set(missing), key=lambda i: (-row[i], i))
            results.append(
                [_topic(self.taxonomy[i], row[i]) for i in chosen]
                + [_topic(e, sub_scores[n][sub_index[e.code]]) for e in subs]
            )
        return results


def _topic(entry: TaxonomyEntry, score: np.floating | float) -> Topic:
    return Topic(entry.code, entry.label, round(float(score), 4), parent=entry.parent)


def _version(name: str, source: Path, level: TopicLevel, encoder: Encoder) -> str:
    taxonomy_digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
    return f"{name}@{taxonomy_digest}+{level.mode}+{encoder.version}"


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
