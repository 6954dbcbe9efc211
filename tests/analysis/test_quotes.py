"""Quotations: speakers from cues, pronouns and titles, context, not speech, targets, stance."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.analysis.quotes import QuoteStance, find
from app.analysis.stance import Pair
from app.analysis.text import split_sentences
from app.analysis.types import ActorMention, Quotation


@dataclass(frozen=True)
class _Actor:
    key: str
    name: str
    kind: str
    mentions: tuple[ActorMention, ...]


def _actors(text: str, names: dict[str, tuple[str, str, list[str]]]) -> list[_Actor]:
    """Actors from ``key: (name, kind, surface forms)``, every occurrence a mention."""
    out = []
    for key, (name, kind, forms) in names.items():
        spans = sorted(
            (m.start(), m.end(), form)
            for form in forms
            for m in re.finditer(rf"\b{re.escape(form)}\b", text)
        )
        mentions = tuple(ActorMention(f, "PER", a, b, 0) for a, b, f in spans)
        out.append(_Actor(key, name, kind, mentions))
    return out


ACTORS = {
    "person:lavrov": ("Sergei Lavrov", "person", ["Sergei Lavrov", "Lavrov"]),
    "country:USA": ("United States", "country", ["United States", "Washington"]),
    "person:merkel": ("Angela Merkel", "person", ["Angela Merkel", "Merkel"]),
    "org:mfa": ("Foreign Ministry", "organization", ["Foreign Ministry"]),
}


def _find(text: str) -> list[Quotation]:
    return find(text, split_sentences(text), _actors(text, ACTORS))


def _said(text: str) -> list[tuple[str, str | None, str]]:
    return [(text[q.start : q.end], q.speaker_name, q.how) for q in _find(text)]


def test_a_name_after_or_before_the_quotation_is_its_speaker() -> None:
    text = (
        '"The United States is a bully and a liar," Lavrov said on Monday. '
        'Merkel told reporters: "We will not follow them on this."'
    )
    assert _said(text) == [
        ("The United States is a bully and a liar,", "Sergei Lavrov", "explicit"),
        ("We will not follow them on this.", "Angela Merkel", "explicit"),
    ]


def test_said_before_the_name_and_according_to() -> None:
    text = (
        '"Washington has lost its way entirely," said Sergei Lavrov. '
        'According to Merkel, "the talks were useful and long."'
    )
    assert [s for _, s, _ in _said(text)] == ["Sergei Lavrov", "Angela Merkel"]


def test_he_and_she_are_the_latest_person_of_that_gender() -> None:
    text = (
        "Sergei Lavrov met Angela Merkel in Berlin. She said he was late. "
        '"We spoke for an hour about everything," she said.'
    )
    [quote] = _find(text)
    assert (quote.speaker_name, quote.how) == ("Angela Merkel", "pronoun")


def test_a_title_and_an_institution() -> None:
    text = (
        "Angela Merkel spoke in Berlin on Monday.\n\n"
        '"This is not the time for new sanctions," the chancellor said.\n\n'
        "The Foreign Ministry answered on Tuesday.\n\n"
        '"Such claims are baseless and hostile," the ministry said.'
    )
    assert [(s, h) for _, s, h in _said(text)] == [
        ("Angela Merkel", "title"),
        ("Foreign Ministry", "title"),
    ]


def test_a_quotation_without_cue_continues_the_speaker_before_it() -> None:
    text = (
        '"We will respond in kind to every move," Lavrov said. '
        '"Nobody should doubt that at all."\n\nThe weather was fine in Moscow on that day.'
    )
    assert [(s, h) for _, s, h in _said(text)] == [
        ("Sergei Lavrov", "explicit"),
        ("Sergei Lavrov", "context"),
    ]


def test_titles_and_terms_are_not_speech_and_unsaid_words_have_no_speaker() -> None:
    text = (
        'Merkel wrote a book titled "Power and Its Limits Today" last year.\n\n'
        'Some call it "the end of an era" in Europe.'
    )
    assert _said(text) == [("the end of an era", None, "none")]


def test_reported_speech_with_its_speaker() -> None:
    text = "Lavrov said that the United States had broken every promise it made."
    [quote] = _find(text)
    assert quote.kind == "reported"
    assert text[quote.start : quote.end] == "the United States had broken every promise it made"
    assert (quote.speaker_name, quote.cue) == ("Sergei Lavrov", "said")
    assert [t.name for t in quote.targets] == ["United States"]


def test_targets_are_the_actors_inside_the_words_but_the_speaker() -> None:
    text = '"Lavrov knows that Washington and Merkel are wrong," Lavrov said.'
    [quote] = _find(text)
    assert [t.name for t in quote.targets] == ["United States", "Angela Merkel"]


class _Reader:
    """A stance model that reads negative when the passage has "bully", else neutral."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair:
        self.seen.append(f"{target}|{passage}")
        return Pair(ids=(len(self.seen) - 1,), target=(), passage_start=0)

    def probabilities(self, pairs: Sequence[Pair]) -> np.ndarray:  # type: ignore[type-arg]
        rows = [
            [0.8, 0.1, 0.1] if "bully" in self.seen[p.ids[0]] else [0.1, 0.8, 0.1] for p in pairs
        ]
        return np.array(rows, dtype=np.float32).reshape(len(pairs), 3)


