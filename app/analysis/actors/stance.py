"""The author's stance toward each actor of an article, from the passages around its mentions.

For each actor the article's passages that mention it are read with the stance model
(`app.analysis.stance`): a passage is the paragraph around a mention, cut to a window of whole
sentences around the mentions when the paragraph is long. Mentions in one passage share it.

Quoted words are not the author's voice: before a passage is read, the inside of every direct
quotation is replaced by an ellipsis, so "'The US is a bully,' he said" is read as
"'…,' he said". An actor mentioned only inside a quotation has no passage of the author's own
about it, and is neutral.

The passages' (negative, neutral, positive) probabilities become the actor's label in one of two
ways. A stance bundle with a ``combiner.json`` (the bundled one) has a learned combiner
(`app.analysis.actors.combiner`): the passages' probabilities with the actor's context (mentions,
lead, genre, quoted share, centrality) through a small model fitted on in-domain article labels.
Without one, the rule: each passage weighs by how evaluative it is,
``(1 - p(neutral)) ** focus``, and the label is the largest of (negative, neutral x
``neutral_bias``, positive). Either way each passage's weight (the rule's, ``focus`` from the
bundle) orders the evidence passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.analysis.actors.combiner import ActorContext, Combiner, features
from app.analysis.encoder import FloatArray
from app.analysis.stance import DEFAULT_FOCUS, DEFAULT_NEUTRAL_BIAS, Pair, StanceModel
from app.analysis.types import SENTIMENT_LABELS, ActorSentiment, Sentence, StancePassage

# A passage's size in characters before it is cut to the sentences around its mentions.
MAX_PASSAGE_CHARS = 600
_ELLIPSIS = "…"
# Direct quotations: straight or curly double quotes around at least three words, as the
# pattern below defines them (group 1); a shorter quote on one line ("lock") is matched by the
# second alternative and consumed whole, so its closing mark never opens a quotation of the
# narration up to the next quote. `quotations` finds the same spans in one pass (the pattern
# backtracks over every quote mark that opens no quotation: 3 % of the analysis time).
QUOTE_PATTERN = r"[\"“](?:([^\"“”\n]+?\s[^\"“”\n]+?\s[^\"“”\n]+?)|[^\"“”\n]+)[\"”]"
_QUOTE_MARK = re.compile(r"[\"“”]")


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of the article read for one actor, and its mentions (absolute offsets)."""

    start: int
    end: int
    mentions: tuple[tuple[int, int], ...]
    sentences: tuple[int, ...]


def paragraph_of(text: str, sentences: Sequence[Sentence]) -> list[int]:
    """The paragraph number of each sentence: a new one starts after every line break."""
    out, paragraph, previous_end = [], 0, None
    for s in sentences:
        if previous_end is not None and "\n" in text[previous_end : s.start]:
            paragraph += 1
        out.append(paragraph)
        previous_end = s.end
    return out


def actor_passages(
    text: str,
    sentences: Sequence[Sentence],
    paragraphs: Sequence[int],
    mentions: Sequence[tuple[int, int, int]],
    max_chars: int = MAX_PASSAGE_CHARS,
) -> list[Passage]:
    """The passages of one actor: ``mentions`` are (sentence index, start, end) in text order.

    Each paragraph holding a mention gives one passage: the whole paragraph when it is short,
    else the mention sentences with their neighbours inside the paragraph, as far as
    ``max_chars`` allows (a passage never crosses a paragraph break).
    """
    by_paragraph: dict[int, list[tuple[int, int, int]]] = {}
    for m in mentions:
        by_paragraph.setdefault(paragraphs[m[0]], []).append(m)
    out = []
    for paragraph, found in by_paragraph.items():
        members = [s.index for s in sentences if paragraphs[s.index] == paragraph]
        chosen = sorted({i for i, _, _ in found})
        if sentences[members[-1]].end - sentences[members[0]].start <= max_chars:
            chosen = members
        else:
            chosen = _grow(sentences, members, chosen, max_chars)
        out.append(
            Passage(
                start=sentences[chosen[0]].start,
                end=sentences[chosen[-1]].end,
                mentions=tuple((a, b) for _, a, b in found),
                sentences=tuple(chosen),
            )
        )
    return out


