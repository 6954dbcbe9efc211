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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.analysis import genre as genres
from app.analysis import layout as layouts
from app.analysis import quotes
from app.analysis.actors import ActorResolver, ResolvedActor
from app.analysis.actors.stance import StanceInput
from app.analysis.encoder import Encoded, FloatArray
from app.analysis.model_profiles import Components, load_components
from app.analysis.types import (
    SENTIMENT_LABELS,
    ActorSentiment,
    Analysis,
    EntityMention,
    GenreGuess,
    Sentence,
    SentenceSentiment,
)
from app.core.config import Settings

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

    @property
    def span(self) -> slice:
        """Where this document's sentences lie in the batch's flat lists and arrays."""
        return slice(self.offset, self.offset + len(self.sentences))


class LensAnalyzer:
    """Implements the `Analyzer` protocol on top of one profile's components."""

    def __init__(
        self,
        components: Components,
        resolver: ActorResolver | None = None,
        genre: genres.GenreHead | None = None,
        threads: int = 1,
    ) -> None:
        self.components = components
        # LENS_ANALYSIS_THREADS: a batch's texts in this many parts, analysed side by side
        self.threads = threads
        self._pool = ThreadPoolExecutor(threads, "lens-analysis") if threads > 1 else None
        self.resolver = resolver or ActorResolver()
        self.genre = genre
        self._models = {
            **components.models,
            "actors": self.resolver.version,
            "layout": layouts.version(),
            "quotes": quotes.VERSION,
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

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        """Analyse each text; the result list is parallel to ``texts``. ``titles`` (parallel,
        None where unknown) give the actors' fuller names and lead salience (`ActorResolver`).

        With ``threads`` > 1 the texts are cut into that many parts of about equal length,
        analysed side by side by threads sharing the models (their native code runs outside the
        GIL); an article's analysis does not depend on the texts analysed with it (the bundled
        profile; tests/analysis/test_analyzer.py), so the results are the same.
        """
        heads: list[str | None] = [None] * len(texts) if titles is None else list(titles)
        if len(heads) != len(texts):
            raise ValueError(f"{len(heads)} titles for {len(texts)} texts")
        if self._pool is None or len(texts) < 2:
            return self._analyze(texts, heads)
        parts = _balanced_parts([len(t) for t in texts], self.threads)
        analysed = self._pool.map(
            self._analyze,
            [[texts[i] for i in part] for part in parts],
            [[heads[i] for i in part] for part in parts],
        )
        results: list[Analysis | None] = [None] * len(texts)
        for part, analyses in zip(parts, analysed, strict=True):
            for i, analysis in zip(part, analyses, strict=True):
                results[i] = analysis
        return [a for a in results if a is not None]

    def _analyze(self, texts: list[str], titles: Sequence[str | None]) -> list[Analysis]:
        docs = _read(texts)
        c = self.components
        flat_texts = [s.text for d in docs for s in d.sentences]
        encoded = c.encode(flat_texts)
        found = c.entities.find(
            [d.text for d in docs], [[(s.start, s.end) for s in d.sentences] for d in docs]
        )
        for doc, entities in zip(docs, found, strict=True):
            doc.entities = entities
        sentence_probs = c.sentence_probabilities(flat_texts, encoded)
        topics = c.topics(
            [d.sentences for d in docs],
            [None if encoded is None else list(encoded[d.span]) for d in docs],
        )

        resolved = [
            self.resolver.resolve(d.text, d.sentences, d.entities, title)
            for d, title in zip(docs, titles, strict=True)
        ]
        genre_guesses = self._genres(docs, encoded)
        stances = c.stance.toward_actors(
            [
                _stance_input(doc, actors, sentence_probs[doc.span], guess)
                for doc, actors, guess in zip(docs, resolved, genre_guesses, strict=True)
            ]
        )
        quoted = quotes.QuoteStance(c.stance.model).read(
            [d.text for d in docs],
            [quotes.find(d.text, d.sentences, a) for d, a in zip(docs, resolved, strict=True)],
            resolved,
        )

        results: list[Analysis] = []
        for i, doc in enumerate(docs):
            probs = sentence_probs[doc.span]
            results.append(
                Analysis(
                    sentences=tuple(doc.sentences),
                    sentiment=c.document_sentiment(probs, doc.sentences),
                    sentence_sentiments=_sentence_sentiments(probs),
                    topics=tuple(topics[i]),
                    entities=tuple(doc.entities),
                    actors=tuple(
                        actor.with_sentiment(stance)
                        for actor, stance in zip(resolved[i], stances[i], strict=True)
                    ),
                    models=self.models,
                    genre=genre_guesses[i],
                    quotations=tuple(quoted[i]),
                )
            )
        return results

    def stance_toward(
        self, text: str, analysis: Analysis, target: str
    ) -> tuple[ActorSentiment, bool]:
        """The author's stance toward ``target`` in ``text`` (analysed as ``analysis``), and
        whether it is one of the article's actors (by name, alias or key, any case); if not,
        the paragraphs naming it (or all of them) are read for it (`ActorStance.toward`)."""
        wanted = target.strip().casefold()
        for actor in analysis.actors:
            names = {actor.name, actor.key.partition(":")[2], *actor.aliases}
            if wanted in {n.casefold() for n in names}:
                return actor.sentiment, True
        evaluative = [1.0 - s.probabilities["neutral"] for s in analysis.sentence_sentiments]
        opinion = None if analysis.genre is None else analysis.genre.score
        stance = self.components.stance.toward(
            text, analysis.sentences, target, evaluative, opinion
        )
        return stance, False

    def passage_stances(
        self, text: str, analysis: Analysis, actor: str, spans: Sequence[tuple[int, int]]
    ) -> list[str | None]:
        """The stance model's label of each of ``actor``'s passages given by (start, end), read
        alone (`ActorStance.passage_labels`); None for a span that is not one of its passages,
        or for every span when the analysis has no actor of that name."""
        wanted = actor.casefold()
        found = next((a for a in analysis.actors if a.name == actor), None) or next(
            (a for a in analysis.actors if wanted in {n.casefold() for n in a.aliases}), None
        )
        if found is None:
            return [None] * len(spans)
        mentions = [(m.sentence_index, m.start, m.end) for m in found.mentions]
        return self.components.stance.passage_labels(
            text, analysis.sentences, found.name, mentions, spans
        )

    def _genres(
        self, docs: list[_Doc], encoded: Sequence[Encoded] | None
    ) -> list[GenreGuess | None]:
        if self.genre is None or encoded is None:
            return [None] * len(docs)
        rows = [i for i, doc in enumerate(docs) if doc.sentences]
        inputs = [
            genres.head_input(
                np.stack([e.sentence for e in encoded[d.span]]),
                genres.signals(d.layout, d.sentences),
            )
            for d in (docs[i] for i in rows)
        ]
        guesses = self.genre.predict(np.stack(inputs)) if inputs else []
        found: list[GenreGuess | None] = [None] * len(docs)
        for i, guess in zip(rows, guesses, strict=True):
            found[i] = guess
        return found


def _read(texts: list[str]) -> list[_Doc]:
    """Each text's layout and body sentences, the documents numbered into one flat batch."""
    docs: list[_Doc] = []
    offset = 0
    for text in texts:
        # The layout (headline, byline, notes, chrome) is never analysed as the article.
        layout = layouts.read_layout(text)
        sentences = layouts.body_sentences(text, layout)
        docs.append(_Doc(text=text, sentences=sentences, layout=layout, offset=offset))
        offset += len(sentences)
    return docs


def _stance_input(
    doc: _Doc, actors: Sequence[ResolvedActor], probs: FloatArray, genre: GenreGuess | None
) -> StanceInput:
    # A sentence is evaluative to the extent the sentiment model does not read it as neutral.
    return StanceInput(
        text=doc.text,
        sentences=doc.sentences,
        evaluative=(1.0 - probs[:, 1]).tolist(),
        actors=[(a.name, [(m.sentence_index, m.start, m.end) for m in a.mentions]) for a in actors],
        opinion=None if genre is None else genre.score,
        kinds=[a.kind for a in actors],
    )


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


def _balanced_parts(lengths: Sequence[int], count: int) -> list[list[int]]:
    """The indexes cut into at most ``count`` non-empty parts of about equal total length
    (longest first, each to the lightest part), each part in its original order."""
    parts: list[list[int]] = [[] for _ in range(min(count, len(lengths)))]
    loads = [0] * len(parts)
    for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        lightest = loads.index(min(loads))
        parts[lightest].append(i)
        loads[lightest] += lengths[i] + 1
    return [sorted(part) for part in parts]


def load_analyzer(settings: Settings) -> LensAnalyzer:
    """Load the configured profile's models once; called at worker start, never per batch.
    Threads as `Settings.threads_for` decides them for one process."""
    started = time.perf_counter()
    settings = settings.threads_for()
    if settings.model_profile == "bundled" and settings.languages - {"en"}:
        logger.warning(
            "LENS_ANALYSIS_LANGUAGES lists %s, but the bundled models read English only: "
            "their annotations of other languages will be poor",
            ", ".join(sorted(settings.languages - {"en"})),
        )
    head = genres.bundled_path()
    bundled = settings.model_profile == "bundled" and head.exists()
    genre = genres.GenreHead(head) if bundled else None
    analyzer = LensAnalyzer(
        load_components(settings), genre=genre, threads=settings.analysis_threads or 1
    )
    logger.info(
        "models loaded in %.1f s (profile %s): %s",
        time.perf_counter() - started,
        settings.model_profile,
        analyzer.models,
    )
    return analyzer


def load_entity_model(settings: Settings) -> Any:
    """Only the entity model of the configured profile (for `lens eval ner`)."""
    from app.analysis.model_profiles import entity_model

    return entity_model(settings)
