"""From passages to the author's stance toward an actor: passages, quotes, combination."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis.actors.stance import (
    QUOTE_PATTERN,
    ActorStance,
    StanceInput,
    actor_passages,
    actor_sentiment,
    author_voice,
    combine,
    paragraph_of,
    quotations,
    whole_passages,
)
from app.analysis.stance import Pair
from app.analysis.text import split_sentences

ARTICLE = (
    "Washington imposed new sanctions on Moscow. The move was reckless and cruel.\n\n"
    "Officials met in Anchorage, Alaska on Thursday. The meeting lasted two days.\n\n"
    '"The United States is a bully," Lavrov said. He left early.'
)

NEUTRAL = [0.05, 0.9, 0.05]
NEGATIVE = [0.8, 0.15, 0.05]
POSITIVE = [0.05, 0.15, 0.8]


def _mentions(text: str, word: str) -> list[tuple[int, int, int]]:
    sentences = split_sentences(text)
    out = []
    for s in sentences:
        start = s.text.find(word)
        if start >= 0:
            out.append((s.index, s.start + start, s.start + start + len(word)))
    return out


def test_paragraphs_follow_line_breaks() -> None:
    sentences = split_sentences(ARTICLE)
    assert paragraph_of(ARTICLE, sentences) == [0, 0, 1, 1, 2, 2]


def test_a_passage_is_the_paragraph_around_the_mentions() -> None:
    sentences = split_sentences(ARTICLE)
    paragraphs = paragraph_of(ARTICLE, sentences)
    [passage] = actor_passages(ARTICLE, sentences, paragraphs, _mentions(ARTICLE, "Washington"))
    assert ARTICLE[passage.start : passage.end] == (
        "Washington imposed new sanctions on Moscow. The move was reckless and cruel."
    )
    assert passage.sentences == (0, 1)


def test_a_long_paragraph_is_cut_to_the_sentences_around_the_mention() -> None:
    text = "Filler sentence number one is here. " * 30 + "NATO was wrong. " + "More filler. " * 30
    sentences = split_sentences(text)
    paragraphs = paragraph_of(text, sentences)
    [passage] = actor_passages(text, sentences, paragraphs, _mentions(text, "NATO"), 200)
    assert "NATO was wrong." in text[passage.start : passage.end]
    assert passage.end - passage.start <= 200


def test_a_short_quote_does_not_pair_with_the_next_one() -> None:
    text = 'Trump has no "lock" on it, Rove argues: "three or more candidates" may stay "open" now.'
    assert [text[a:b] for a, b in quotations(text, 0, len(text))] == ["three or more candidates"]
    curly = "It is “fake” news, he said, “and I mean it all.”"
    assert [curly[a:b] for a, b in quotations(curly, 0, len(curly))] == ["and I mean it all."]


def test_quotations_are_not_the_authors_voice() -> None:
    start = ARTICLE.index('"The United')
    end = len(ARTICLE)
    mention = ARTICLE.index("United States")
    voice, kept = author_voice(ARTICLE, start, end, [(mention, mention + 13)])
    assert voice == '"…" Lavrov said. He left early.'
    assert kept == []  # the only mention was inside the quotation
    lavrov = ARTICLE.index("Lavrov")
    voice, kept = author_voice(ARTICLE, start, end, [(lavrov, lavrov + 6)])
    assert [voice[a:b] for a, b in kept] == ["Lavrov"]


def test_no_passages_or_only_neutral_ones_are_neutral() -> None:
    combined, weights = combine(np.zeros((0, 3), dtype=np.float32))
    assert combined.argmax() == 1
    assert len(weights) == 0
    many_neutral = np.array([NEUTRAL] * 12, dtype=np.float32)
    assert combine(many_neutral)[0].argmax() == 1


def test_a_few_evaluative_passages_outweigh_many_neutral_ones() -> None:
    rows = np.array([NEUTRAL] * 6 + [NEGATIVE, NEGATIVE], dtype=np.float32)
    combined, weights = combine(rows, focus=2.0)
    assert combined.argmax() == 0
    assert weights[-1] > 10 * weights[0]
    # without the focus the neutral majority would win
    assert combine(rows, focus=0.0)[0].argmax() == 1


class _Lookup:
    """Stands in for StanceModel: each passage's probabilities from the words it contains."""

    max_pieces = 64
    focus = 2.0
    neutral_bias = 1.0

    def __init__(self) -> None:
        self.seen: list[str] = []

    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair:
        self.seen.append(passage)
        return Pair(ids=(len(self.seen) - 1,), target=(), passage_start=1)

    def probabilities(self, pairs: Sequence[Pair]) -> np.ndarray:
        rows = []
        for pair in pairs:
            passage = self.seen[pair.ids[0]]
            rows.append(NEGATIVE if ("reckless" in passage or "bully" in passage) else NEUTRAL)
        return np.array(rows, dtype=np.float32).reshape(-1, 3)