def _grow(
    sentences: Sequence[Sentence], members: list[int], chosen: list[int], max_chars: int
) -> list[int]:
    """Add neighbouring sentences of the paragraph, nearest first, while the span fits."""
    low, high = chosen[0], chosen[-1]
    while True:
        grown = False
        for candidate in (low - 1, high + 1):
            if candidate in members:
                a, b = min(low, candidate), max(high, candidate)
                if sentences[b].end - sentences[a].start <= max_chars:
                    low, high, grown = a, b, True
        if not grown:
            return list(range(low, high + 1))


def quotations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The insides of the direct quotations in ``text[start:end]``: the spans of
    ``QUOTE_PATTERN``'s first group, as ``re.finditer(QUOTE_PATTERN, text, start, end)`` finds
    them, without its backtracking.

    A quotation opens at a " or “ and, since its inside holds no quote mark, closes at the next
    quote mark, which must be " or ”; its inside is three non-empty parts split by two
    whitespace characters, and a line break may only be one of those two. A shorter non-empty
    quote with no line break ("lock") is skipped whole: its closing mark opens nothing.
    """
    found: list[tuple[int, int]] = []
    position = start
    while True:
        opening = _QUOTE_MARK.search(text, position, end)
        if opening is None:
            return found
        if text[opening.start()] == "”":  # closes, never opens
            position = opening.end()
            continue
        closing = _QUOTE_MARK.search(text, opening.end(), end)
        if closing is None:
            return found
        inside = (opening.end(), closing.start())
        words = text[inside[0] : inside[1]]
        if text[closing.start()] == "“":  # opens, never closes: it may open one
            position = closing.start()
        elif _three_words(words):
            found.append(inside)
            position = closing.end()
        elif words and "\n" not in words:  # a one- or two-word quote: both marks are spent
            position = closing.end()
        else:  # the next quote mark may open one
            position = closing.start()


def _three_words(inside: str) -> bool:
    """Whether ``inside`` (no quote marks) splits as part, whitespace, part, whitespace, part,
    with every part non-empty and every line break one of the two whitespace characters."""
    n = len(inside)
    breaks = [k for k, ch in enumerate(inside) if ch == "\n"]
    spaces = [k for k, ch in enumerate(inside) if ch.isspace()]
    # the first whitespace that can split off a first part, the last that leaves a last one
    first = next((k for k in spaces if k >= 1), n)
    last = next((k for k in reversed(spaces) if k <= n - 2), -1)
    if not breaks:
        return last - first >= 2
    if len(breaks) == 1:
        (k,) = breaks
        return (k >= 1 and last - k >= 2) or (k <= n - 2 and k - first >= 2)
    if len(breaks) == 2:
        i, j = breaks
        return i >= 1 and j - i >= 2 and j <= n - 2
    return False


def author_voice(
    text: str, start: int, end: int, mentions: Sequence[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """``text[start:end]`` with direct quotations emptied, and the mentions outside them
    (offsets into the returned string)."""
    pieces, kept, cursor, shift = [], [], start, 0
    quotes = quotations(text, start, end)
    for a, b in quotes:
        pieces.append(text[cursor:a])
        pieces.append(_ELLIPSIS)
        cursor = b
    pieces.append(text[cursor:end])
    for m_start, m_end in mentions:
        if any(a <= m_start < b for a, b in quotes):
            continue
        shift = sum((b - a) - len(_ELLIPSIS) for a, b in quotes if b <= m_start)
        kept.append((m_start - start - shift, m_end - start - shift))
    return "".join(pieces), kept


def combine(
    probabilities: FloatArray, focus: float = DEFAULT_FOCUS
) -> tuple[FloatArray, FloatArray]:
    """The actor's (negative, neutral, positive) from its passages' rows, and each passage's
    weight. No passages: neutral."""
    if len(probabilities) == 0:
        return np.array([0.0, 1.0, 0.0], dtype=np.float32), np.zeros(0, dtype=np.float32)
    evaluative = np.clip(1.0 - probabilities[:, 1], 1e-6, 1.0)
    weights = (evaluative**focus).astype(np.float32)
    combined = (weights[:, None] * probabilities).sum(axis=0) / weights.sum()
    return combined.astype(np.float32), weights / weights.sum()


def label_of(combined: FloatArray, neutral_bias: float = DEFAULT_NEUTRAL_BIAS) -> int:
    """The label column: neutral's probability is scaled by ``neutral_bias`` before the argmax."""
    scaled = combined.copy()
    scaled[1] *= neutral_bias
    return int(np.argmax(scaled))


