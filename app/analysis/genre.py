"""Genre: is an article opinion or news? A small head on the shared encoder's document vector.

The head is a logistic regression over the mean of the first `SENTENCES` body sentences'
embeddings (the vectors the Analyzer computes anyway) and a few signals of the text: the
layout's opinion marks (an author note, a disclaimer, a section label) and how the body is
written (first and second person, quotes, reporting verbs, questions, "should"). Trained by
scripts/train/train_genre.py on AllSides articles labelled by their URL's section, and measured on
outlets it never saw (docs/quality.md); its card is bundled/genre/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.analysis.encoder import file_digest
from app.analysis.layout import Layout
from app.analysis.topics import document_vector
from app.analysis.types import GenreGuess, Sentence

FloatArray = npt.NDArray[np.float32]

SENTENCES = 16
SIGNALS = (
    "author_note",
    "disclaimer",
    "section_label",
    "byline",
    "first_person_singular",
    "first_person_plural",
    "second_person",
    "quotes",
    "reporting_verbs",
    "questions",
    "obligation",
)
_PATTERNS = {
    "first_person_singular": re.compile(r"\b(?:I|me|my|mine|myself)\b"),
    "first_person_plural": re.compile(r"\b(?:we|us|our|ours|ourselves)\b", re.IGNORECASE),
    "second_person": re.compile(r"\b(?:you|your|yours)\b", re.IGNORECASE),
    "quotes": re.compile(r"[“”\"]"),
    "reporting_verbs": re.compile(
        r"\b(?:said|says|told|according to|announced|reported)\b", re.IGNORECASE
    ),
    "questions": re.compile(r"\?[”\"’']*$"),
    "obligation": re.compile(r"\b(?:should|must|ought to|need to|needs to)\b", re.IGNORECASE),
}


def bundled_path() -> Path:
    return Path(__file__).parent / "bundled" / "genre" / "head.npz"


def signals(layout: Layout, sentences: Sequence[Sentence]) -> FloatArray:
    """The text signals, in the order of `SIGNALS`: 0/1 marks, then shares of body sentences."""
    kinds = {p.kind for p in layout.parts}
    marks = [
        "author_note" in layout.opinion_marks,
        "disclaimer" in layout.opinion_marks,
        bool({"section", "title"} & set(layout.opinion_marks)),
        "byline" in kinds,
    ]
    n = max(len(sentences), 1)
    shares = [
        sum(1 for s in sentences if _PATTERNS[name].search(s.text)) / n for name in SIGNALS[4:]
    ]
    return np.asarray([*map(float, marks), *shares], dtype=np.float32)


def head_input(sentence_vectors: FloatArray, signal_values: FloatArray) -> FloatArray:
    """What the head reads: the document vector of the first sentences, then the signals."""
    vector = document_vector(sentence_vectors[:SENTENCES])
    return np.concatenate([vector, signal_values]).astype(np.float32)


class GenreHead:
    """p(opinion) = sigmoid(w · standardised input + b); "opinion" at or above `threshold`."""

    def __init__(self, path: Path | None = None) -> None:
        source = path or bundled_path()
        with np.load(source) as data:
            self.weights = data["weights"].astype(np.float32)
            self.bias = float(data["bias"])
            self.mean = data["mean"].astype(np.float32)
            self.scale = data["scale"].astype(np.float32)
            self.threshold = float(data["threshold"])
        self.version = f"genre-logreg@{file_digest(source)}"

    def predict(self, inputs: FloatArray) -> list[GenreGuess]:
        """One guess per row of ``inputs`` (`head_input` rows)."""
        if len(inputs) == 0:
            return []
        z = ((inputs - self.mean) / self.scale) @ self.weights + self.bias
        p = 1.0 / (1.0 + np.exp(-z))
        return [
            GenreGuess(
                label="opinion" if float(q) >= self.threshold else "news", score=round(float(q), 4)
            )
            for q in p
        ]
