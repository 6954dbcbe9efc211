"""The topic taxonomy the API lists and resolves topic filters against (codes and labels).

A JSON list of ``{"code", "label", "description"}``: the bundled IPTC Media Topics, or the file
``LENS_TAXONOMY_PATH`` names. Read here without the analysis models, so the API never imports
them; a missing file is an empty taxonomy (the topics in the database are still listed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.config import Settings

_DEFAULT_PATH = Path(__file__).resolve().parent.parent / "analysis" / "data"
DEFAULT_TAXONOMY = _DEFAULT_PATH / "iptc_media_topics.json"


@dataclass(frozen=True, slots=True)
class TaxonomyTopic:
    code: str
    label: str
    description: str


def taxonomy(settings: Settings) -> tuple[TaxonomyTopic, ...]:
    """The configured taxonomy; re-read when the file changes."""
    path = settings.taxonomy_path or DEFAULT_TAXONOMY
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        return ()
    return _read(path, modified)


@lru_cache(maxsize=4)
def _read(path: Path, _modified: int) -> tuple[TaxonomyTopic, ...]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: a taxonomy is a JSON list of topics")
    topics = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise ValueError(f"{path}: every topic needs a string code")
        code = item["code"]
        topics.append(
            TaxonomyTopic(
                code=code,
                label=str(item.get("label") or code),
                description=str(item.get("description") or ""),
            )
        )
    return tuple(topics)