def actor_sentiment(
    probabilities: FloatArray,
    passages: Sequence[Passage],
    focus: float = DEFAULT_FOCUS,
    neutral_bias: float = DEFAULT_NEUTRAL_BIAS,
    max_evidence: int = 3,
    combiner: Combiner | None = None,
    context: ActorContext | None = None,
) -> ActorSentiment:
    """The `ActorSentiment` of one actor from its passages' probabilities (rows in order): by
    the learned ``combiner`` when given with the actor's ``context``, else by the rule."""
    combined, weights = combine(probabilities, focus)
    column = label_of(combined, neutral_bias)
    if combiner is not None and context is not None and len(probabilities):
        row = features(probabilities, context)
        combined, column = combiner.probabilities(row), combiner.label(row)
    label = SENTIMENT_LABELS[column]
    polarity = probabilities[:, 2] - probabilities[:, 0] if len(probabilities) else np.zeros(0)
    # What each passage did for the label: its weight times how far it leans that way.
    if label == "neutral":
        lean = probabilities[:, 1] if len(probabilities) else np.zeros(0)
    else:
        lean = polarity if label == "positive" else -polarity
    contribution = weights * lean
    order = [int(i) for i in np.argsort(-contribution, kind="stable") if contribution[i] > 0]
    evidence = tuple(
        StancePassage(
            start=passages[i].start,
            end=passages[i].end,
            label=SENTIMENT_LABELS[int(np.argmax(probabilities[i]))],
            score=round(float(polarity[i]), 4),
            weight=round(float(weights[i]), 4),
        )
        for i in order[:max_evidence]
    )
    return ActorSentiment(
        label=label,
        score=round(float(combined[2] - combined[0]), 6),
        probabilities={
            name: round(float(p), 6) for name, p in zip(SENTIMENT_LABELS, combined, strict=True)
        },
        evidence=tuple(sorted({s for i in order[:max_evidence] for s in passages[i].sentences})),
        passages=evidence,
    )


