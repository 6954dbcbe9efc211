"""A deterministic stand-in for the analyzer: finds a few known names by string search.

It returns valid `Analysis` objects (offsets into the text as received) and counts how often
each text was analysed, so tests can prove exactly-once processing. Test-only: the product never
ships fake annotations.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.analysis import quotes
from app.analysis.types import (
    ActorAnalysis,
    ActorKind,
    ActorMention,
    ActorRef,
    ActorSentiment,
    Analysis,
    DocumentSentiment,
    EntityLabel,
    EntityMention,
    Quotation,
    Sentence,
    SentenceSentiment,
    SentimentLabel,
    StancePassage,
    Topic,
)


@dataclass(frozen=True)
class KnownActor:
    key: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...]
    label: EntityLabel
    part_of: ActorRef | None = None


# surface form -> actor; several surfaces may name one actor (metonyms, as real models resolve)
KNOWN: dict[str, KnownActor] = {}
for _surfaces, _actor in (
    (
        ("Russia", "Moscow"),
        KnownActor("country:RUS", "Russia", "country", ("RUS", "Russian Federation"), "LOC"),
    ),
    (("China", "Beijing"), KnownActor("country:CHN", "China", "country", ("CHN", "PRC"), "LOC")),
    (("India", "New Delhi"), KnownActor("country:IND", "India", "country", ("IND",), "LOC")),
    (
        ("Washington", "United States"),
        KnownActor("country:USA", "United States", "country", ("USA", "US"), "LOC"),
    ),
    (
        ("White House",),
        KnownActor(
            "org:white house",
            "White House",
            "organization",
            (),
            "ORG",
            ActorRef("country:USA", "United States", "country"),
        ),
    ),
    (
        ("NATO",),
        KnownActor(
            "org:nato", "NATO", "organization", ("North Atlantic Treaty Organization",), "ORG"
        ),
    ),
    (
        ("Sergei Lavrov", "Lavrov"),
        KnownActor("person:sergei lavrov", "Sergei Lavrov", "person", ("Lavrov",), "PER"),
    ),
):
    for _surface in _surfaces:
        KNOWN[_surface] = _actor

_SURFACES = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, KNOWN), key=len, reverse=True)) + r")\b"
)
_SENTENCES = re.compile(r"[^.!?]+[.!?]*")
_POSITIVE = ("good", "great", "praise", "partner", "friend")
_NEGATIVE = ("bad", "threat", "condemn", "hostile", "crisis")


def _polarity(text: str) -> tuple[SentimentLabel, float, dict[str, float]]:
    lowered = text.lower()
    score = sum(w in lowered for w in _POSITIVE) - sum(w in lowered for w in _NEGATIVE)
    if score > 0:
        return "positive", 0.6, {"negative": 0.1, "neutral": 0.2, "positive": 0.7}
    if score < 0:
        return "negative", -0.6, {"negative": 0.7, "neutral": 0.2, "positive": 0.1}
    return "neutral", 0.0, {"negative": 0.2, "neutral": 0.6, "positive": 0.2}


class FakeAnalyzer:
    """Deterministic analyzer; texts containing ``fail_marker`` make analyze() raise.

    ``ignore`` holds actor keys this "model version" does not find, to tell versions apart.
    """

    def __init__(
        self,
        *,
        version: str = "1",
        fail_marker: str = "FAIL-ME",
        delay: float = 0.0,
        ignore: frozenset[str] = frozenset(),
    ) -> None:
        self.version = version
        self.ignore = ignore
        self.fail_marker = fail_marker
        self.delay = delay
        self.calls: Counter[str] = Counter()
        self.batches: list[int] = []
        # text -> the title it came with (None where the caller gave none)
        self.titles: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @property
    def models(self) -> dict[str, str]:
        return {"fake": f"fake-analyzer@{self.version}"}

    @property
    def config(self) -> dict[str, object]:
        return {"threshold": 0.5}

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        with self._lock:
            self.calls.update(texts)
            self.batches.append(len(texts))
            heads = [None] * len(texts) if titles is None else list(titles)
            self.titles.update(zip(texts, heads, strict=True))
        if self.delay:
            time.sleep(self.delay)
        if any(self.fail_marker in text for text in texts):
            raise RuntimeError("the model choked on this text")
        return [self._analyze_one(text) for text in texts]

    @staticmethod
    def _subtopic(topic: Topic) -> Topic:
        """One subtopic under the main topic, as the bundled model lists them after the topics."""
        if topic.code == "economy":
            return Topic("trade", "Trade", 0.7, parent="economy")
        return Topic("diplomacy", "Diplomacy", 0.5, parent="politics")

    def _analyze_one(self, text: str) -> Analysis:
        sentences = tuple(
            Sentence(index=i, start=m.start(), end=m.end(), text=m.group())
            for i, m in enumerate(m for m in _SENTENCES.finditer(text) if m.group().strip())
        )
        scored = [(s, *_polarity(s.text)) for s in sentences]
        label, score, probabilities = _polarity(text)
        mentions: dict[str, list[ActorMention]] = {}
        entities = []
        for match in _SURFACES.finditer(text):
            index = next(s.index for s in sentences if s.start <= match.start() < s.end)
            actor = KNOWN[match.group()]
            if actor.key in self.ignore:
                continue
            mentions.setdefault(actor.key, []).append(
                ActorMention(match.group(), actor.label, match.start(), match.end(), index)
            )
            entities.append(
                EntityMention(match.group(), actor.label, match.start(), match.end(), index, 0.99)
            )
        total = sum(len(found) for found in mentions.values())
        actors = []
        for key, found in mentions.items():
            actor = KNOWN[found[0].text]
            evidence = tuple(sorted({m.sentence_index for m in found}))
            a_label, a_score, a_probs = _polarity(" ".join(sentences[i].text for i in evidence))
            passages = tuple(
                StancePassage(
                    sentences[i].start,
                    sentences[i].end,
                    *_polarity(sentences[i].text)[:2],
                    weight=round(1 / len(evidence), 4),
                )
                for i in evidence
            )
            actors.append(
                ActorAnalysis(
                    key=key,
                    name=actor.name,
                    kind=actor.kind,
                    aliases=actor.aliases,
                    mentions=tuple(found),
                    salience=len(found) / total,
                    sentiment=ActorSentiment(a_label, a_score, a_probs, evidence, passages),
                    part_of=actor.part_of,
                )
            )
        topic = (
            Topic("economy", "Economy", 0.8)
            if "trade" in text.lower()
            else Topic("politics", "Politics", 0.6)
        )
        actors.sort(key=lambda a: -a.salience)
        return Analysis(
            quotations=_quotations(text, sentences, actors),
            sentences=sentences,
            sentiment=DocumentSentiment(
                label, score, probabilities, drivers=tuple(s.index for s in sentences[:1])
            ),
            sentence_sentiments=tuple(
                SentenceSentiment(s.index, s_label, s_score, s_probs)
                for s, s_label, s_score, s_probs in scored
            ),
            topics=(topic, Topic("world", "World", 0.3), self._subtopic(topic)),
            entities=tuple(entities),
            actors=tuple(actors),
            models=self.models,
        )


def _quotations(
    text: str, sentences: tuple[Sentence, ...], actors: list[ActorAnalysis]
) -> tuple[Quotation, ...]:
    """The product's quotation rules; each target's stance is the quoted words' polarity."""
    found = quotes.find(text, sentences, actors)
    return tuple(
        replace(
            q,
            targets=tuple(
                replace(t, label=_polarity(q.text)[0], score=_polarity(q.text)[1])
                for t in q.targets
            ),
        )
        for q in found
    )