def test_the_stance_model_reads_the_quoted_words_for_each_target() -> None:
    text = '"The United States is a bully, and Merkel knows it," Lavrov said.'
    actors = _actors(text, ACTORS)
    found = find(text, split_sentences(text), actors)
    reader = _Reader()
    [[quote]] = QuoteStance(reader).read([text], [found], [actors])
    assert [(t.name, t.label) for t in quote.targets] == [
        ("United States", "negative"),
        ("Angela Merkel", "negative"),
    ]
    assert reader.seen[0] == "United States|The United States is a bully, and Merkel knows it,"


def test_a_participle_cue_reports_for_the_subject_of_its_sentence() -> None:
    text = (
        "Angela Merkel rejected the plan on Monday and criticised Lavrov, saying "
        '"this is not how partners treat each other at all."'
    )
    [quote] = _find(text)
    assert (quote.speaker_name, quote.how) == ("Angela Merkel", "explicit")


def test_a_second_quotation_in_the_sentence_has_the_speaker_of_the_first() -> None:
    text = (
        'Lavrov called the sanctions "a dead end for everyone involved," but added they '
        'were "not going to change our course at all."'
    )
    assert [(s, h) for _, s, h in _said(text)] == [
        ("Sergei Lavrov", "explicit"),
        ("Sergei Lavrov", "context"),
    ]


def test_the_subject_is_before_an_apposition_or_after_an_opening_phrase() -> None:
    text = (
        "Lavrov, who met Merkel in Berlin last week, also said the talks were "
        '"useful but far too short for us."\n\n'
        'In response, she told reporters: "We will answer in our own time."'
    )
    assert [(s, h) for _, s, h in _said(text)] == [
        ("Sergei Lavrov", "explicit"),
        ("Angela Merkel", "pronoun"),
    ]


def test_a_cue_after_a_closed_quotation_that_opens_a_new_sentence_is_not_its_cue() -> None:
    text = (
        'Lavrov noted that Washington had broken its word, and "nobody in Moscow forgot it." '
        "After Merkel called for calm, the ministry said it would wait."
    )
    [quote] = [q for q in _find(text) if q.kind == "direct"]
    assert quote.speaker_name == "Sergei Lavrov"


def test_said_that_after_a_quotation_introduces_other_words() -> None:
    text = (
        'Asked about what Merkel had described as "a reckless and dangerous escalation," '
        "Lavrov said that Moscow would not respond."
    )
    [quote] = [q for q in _find(text) if q.kind == "direct"]
    assert quote.speaker_name == "Angela Merkel"


