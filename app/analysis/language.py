"""Which language an article is in: py3langid (langid.py's maintained fork, numpy only).

A guess is only made on enough text and kept only when confident: a headline-sized text or a
list of names is too little to tell, and an unsure guess must never get an English article
skipped. The model (a few MB) loads on first use, about 1.5 s, once per process.
"""

from __future__ import annotations

import threading
from typing import Any

# Fewer letters than this, and langid's guesses are unreliable (measured: "Russia and China
# stand together" scores 0.30 for English).
MIN_LETTERS = 40
MIN_PROBABILITY = 0.9
# Longer texts are judged by their start: enough to tell, and the cost stays flat.
_SAMPLE_CHARS = 4000

_lock = threading.Lock()
_identifier: Any = None


def detect(text: str) -> tuple[str, float] | None:
    """(ISO 639-1 code, probability) when confident, else None."""
    sample = text[:_SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return None
    language, probability = _model().classify(sample)
    if probability < MIN_PROBABILITY:
        return None
    return str(language), round(float(probability), 4)


def _model() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier
