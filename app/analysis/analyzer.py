"""The Analyzer: one batch of texts through every model step, in the order that shares work.

Sentences of all texts in a batch are encoded together once; that single encoder pass feeds
sentence sentiment, the sentiment toward each actor mention, and the document vectors for
topics. The entity model runs over the same sentences in one batched pipeline call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.analysis import genre as genres
from app.analysis import layout as layouts
from app.analysis.actors import ActorResolver
from app.analysis.encoder import Encoded, FloatArray
from app.analysis.profiles import Components, load_components
from app.analysis.types import (
    SENTIMENT_LABELS,
    ActorAnnotation,
    Analysis,
    EntityMention,
    GenreGuess,
    Sentence,
    SentenceSentiment,
)
from app.config import Settings

logger = logging.getLogger(__name__)

__all__ = ["LensAnalyzer", "load_analyzer", "load_components", "load_entity_model"]


@dataclass(slots=True)
class _Doc:
    text: str
    sentences: list[Sentence]
    layout: layouts.Layout
    # index of this document's first sentence in the batch's flat sentence list
    offset: int = 0
    entities: list[EntityMention] = field(default_factory=list)


class LensAnalyzer:
    """Implements the `Analyzer` protocol on top of one profile's components."""

    def __init__(
        self,
        components: Components,
        resolver: ActorResolver | None = None,
        genre: genres.GenreHead | None = None,
    ) -> None:
        self.components = components
        self.resolver = resolver or ActorResolver()
        self.genre = genre
        self._models = {
            **components.models,
            "actors": self.resolver.version,
            "layout": layouts.version(),
        }
        if genre is not None:
            self._models["genre"] = genre.version

    @property
    def models(self) -> dict[str, str]:
        return dict(self._models)

    @property
    def config(self) -> dict[str, object]:
        return {"profile": self.components.profile, **self.components.config}

    @property
    def fingerprint(self) -> str:
        """Stable hash of models and config: equal fingerprints produce equal annotations."""
        payload = json.dumps({"models": self.models, "config": self.config}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def analyze(self, texts: list[str]) -> list[Analysis]:
        """Annotate each text; the result list is parallel to ``texts``."""
        docs: list[_Doc] = []
        flat: list[Sentence] = []
        for text in texts:
            # The layout (headline, byline, notes, chrome) is never analysed as the article.
            layout = layouts.read_layout(text)
            sentences = layouts.body_sentences(text, layout)
            docs.append(_Doc(text=text, sentences=sentences, layout=layout, offset=len(flat)))
            flat.extend(sentences)

        c = self.components
        flat_texts = [s.text for s in flat]
        encoded = c.encode(flat_texts)
        found = c.entities.find(
            [d.text for d in docs], [[(s.start, s.end) for s in d.sentences] for d in docs]
        )
        for doc, entities in zip(docs, found, strict=True):
            doc.entities = entities
        sentence_probs = c.sentence_probabilities(flat_texts, encoded)
        topics = c.topics(
            [d.sentences for d in docs], [_slice(encoded, d.offset, len(d.sentences)) for d in docs]
        )

        resolved = [self.resolver.resolve(d.text, d.sentences, d.entities) for d in docs]
        targets: list[tuple[int, int, int]] = []
        for doc, actors in zip(docs, resolved, strict=True):
            for actor in actors:
                for mention in actor.mentions:
                    sentence = doc.sentences[mention.sentence_index]
                    targets.append(
                        (
                            doc.offset + mention.sentence_index,
                            mention.start - sentence.start,
                            mention.end - sentence.start,
                        )
                    )
        target_probs = c.targeted_probabilities(flat_texts, encoded, targets)
        genre_guesses = self._genres(docs, encoded)

        results: list[Analysis] = []
        cursor = 0
        for i, doc in enumerate(docs):
            probs = sentence_probs[doc.offset : doc.offset + len(doc.sentences)]
            sentence_sentiments = _sentence_sentiments(probs)
            document = c.document_sentiment(probs, doc.sentences)
            annotations: list[ActorAnnotation] = []
            for actor in resolved[i]:
                n = len(actor.mentions)
                mention_probs = target_probs[cursor : cursor + n]
                cursor += n
                sentiment = c.actor_sentiment(
                    [m.sentence_index for m in actor.mentions], mention_probs, probs
                )
                annotations.append(actor.annotate(sentiment))
            results.append(
                Analysis(
                    sentences=tuple(doc.sentences),
                    sentiment=document,
                    sentence_sentiments=sentence_sentiments,
                    topics=tuple(topics[i]),
                    entities=tuple(doc.entities),
                    actors=tuple(annotations),
                    models=self.models,
                    genre=genre_guesses[i],
                )
            )
        return results

    def _genres(
        self, docs: list[_Doc], encoded: Sequence[Encoded] | None
    ) -> list[GenreGuess | None]:
        if self.genre is None or encoded is None:
            return [None] * len(docs)
        rows = [i for i, doc in enumerate(docs) if doc.sentences]
        inputs = [
            genres.head_input(
                np.stack([e.sentence for e in encoded[d.offset : d.offset + len(d.sentences)]]),
                genres.signals(d.layout, d.sentences),
            )
            for d in (docs[i] for i in rows)
        ]
        guesses = self.genre.predict(np.stack(inputs)) if inputs else []
        found: list[GenreGuess | None] = [None] * len(docs)
        for i, guess in zip(rows, guesses, strict=True):
            found[i] = guess
        return found


def _slice(encoded: Sequence[Encoded] | None, start: int, n: int) -> list[Encoded] | None:
    return None if encoded is None else list(encoded[start : start + n])


def _sentence_sentiments(probs: FloatArray) -> tuple[SentenceSentiment, ...]:
    out = []
    for i, row in enumerate(probs):
        label = SENTIMENT_LABELS[int(np.argmax(row))]
        out.append(
            SentenceSentiment(
                sentence_index=i,
                label=label,
                score=round(float(row[2] - row[0]), 4),
                probabilities={
                    name: round(float(p), 4) for name, p in zip(SENTIMENT_LABELS, row, strict=True)
                },
            )
        )
    return tuple(out)


def load_analyzer(settings: Settings) -> LensAnalyzer:
    """Load the configured profile's models once; called at worker start, never per batch."""
    started = time.perf_counter()
    if settings.model_profile == "bundled" and settings.languages - {"en"}:
        logger.warning(
            "LENS_ANALYSIS_LANGUAGES lists %s, but the bundled models read English only: "
            "their annotations of other languages will be poor",
            ", ".join(sorted(settings.languages - {"en"})),
        )
    head = genres.bundled_path()
    bundled = settings.model_profile == "bundled" and head.exists()
    genre = genres.GenreHead(head) if bundled else None
    analyzer = LensAnalyzer(load_components(settings), genre=genre)
    logger.info(
        "models loaded in %.1f s (profile %s): %s",
        time.perf_counter() - started,
        settings.model_profile,
        analyzer.models,
    )
    return analyzer


def load_entity_model(settings: Settings) -> Any:
    """Only the entity model of the configured profile (for `lens eval ner`)."""
    from app.analysis.profiles import entity_model

    return entity_model(settings)