class ActorStance:
    """The stance step of the Analyzer: every actor of a batch of articles in one model call."""

    def __init__(
        self,
        model: StanceModel,
        max_passages: int | None = None,
        *,
        skip_quoted_only: bool = False,
    ) -> None:
        self.model = model
        # Read no passage whose mentions of the actor all lie inside direct quotations: the
        # author's voice there says nothing of the actor (9 % of the pairs; in-domain dev
        # articles 0.610 -> 0.614 with the tagger's gate, docs/benchmarks.md, issue 33).
        self.skip_quoted_only = skip_quoted_only
        self.focus = model.focus
        self.neutral_bias = model.neutral_bias
        self.combiner: Combiner | None = getattr(model, "combiner", None)
        self.max_passages = max_passages

    @property
    def config(self) -> dict[str, object]:
        return {
            "stance_focus": self.focus,
            "stance_neutral_bias": self.neutral_bias,
            "stance_max_passages": self.max_passages,
            **({"stance_skip_quoted_only": True} if self.skip_quoted_only else {}),
        }

    def _chosen(self, passages: list[Passage], evaluative: Sequence[float] | None) -> list[Passage]:
        """At most ``max_passages`` of an actor's passages: those whose most evaluative sentence
        the sentence head (from the shared encoder pass) finds most evaluative, earlier first
        on a tie, kept in text order. Measured against reading all:
        scripts/eval/eval_stance_gate.py."""
        if self.max_passages is None or len(passages) <= self.max_passages:
            return passages
        if evaluative is None:
            return passages[: self.max_passages]
        strength = [max(evaluative[i] for i in p.sentences) for p in passages]
        ranked = sorted(range(len(passages)), key=lambda k: (-strength[k], k))
        return [passages[k] for k in sorted(ranked[: self.max_passages])]

    def toward_actors(self, docs: Sequence[StanceInput]) -> list[list[ActorSentiment]]:
        """The author's stance toward each actor of each article (in the inputs' order)."""
        jobs: list[tuple[int, list[Passage], ActorContext]] = []
        pairs: list[Pair] = []
        for d, doc in enumerate(docs):
            for name, passages, context in self.read(doc):
                jobs.append((d, passages, context))
                pairs += [self._pair(doc.text, name, p) for p in passages]
        probabilities = self.model.probabilities(pairs)
        out: list[list[ActorSentiment]] = [[] for _ in docs]
        first = 0
        for d, passages, context in jobs:
            rows = probabilities[first : first + len(passages)]
            first += len(passages)
            out[d].append(
                actor_sentiment(
                    rows,
                    passages,
                    self.focus,
                    self.neutral_bias,
                    combiner=self.combiner,
                    context=context,
                )
            )
        return out

    def read(self, doc: StanceInput) -> list[tuple[str, list[Passage], ActorContext]]:
        """Each actor of ``doc`` (in order): its name, the passages read for it, its context."""
        paragraphs = paragraph_of(doc.text, doc.sentences)
        most = max((len(mentions) for _, mentions in doc.actors), default=1) or 1
        out = []
        for a, (name, mentions) in enumerate(doc.actors):
            every = actor_passages(doc.text, doc.sentences, paragraphs, mentions)
            readable = every
            if self.skip_quoted_only:
                readable = [p for p in every if _own_mention(doc.text, p)]
            passages = self._chosen(readable, doc.evaluative)
            kind = doc.kinds[a] if a < len(doc.kinds) else ""
            context = actor_context(doc, paragraphs, mentions, every, passages, most, kind)
            out.append((name, passages, context))
        return out

    def toward(
        self,
        text: str,
        sentences: Sequence[Sentence],
        target: str,
        evaluative: Sequence[float] | None = None,
        opinion: float | None = None,
    ) -> ActorSentiment:
        """The stance toward a free-form ``target`` that is not one of the article's actors:
        the paragraphs naming it (whole words, any case), else every paragraph."""
        paragraphs = paragraph_of(text, sentences)
        pattern = re.compile(rf"\b{re.escape(target.strip())}\b", re.IGNORECASE)
        mentions = [
            (s.index, s.start + m.start(), s.start + m.end())
            for s in sentences
            for m in pattern.finditer(s.text)
        ]
        if mentions:
            passages = actor_passages(text, sentences, paragraphs, mentions)
        else:
            passages = whole_passages(sentences, paragraphs)
        every = passages
        passages = self._chosen(passages, evaluative)
        probabilities = self.model.probabilities([self._pair(text, target, p) for p in passages])
        doc = StanceInput(text, sentences, [(target, mentions)], evaluative, opinion)
        context = actor_context(
            doc, paragraphs, mentions, every, passages, max(1, len(mentions)), ""
        )
        return actor_sentiment(
            probabilities, passages, self.focus, self.neutral_bias,
            combiner=self.combiner, context=context,
        )  # fmt: skip

    def passage_labels(
        self,
        text: str,
        sentences: Sequence[Sentence],
        name: str,
        mentions: Sequence[tuple[int, int, int]],
        spans: Sequence[tuple[int, int]],
    ) -> list[str | None]:
        """The stance model's label of each passage of an actor given by its (start, end), as
        read alone; None where the span is not one of the actor's passages."""
        paragraphs = paragraph_of(text, sentences)
        own = {(p.start, p.end): p for p in actor_passages(text, sentences, paragraphs, mentions)}
        found = [own.get((start, end)) for start, end in spans]
        probabilities = self.model.probabilities(
            [self._pair(text, name, p) for p in found if p is not None]
        )
        labels = iter(SENTIMENT_LABELS[int(np.argmax(row))] for row in probabilities)
        return [None if p is None else next(labels) for p in found]

    def _pair(self, text: str, target: str, passage: Passage) -> Pair:
        voice, mentions = author_voice(text, passage.start, passage.end, passage.mentions)
        return self.model.pair(target, voice, mentions)


