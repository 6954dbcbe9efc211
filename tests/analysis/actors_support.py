"""Hand-made inputs for the actor tests: sentences and NER output built from surface strings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

from app.analysis.actors import ActorResolver, ResolvedActor
from app.analysis.types import EntityLabel, EntityMention, Sentence

# A surface form and its NER label(s); "LOC/ORG" gives the occurrences LOC, ORG, LOC, ... in turn,
# as a real model labels "US" inconsistently.
Spec = Sequence[tuple[str, str]]


def split_sentences(text: str) -> list[Sentence]:
    """Lines, cut after sentence-ending punctuation: enough for these texts."""
    spans = [
        (line.start() + m.start(), line.start() + m.end())
        for line in re.finditer(r"[^\n]+", text)
        for m in re.finditer(r"\S.*?(?:[.!?](?=\s|$)|$)", line.group())
    ]
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]


def find_entities(text: str, sentences: Sequence[Sentence], spec: Spec) -> list[EntityMention]:
    """Hand-made NER output: each whole-word occurrence of each surface, longest surfaces first."""
    taken = bytearray(len(text))
    found = []
    for surface, labels in sorted(spec, key=lambda item: -len(item[0])):
        cycle = labels.split("/")
        pattern = r"(?<!\w)" + re.escape(surface) + r"(?!\w)"
        matches = [m for m in re.finditer(pattern, text) if not any(taken[m.start() : m.end()])]
        for n, m in enumerate(matches):
            taken[m.start() : m.end()] = b"\x01" * len(surface)
            index = next(s.index for s in sentences if s.start <= m.start() < s.end)
            label = cast(EntityLabel, cycle[n % len(cycle)])
            found.append(EntityMention(surface, label, m.start(), m.end(), index, 0.9))
    return sorted(found, key=lambda e: e.start)


def resolve(text: str, spec: Spec = (), title: str | None = None) -> dict[str, ResolvedActor]:
    """The actors by key, in order; every mention must slice the text and every key be unique."""
    sentences = split_sentences(text)
    entities = find_entities(text, sentences, spec)
    actors = ActorResolver().resolve(text, sentences, entities, title)
    for actor in actors:
        for mention in actor.mentions:
            assert text[mention.start : mention.end] == mention.text
    assert len({a.key for a in actors}) == len(actors)
    return {actor.key: actor for actor in actors}


def texts(actor: ResolvedActor) -> list[str]:
    """The actor's mentions as written, in order."""
    return [m.text for m in actor.mentions]
