"""The topic taxonomy the API lists and resolves topic filters against (codes and labels).

Two JSON lists: the top-level topics ``{"code", "label", "description"}`` (the bundled IPTC
Media Topics, or the file ``LENS_TAXONOMY_PATH`` names) and their subtopics, which add
``"parent"`` (the bundled file goes with the bundled top level; ``LENS_SUBTOPIC_TAXONOMY_PATH``
names another). Read here without the analysis models, so the API never imports them; a missing
file is an empty taxonomy (the topics in the database are still listed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.core.config import Settings

_DEFAULT_PATH = Path(__file__).resolve().parent.parent / "analysis" / "data"
DEFAULT_TAXONOMY = _DEFAULT_PATH / "iptc_media_topics.json"
DEFAULT_SUBTOPICS = _DEFAULT_PATH / "iptc_subtopics.json"


@dataclass(frozen=True, slots=True)
class TaxonomyTopic:
    code: str
    label: str
    description: str
    # a subtopic's top-level topic; None for a top-level topic
    parent: str | None = None


def taxonomy(settings: Settings) -> tuple[TaxonomyTopic, ...]:
    """The configured top-level topics, then their subtopics; re-read when a file changes."""
    top = _file(settings.taxonomy_path or DEFAULT_TAXONOMY, subtopics=False)
    sub_path = settings.subtopic_taxonomy_path
    if sub_path is None and settings.taxonomy_path is None:
        sub_path = DEFAULT_SUBTOPICS
    codes = {t.code for t in top}
    subs = _file(sub_path, subtopics=True) if sub_path else ()
    return top + tuple(t for t in subs if t.parent in codes)


def _file(path: Path, *, subtopics: bool) -> tuple[TaxonomyTopic, ...]:
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        return ()
    return _read(path, modified, subtopics)


@lru_cache(maxsize=8)
def _read(path: Path, _modified: int, subtopics: bool) -> tuple[TaxonomyTopic, ...]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: a taxonomy is a JSON list of topics")
    topics = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise ValueError(f"{path}: every topic needs a string code")
        code = item["code"]
        parent = item.get("parent") if subtopics else None
        topics.append(
            TaxonomyTopic(
                code=code,
                label=str(item.get("label") or code),
                description=str(item.get("description") or ""),
                parent=str(parent) if parent else None,
            )
        )
    return tuple(topics)
