"""Normalised lookup keys: how names are matched case- and spacing-insensitively."""

from __future__ import annotations

import unicodedata

# Every id is a BIGINT: a larger number would reach the database driver and fail there.
MAX_ID = 2**63 - 1


def parse_id(term: str) -> int | None:
    """``term`` as a row id when it is one: ASCII digits (not "²" or "٣") within BIGINT."""
    text = term.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def normalize_key(name: str) -> str:
    """Casefolded, NFKC-normalised, single-spaced: "  The  Guardian " -> "the guardian"."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
