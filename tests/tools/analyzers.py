"""Analyzer factories for the hidden `--analyzer module:factory` option of the commands."""

from __future__ import annotations

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
