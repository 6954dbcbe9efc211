"""Analyzer factories for the `--analyzer module:factory` option (LENS_ANALYZER_FACTORY) of the
processes the fault tests start.

Each logs the texts it starts and finishes to FAKE_ANALYZER_LOG, one line per text with the
process id, so a test can tell which process analysed what and that a batch was in hand.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from app.analysis.types import Analysis
from app.core.config import Settings
from tests.fakes import FakeAnalyzer


class LoggingAnalyzer(FakeAnalyzer):
    def __init__(self, log: Path | None, delay: float) -> None:
        super().__init__(delay=delay)
        self.log = log

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        self._write("start", texts)
        results = super().analyze(texts)
        self._write("done", texts)
        return results

    def _write(self, event: str, texts: list[str]) -> None:
        if self.log is None:
            return
        pid = os.getpid()
        # One write per batch in append mode: lines of concurrent processes never interleave.
        with self.log.open("a") as out:
            out.write("".join(f"{pid}\t{event}\t{text}\n" for text in texts))


def _log() -> Path | None:
    path = os.environ.get("FAKE_ANALYZER_LOG")
    return Path(path) if path else None


def quick(_settings: Settings) -> LoggingAnalyzer:
    return LoggingAnalyzer(_log(), delay=0.0)


def slow(_settings: Settings) -> LoggingAnalyzer:
    """Takes FAKE_ANALYZER_DELAY seconds (default 2) per batch: time to act mid-batch."""
    return LoggingAnalyzer(_log(), delay=float(os.environ.get("FAKE_ANALYZER_DELAY", "2")))
