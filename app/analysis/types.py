"""The analysis contract: what `Analyzer.analyze(texts)` returns for each text.

Every character offset (``start``/``end``) points into the text *as received* (the stored
article text), never into a cleaned copy, so a client can highlight ``text[start:end]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

SentimentLabel = Literal["negative", "neutral", "positive"]
ActorKind = Literal["country", "person", "organization", "group", "place"]
EntityLabel = Literal["PER", "ORG", "LOC", "MISC"]
QuoteKind = Literal["direct", "reported"]
# how a quotation's speaker was found (QUOTES_GUIDELINE.md's `how`)
SpeakerHow = Literal["explicit", "pronoun", "title", "context", "none"]

SENTIMENT_LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the cleaned content; cruft (photo credits, page footers) is never one."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class SentenceSentiment:
    sentence_index: int
    label: SentimentLabel
    # p(positive) - p(negative), in [-1, 1]
    score: float
    probabilities: dict[str, float]


@dataclass(frozen=True, slots=True)
class DocumentSentiment:
    label: SentimentLabel
    score: float
    probabilities: dict[str, float]
    # indexes of the sentences that drove the label, strongest first
    drivers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    label: str
    score: float
    # a subtopic's top-level topic; None for a top-level topic
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A span the entity model found, before actor resolution."""

    text: str
    label: EntityLabel
    start: int
    end: int
    sentence_index: int
    score: float


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A mention attributed to an actor (may come from an entity span or a rule, e.g. a demonym)."""

    text: str
    label: EntityLabel
    start: int
    end: int
    sentence_index: int


@dataclass(frozen=True, slots=True)
class StancePassage:
    """A passage that drove the author's stance toward an actor."""

    start: int
    end: int
    # the stance the passage alone reads as, and p(positive) - p(negative) in it
    label: SentimentLabel
    score: float
    # its share of the actor's combined stance, in [0, 1]
    weight: float


@dataclass(frozen=True, slots=True)
class ActorSentiment:
    label: SentimentLabel
    score: float
    probabilities: dict[str, float]
    # sentence indexes of the evidence, in text order
    evidence: tuple[int, ...] = ()
    # the passages that drove the label, strongest first (character offsets into the text)
    passages: tuple[StancePassage, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor named by another one, e.g. the country an institution is part of."""

    key: str
    name: str
    kind: ActorKind


@dataclass(frozen=True, slots=True)
class ActorAnalysis:
    """One canonical actor as it appears in one article."""

    # Stable identity across articles, e.g. "country:RUS", "person:sergei lavrov", "org:nato".
    key: str
    name: str
    kind: ActorKind
    # Other names this actor is known by (ISO codes, short forms, abbreviations).
    aliases: tuple[str, ...]
    mentions: tuple[ActorMention, ...]
    # share of the article's attention in [0, 1]
    salience: float
    sentiment: ActorSentiment
    # the actor this one is part of: the White House, the Pentagon and Congress are parts of
    # the United States, the Senate of Congress
    part_of: ActorRef | None = None

    @property
    def mention_count(self) -> int:
        return len(self.mentions)


@dataclass(frozen=True, slots=True)
class QuoteTarget:
    """An actor the quoted words talk about, with the speaker's stance toward it there."""

    key: str
    name: str
    label: SentimentLabel
    # p(positive) - p(negative), in [-1, 1]
    score: float


@dataclass(frozen=True, slots=True)
class Quotation:
    """Words the article attributes to someone: a direct quotation (the words inside the
    marks) or reported speech (the clause reported), with its speaker, if the article says."""

    start: int
    end: int
    kind: QuoteKind
    # the speech verb or phrase of the attribution ("said", "according to", ":"); None when
    # the speaker continues from the speech before (how "context") or is not given
    cue: str | None
    # the speaker as an actor of the article; a name with no key is a speaker named in the
    # cue that is none of the article's actors
    speaker_key: str | None
    speaker_name: str | None
    how: SpeakerHow
    # the words: the text's [start, end)
    text: str
    targets: tuple[QuoteTarget, ...] = ()


@dataclass(frozen=True, slots=True)
class GenreGuess:
    """Opinion or news, as the genre head reads the text (app/analysis/genre.py)."""

    label: Literal["opinion", "news"]
    # p(opinion), in [0, 1]
    score: float


@dataclass(frozen=True, slots=True)
class Analysis:
    sentences: tuple[Sentence, ...]
    sentiment: DocumentSentiment
    sentence_sentiments: tuple[SentenceSentiment, ...]
    # top-level topics, best first, then subtopics (``parent`` set), best first
    topics: tuple[Topic, ...]
    entities: tuple[EntityMention, ...]
    actors: tuple[ActorAnalysis, ...]
    # component name -> "model-name@version-or-hash"
    models: dict[str, str] = field(default_factory=dict)
    # None where the profile has no genre head (or the analyzer is a test stand-in)
    genre: GenreGuess | None = None
    # direct quotations and reported speech, in text order (app/analysis/quotes.py)
    quotations: tuple[Quotation, ...] = ()


class Analyzer(Protocol):
    """Anything that turns a batch of texts into analyses, one per text, in order."""

    @property
    def models(self) -> dict[str, str]:
        """Component name -> model name and version, recorded with every annotation."""
        ...

    @property
    def config(self) -> dict[str, object]:
        """The settings that shape the output (thresholds, taxonomy), recorded with the run."""
        ...

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        """Analyse each text; ``titles`` (parallel to ``texts``, None where unknown) are read
        for the actors' names and salience only: offsets always point into the text."""
        ...
