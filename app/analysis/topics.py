"""Topics: multi-label scores over a taxonomy (IPTC Media Topics by default) from one pass.

Each topic has a prototype: the mean embedding of its label and description sentences. The
zero-shot score is a softmax over the taxonomy of the cosine between the document vector and
each prototype, times a learnt scale. With the default taxonomy a trained head gives a second
softmax that adds per-topic biases and a linear term on the document vector, and the scores are
``mix * head + (1 - mix) * zero-shot``: the head is sharper where it has data, and the zero-shot
half lets a topic it has no data for (weather, say) still win when the text is clearly about it.
A user-supplied taxonomy (``taxonomy_path``) is scored by the zero-shot half alone.
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
from app.analysis.types import Topic

FloatArray = npt.NDArray[np.float32]

_DATA = Path(__file__).parent / "data"
_BUNDLED = Path(__file__).parent / "bundled" / "topics"
# Only when no head file exists at all: values close to what training learns.
_FALLBACK_SCALE = 20.0
_FALLBACK_THRESHOLD = 0.2


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    """One topic of a taxonomy: a stable code, a display label and a few descriptive sentences."""

    code: str
    label: str
    description: str


def default_taxonomy_path() -> Path:
    """The bundled IPTC Media Topics (the 17 top-level topics)."""
    return _DATA / "iptc_media_topics.json"


def bundled_head_path() -> Path:
    """Where the trained topic head and its card live."""
    return _BUNDLED


def load_taxonomy(path: Path | None = None) -> tuple[TaxonomyEntry, ...]:
    """Read and validate a taxonomy file: a JSON list of ``{"code", "label", "description"}``."""
    source = path or default_taxonomy_path()
    raw = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{source}: a taxonomy is a JSON list of at least two topics")
    entries: list[TaxonomyEntry] = []
    for i, item in enumerate(raw):
        fields = {key: item.get(key) if isinstance(item, dict) else None for key in _FIELDS}
        missing = [key for key, value in fields.items() if not isinstance(value, str) or not value]
        if missing:
            raise ValueError(f"{source}: topic {i} lacks a non-empty {', '.join(missing)}")
        entries.append(TaxonomyEntry(**{key: str(value).strip() for key, value in fields.items()}))
    codes = [e.code for e in entries]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{source}: topic codes must be unique")
    return tuple(entries)


_FIELDS = ("code", "label", "description")


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
    flat = [s for group in sentences for s in group]
    vectors = encoder.embed(flat) if flat else np.zeros((0, encoder.dim), dtype=np.float32)
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    at = 0
    for i, group in enumerate(sentences):
        out[i] = document_vector(vectors[at : at + len(group)])
        at += len(group)
    return out


def topic_prototypes(encoder: Encoder, taxonomy: tuple[TaxonomyEntry, ...]) -> FloatArray:
    """One unit vector per topic: the mean embedding of its label and description sentences.

    The description is read sentence by sentence, like the articles it is compared with, so a
    topic is represented by what its sentences have in common rather than by one long string.
    """
    groups = [[entry.label] + [s.text for s in split_sentences(entry.description)]
              for entry in taxonomy]  # fmt: skip
    flat = [text for group in groups for text in group]
    vectors = encoder.embed(flat)
    out = np.zeros((len(taxonomy), encoder.dim), dtype=np.float32)
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
    def load(cls, directory: Path) -> TopicHead:
        """Read ``head.npz`` and ``head.json`` written by ``scripts/train_topics.py``."""
        meta = json.loads((directory / "head.json").read_text(encoding="utf-8"))
        with np.load(directory / "head.npz") as arrays:
            weights = arrays["weights"].astype(np.float32)
            biases = arrays["biases"].astype(np.float32)
        digest = hashlib.sha256()
        for name in ("head.npz", "head.json"):
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


class TopicModel:
    """Loads the taxonomy, embeds its topics once with the shared encoder, and scores documents."""

    name = "topics"

    def __init__(
        self,
        encoder: Encoder,
        *,
        taxonomy_path: Path | None = None,
        head_path: Path | None = None,
        threshold: float | None = None,
    ) -> None:
        self.taxonomy = load_taxonomy(taxonomy_path)
        self.prototypes = topic_prototypes(encoder, self.taxonomy)
        head_dir = head_path or bundled_head_path()
        trained = TopicHead.load(head_dir) if (head_dir / "head.json").exists() else None
        codes = tuple(e.code for e in self.taxonomy)
        # The head's biases and weights only mean something against the topics it was trained
        # with: any other taxonomy (a user's own, or a trimmed IPTC list) is zero-shot only, with
        # the scale learnt for the zero-shot term alone (a property of the encoder, not of topics).
        self.head = trained if trained is not None and trained.taxonomy_codes == codes else None
        self.scale = trained.zero_shot_scale if trained else _FALLBACK_SCALE
        default = trained.threshold if trained else _FALLBACK_THRESHOLD
        self.threshold = default if threshold is None else threshold
        source = (taxonomy_path or default_taxonomy_path()).read_bytes()
        taxonomy_digest = hashlib.sha256(source).hexdigest()[:8]
        mode = f"head-{self.head.digest}" if self.head else "zero-shot"
        self.version = f"topics@{taxonomy_digest}+{mode}+{encoder.version}"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.taxonomy)

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

    def classify(self, doc_vectors: FloatArray) -> list[list[Topic]]:
        """Per document, the topics scoring at least the threshold, best first, never none."""
        results: list[list[Topic]] = []
        for row in self.scores(doc_vectors):
            order = np.argsort(-row, kind="stable")
            chosen = [int(i) for i in order if row[i] >= self.threshold] or [int(order[0])]
            results.append(
                [
                    Topic(self.taxonomy[i].code, self.taxonomy[i].label, round(float(row[i]), 4))
                    for i in chosen
                ]
            )
        return results


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