def test_the_stance_step_labels_each_actor_with_its_evidence() -> None:
    stance = ActorStance(_Lookup())  # type: ignore[arg-type]
    sentences = split_sentences(ARTICLE)
    actors = [
        ("United States", _mentions(ARTICLE, "Washington") + _mentions(ARTICLE, "United States")),
        ("Alaska", _mentions(ARTICLE, "Alaska")),
    ]
    [[us, alaska]] = stance.toward_actors([StanceInput(ARTICLE, sentences, actors)])
    assert us.label == "negative"
    # the evidence is the author's own criticism; Lavrov's quoted "bully" was not read
    [top, *_] = us.passages
    assert ARTICLE[top.start : top.end].endswith("reckless and cruel.")
    assert top.label == "negative"
    assert top.weight > 0.5
    assert us.evidence[:2] == (0, 1)
    assert alaska.label == "neutral"  # named in passing


def test_a_passage_naming_the_actor_only_inside_quotations_is_not_read() -> None:
    sentences = split_sentences(ARTICLE)
    actors = [("United States", _mentions(ARTICLE, "United States"))]
    doc = StanceInput(ARTICLE, sentences, actors)
    # the only mention is inside Lavrov's quotation: read by default, skipped when asked
    assert len(ActorStance(_Lookup()).read(doc)[0][1]) == 1  # type: ignore[arg-type]
    gated = ActorStance(_Lookup(), skip_quoted_only=True)  # type: ignore[arg-type]
    [(_, passages, context)] = gated.read(doc)
    assert passages == []
    assert context.passages == 1  # the context still counts every passage
    assert gated.config["stance_skip_quoted_only"] is True
    [[us]] = gated.toward_actors([doc])
    assert us.label == "neutral"
    assert us.passages == ()


def test_a_free_form_target_reads_the_paragraphs_naming_it() -> None:
    stance = ActorStance(_Lookup())  # type: ignore[arg-type]
    sentences = split_sentences(ARTICLE)
    assert stance.toward(ARTICLE, sentences, "the move").label == "negative"
    # not named anywhere: every paragraph is read
    assert stance.toward(ARTICLE, sentences, "sanctions policy").label == "negative"
    assert len(whole_passages(sentences, paragraph_of(ARTICLE, sentences))) == 3


def test_actor_sentiment_of_an_actor_without_passages_is_neutral() -> None:
    result = actor_sentiment(np.zeros((0, 3), dtype=np.float32), [])
    assert result.label == "neutral"
    assert result.passages == ()
    assert result.score == 0.0


@pytest.mark.parametrize("bias", [0.5, 1.0, 2.0])
def test_the_neutral_bias_scales_only_neutral(bias: float) -> None:
    from app.analysis.actors.stance import label_of

    combined = np.array([0.35, 0.4, 0.25], dtype=np.float32)
    assert label_of(combined, bias) == (0 if bias == 0.5 else 1)


def test_at_most_max_passages_are_read_the_most_evaluative_first() -> None:
    text = "\n\n".join(f"Paragraph {i} names NATO here." for i in range(6))
    sentences = split_sentences(text)
    lookup = _Lookup()
    stance = ActorStance(lookup, max_passages=2)  # type: ignore[arg-type]
    evaluative = [0.1, 0.9, 0.2, 0.8, 0.1, 0.1]
    [[nato]] = stance.toward_actors(
        [StanceInput(text, sentences, [("NATO", _mentions_all(text, "NATO"))], evaluative)]
    )
    assert [p.split()[1] for p in lookup.seen] == ["1", "3"]  # in text order
    assert nato.label == "neutral"
    # without the sentence head's reading, the first ones
    lookup.seen.clear()
    stance.toward_actors([StanceInput(text, sentences, [("NATO", _mentions_all(text, "NATO"))])])
    assert [p.split()[1] for p in lookup.seen] == ["0", "1"]


def _mentions_all(text: str, word: str) -> list[tuple[int, int, int]]:
    return [
        (s.index, s.start + s.text.index(word), s.start + s.text.index(word) + len(word))
        for s in split_sentences(text)
        if word in s.text
    ]


_QUOTE_TEXT = st.text(alphabet='"“”\n a\tb.\r\xa0\u2028', max_size=40)


@settings(max_examples=3000, deadline=None)
@given(_QUOTE_TEXT, st.integers(0, 40), st.integers(0, 40))
def test_quotations_are_the_patterns_matches(text: str, start: int, end: int) -> None:
    """The one-pass scan finds exactly the spans the quotation pattern finds (any text, any
    window; the alphabet holds every character class the pattern tells apart). The pattern's
    second alternative, a one- or two-word quote consumed whole, was added with the fix for
    quotations paired across a short quote (issue 29): before it, the closing mark of "lock"
    opened a "quotation" of the narration up to the next quote's opening mark."""
    start, end = min(start, len(text)), min(end, len(text))
    pattern = re.compile(QUOTE_PATTERN)
    expected = [
        (m.start(1), m.end(1)) for m in pattern.finditer(text, start, end) if m.group(1) is not None
    ]
    assert quotations(text, start, end) == expected