def _own_mention(text: str, passage: Passage) -> bool:
    """Whether one of the passage's mentions lies outside its direct quotations."""
    quotes = quotations(text, passage.start, passage.end)
    return any(not any(a <= start < b for a, b in quotes) for start, _ in passage.mentions)


@dataclass(frozen=True, slots=True)
class StanceInput:
    """One article for `ActorStance.toward_actors`: each actor's name and (sentence, start, end)
    mentions in text order."""

    text: str
    sentences: Sequence[Sentence]
    actors: Sequence[tuple[str, Sequence[tuple[int, int, int]]]]
    # 1 - p(neutral) of each sentence by the sentence head, to choose among many passages
    evaluative: Sequence[float] | None = None
    # the genre head's p(opinion), and each actor's kind (country, person, ...), for the combiner
    opinion: float | None = None
    kinds: Sequence[str] = ()


def actor_context(
    doc: StanceInput,
    paragraphs: Sequence[int],
    mentions: Sequence[tuple[int, int, int]],
    every: Sequence[Passage],
    read: Sequence[Passage],
    most_mentions: int,
    kind: str,
) -> ActorContext:
    """What the learned combiner knows of one actor beside its passages' probabilities."""
    quoted = chars = 0
    quotes: list[tuple[int, int]] = []
    for p in read:
        inside = quotations(doc.text, p.start, p.end)
        quotes += inside
        quoted += sum(b - a for a, b in inside)
        chars += p.end - p.start
    in_quotes = sum(any(a <= start < b for a, b in quotes) for _, start, _ in mentions)
    read_sentences = [i for p in read for i in p.sentences]
    evaluative = (
        float(np.mean([doc.evaluative[i] for i in read_sentences]))
        if doc.evaluative is not None and read_sentences
        else 0.0
    )
    return ActorContext(
        mentions=len(mentions),
        passages=len(every),
        in_lead=any(paragraphs[i] == 0 for i, _, _ in mentions),
        first_position=mentions[0][1] / max(1, len(doc.text)) if mentions else 1.0,
        mention_share=len(mentions) / max(1, most_mentions),
        opinion=doc.opinion,
        quoted_share=quoted / chars if chars else 0.0,
        mentions_quoted_share=in_quotes / len(mentions) if mentions else 0.0,
        evaluative=evaluative,
        kind=kind,
    )


def whole_passages(
    sentences: Sequence[Sentence], paragraphs: Sequence[int], max_chars: int = MAX_PASSAGE_CHARS
) -> list[Passage]:
    """Every paragraph as passages of whole sentences of at most ``max_chars`` (a longer
    sentence alone)."""
    out: list[Passage] = []
    current: list[Sentence] = []
    for s in sentences:
        if current and (
            paragraphs[s.index] != paragraphs[current[0].index]
            or s.end - current[0].start > max_chars
        ):
            out.append(_span_passage(current))
            current = []
        current.append(s)
    if current:
        out.append(_span_passage(current))
    return out


def _span_passage(sentences: Sequence[Sentence]) -> Passage:
    return Passage(
        start=sentences[0].start,
        end=sentences[-1].end,
        mentions=(),
        sentences=tuple(s.index for s in sentences),
    )