def test_he_and_she_prefer_the_subject_of_a_clause_and_a_given_name_shows_the_gender() -> None:
    text = (
        "Merkel wants a vote on the plan this week. The plan was one she drafted with "
        "Sergei Lavrov in May.\n\n"
        '"We can pass it now and answer the critics," she said.'
    )
    [quote] = _find(text)
    assert quote.speaker_name == "Angela Merkel"
    people = {
        "person:kowalski": ("Jan Kowalski", "person", ["Jan Kowalski", "Kowalski"]),
        "person:achterberg": ("Robin Achterberg", "person", ["Robin Achterberg", "Achterberg"]),
    }
    text = (
        "Jan Kowalski of the Cato Institute thinks the concern is misplaced, and he has told "
        'Achterberg so. "I do not think we hear much of that talk anymore," he says.'
    )
    [quote] = find(text, split_sentences(text), _actors(text, people))
    assert (quote.speaker_name, quote.how) == ("Jan Kowalski", "pronoun")


def test_a_document_speaks_as_the_article_names_it() -> None:
    text = (
        "But a court filing Monday says that Lavrov's envoy lied to investigators "
        '"on a variety of subject matters" for months.'
    )
    [quote] = [q for q in _find(text) if q.kind == "direct"]
    assert (quote.speaker_key, quote.speaker_name, quote.how) == (None, "court filing", "title")


def test_a_spokesperson_speaks_for_the_body_named_with_them_spelt_out() -> None:
    people = {
        "org:dot": ("DOT", "organization", ["DOT"]),
        "org:dept": (
            "Department of Transportation",
            "organization",
            ["Department of Transportation"],
        ),
        "org:journal": ("Wall Street Journal", "organization", ["Wall Street Journal", "Journal"]),
    }
    text = (
        "A spokesperson for the Department of Transportation (DOT) told the Journal on Monday "
        "that the agreement was being clarified.\n\n"
        '"There is no conflict of interest in this matter," the spokesperson told the Journal.'
    )
    [reported, quote] = find(text, split_sentences(text), _actors(text, people))
    assert text[reported.start : reported.end] == "the agreement was being clarified"
    assert reported.speaker_name == quote.speaker_name == "Department of Transportation"
    assert quote.how == "title"


def test_an_office_named_through_an_organisation_is_a_person_and_a_vague_one_nobody() -> None:
    text = (
        "Lavrov met Merkel twice this year, and Lavrov has praised her since.\n\n"
        'The Russian Foreign Ministry\'s chief vowed that "we will never accept these terms."\n\n'
        'A senior official said the meeting "went about as well as anyone could expect."'
    )
    assert [(s, h) for _, s, h in _said(text)] == [("Sergei Lavrov", "title"), (None, "none")]


def test_a_programme_appeared_on_and_a_name_used_as_a_modifier_are_not_speech() -> None:
    text = (
        '"We should see the report for ourselves," Lavrov said on the BBC\'s "Hard Talk Tonight." '
        'Merkel had praised "Fox and Friends" hosts for their candour.'
    )
    assert _said(text) == [("We should see the report for ourselves,", "Sergei Lavrov", "explicit")]


def test_a_speaker_the_entity_model_missed_is_named_from_the_cue() -> None:
    text = (
        "Merkel spoke in Berlin on Monday.\n\n"
        "The Korean Central News Agency called this an "
        '"intolerable and serious politically-motivated provocation" on her part.'
    )
    [quote] = _find(text)
    assert (quote.speaker_key, quote.speaker_name) == (None, "Korean Central News Agency")


def test_a_quotation_continues_reported_speech_whose_speaker_has_an_apposition() -> None:
    text = (
        "Angela Merkel, who leads the party in the state parliament, says when she reads the "
        "list of advisers she gets worried.\n\n"
        '"I have not found a single person among them who doubts the plan at all."'
    )
    [reported, quote] = _find(text)
    assert (reported.kind, reported.speaker_name) == ("reported", "Angela Merkel")
    assert (quote.speaker_name, quote.how) == ("Angela Merkel", "context")
