"""Normalised lookup keys: how names are matched case- and spacing-insensitively."""

from __future__ import annotations

import unicodedata


def normalize_key(name: str) -> str:
    """Casefolded, NFKC-normalised, single-spaced: "  The  Guardian " -> "the guardian"."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
