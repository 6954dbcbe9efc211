"""Topic taxonomies: the 17 IPTC top-level Media Topics and, under them, the subtopics.

Both are JSON lists a user can replace (``LENS_TAXONOMY_PATH``, ``LENS_SUBTOPIC_TAXONOMY_PATH``).
A top-level topic is ``{"code", "label", "description"}``; a subtopic adds ``"parent"``, the code
of its top-level topic. Subtopic codes are IPTC level-2 Media Topics (``medtop:2000...``) where
one fits and project codes (``lens:...``) where none does; docs/quality.md lists which and why.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

_DATA = Path(__file__).parent / "data"
_FIELDS = ("code", "label", "description")


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    """One topic of a taxonomy: a stable code, a display label and a few descriptive sentences."""

    code: str
    label: str
    description: str
    # the top-level topic's code, for a subtopic
    parent: str | None = None


def default_taxonomy_path() -> Path:
    """The bundled IPTC Media Topics (the 17 top-level topics)."""
    return _DATA / "iptc_media_topics.json"


def default_subtopic_path() -> Path:
    """The bundled subtopics of the IPTC top-level topics."""
    return _DATA / "iptc_subtopics.json"


def load_taxonomy(
    path: Path | None = None, *, parents: Collection[str] | None = None
) -> tuple[TaxonomyEntry, ...]:
    """Read and validate a taxonomy file: a JSON list of ``{"code", "label", "description"}``.

    With ``parents`` (the top-level codes) it is a subtopic file: every entry names one of them
    as its ``parent``.
    """
    source = path or default_taxonomy_path()
    raw = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(raw, list) or len(raw) < 2:
        raise ValueError(f"{source}: a taxonomy is a JSON list of at least two topics")
    entries: list[TaxonomyEntry] = []
    for i, item in enumerate(raw):
        fields = {key: item.get(key) if isinstance(item, dict) else None for key in _FIELDS}
        missing = [key for key, value in fields.items() if not isinstance(value, str) or not value]
        if missing:
            raise ValueError(f"{source}: topic {i} lacks a non-empty {', '.join(missing)}")
        parent = item.get("parent") if isinstance(item, dict) else None
        if parents is not None and parent not in parents:
            raise ValueError(f"{source}: topic {i} needs a parent among the top-level codes")
        entries.append(
            TaxonomyEntry(
                **{key: str(value).strip() for key, value in fields.items()},
                parent=str(parent) if parents is not None else None,
            )
        )
    codes = [e.code for e in entries]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{source}: topic codes must be unique")
    if parents is not None and set(codes) & set(parents):
        raise ValueError(f"{source}: a subtopic code repeats a top-level code")
    return tuple(entries)
