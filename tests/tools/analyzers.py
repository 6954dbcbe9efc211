"""Analyzer factories for the hidden `--analyzer module:factory` option of the commands."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import ClassVar

from app.analysis.types import ActorAnalysis, ActorKind, ActorMention, ActorSentiment, Analysis
from app.core.config import Settings
from tests.fakes import FakeAnalyzer


def fake_v1(_settings: Settings) -> FakeAnalyzer:
    return FakeAnalyzer(version="1")


def fake_v2(_settings: Settings) -> FakeAnalyzer:
    """A "better model": another version, which no longer finds NATO."""
    return FakeAnalyzer(version="2", ignore=frozenset({"org:nato"}))


def describe_v2(settings: Settings) -> tuple[dict[str, str], dict[str, object]]:
    """What a cheap `describe_models` hook answers for the "v2" models, without loading them."""
    analyzer = fake_v2(settings)
    return analyzer.models, analyzer.config


class ResolutionAnalyzer(FakeAnalyzer):
    """The fake analyzer with the actor keys of one version of the actor tables: ``old`` stores
    a bare "Obama" under ``person:obama`` and the CDC under its long name, as the resolution
    before people.json and the CDC's catalog entry did; the current one as it does now."""

    _TABLES: ClassVar[dict[str, dict[str, tuple[str, str, ActorKind]]]] = {
        "old": {
            "Barack Obama": ("person:barack obama", "Barack Obama", "person"),
            "Obama": ("person:obama", "Obama", "person"),
            "CDC": (
                "org:centers for disease control and prevention",
                "Centers for Disease Control and Prevention",
                "organization",
            ),
        },
        "current": {
            "Barack Obama": ("person:barack obama", "Barack Obama", "person"),
            "Obama": ("person:barack obama", "Barack Obama", "person"),
            "CDC": ("org:cdc", "Centers for Disease Control and Prevention", "organization"),
        },
    }

    def __init__(self, tables: str) -> None:
        super().__init__(version=f"actors-{tables}")
        self.table = self._TABLES[tables]
        self.surfaces = re.compile(
            r"\b(" + "|".join(sorted(map(re.escape, self.table), key=len, reverse=True)) + r")\b"
        )

    def _analyze_one(self, text: str) -> Analysis:
        analysis = super()._analyze_one(text)
        found: dict[str, list[ActorMention]] = {}
        for match in self.surfaces.finditer(text):
            index = next(s.index for s in analysis.sentences if s.start <= match.start() < s.end)
            key = self.table[match.group()][0]
            label = "PER" if key.startswith("person:") else "ORG"
            found.setdefault(key, []).append(
                ActorMention(match.group(), label, match.start(), match.end(), index)
            )
        names = {key: (name, kind) for key, name, kind in self.table.values()}
        extra = tuple(
            ActorAnalysis(
                key=key,
                name=names[key][0],
                kind=names[key][1],
                aliases=(),
                mentions=tuple(mentions),
                salience=0.5,
                sentiment=ActorSentiment(
                    "neutral",
                    0.0,
                    {"negative": 0.2, "neutral": 0.6, "positive": 0.2},
                    tuple(sorted({m.sentence_index for m in mentions})),
                ),
            )
            for key, mentions in found.items()
        )
        return replace(analysis, actors=analysis.actors + extra)


def actors_old(_settings: Settings) -> ResolutionAnalyzer:
    return ResolutionAnalyzer("old")


def actors_current(_settings: Settings) -> ResolutionAnalyzer:
    return ResolutionAnalyzer("current")
