"""From an input row to an `ArticleIn`: field mapping, then the tidying raw dumps need.

The article itself is validated by the same `ArticleIn` model the API uses; this module only
maps field names and turns loose values (a byline string, a date in some local format) into the
shapes that model takes. Nothing is invented: a date that cannot be read, or that lacks its day,
is kept as unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dateutil import parser as dateparser
from pydantic import ValidationError

from app.core.config import Settings
from app.schemas.ingest import ArticleIn
from app.services import ingest

TARGETS: tuple[str, ...] = tuple(ArticleIn.model_fields)
_MAX_NAME = 200
_MAX_AUTHORS = 50

# "A, B and C", "A; B", "A & B", "A with B": the separators bylines use
_BYLINE_SPLIT = re.compile(r"\s*(?:[,;|/]|\band\b|&|\bwith\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^by\s+", re.IGNORECASE)
_QUOTES = "\"'“”‘’"
# Two defaults that differ in every field: a field dateutil filled in differs between them.
_DEFAULTS = (datetime(2000, 1, 1, 0, 0), datetime(2001, 2, 2, 1, 1))


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Where each article field comes from: an input field (``sources``) or a constant."""

    sources: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    dayfirst: bool = False

    def source(self, target: str) -> str:
        return self.sources.get(target, target)


@dataclass(frozen=True, slots=True)
class Converted:
    """The article, or the reasons it is rejected; notes say what was tidied on the way."""

    article: ArticleIn | None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_pairs(specs: Iterable[str], *, option: str) -> dict[str, str]:
    """``["outlet=source,published=date"]`` -> {"outlet": "source", "published": "date"}."""
    pairs: dict[str, str] = {}
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            target, sep, value = part.partition("=")
            target = target.strip()
            if not sep or not target:
                raise ValueError(f"{option} {part!r}: expected FIELD=VALUE")
            pairs[_target(target, option)] = value.strip()
    return pairs


def read_map_file(path: Path) -> dict[str, str]:
    """A JSON object {"outlet": "source", ...}, or lines ``outlet=source`` (``#`` comments)."""
    content = path.read_text(encoding="utf-8")
    try:
        loaded = json.loads(content)
    except json.JSONDecodeError:
        lines = [line.split("#", 1)[0] for line in content.splitlines()]
        return parse_pairs(lines, option=str(path))
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise ValueError(f"{path}: expected a JSON object of field names")
    return {_target(str(k), str(path)): v for k, v in loaded.items()}


def convert(record: Mapping[str, Any], fields: FieldMap, settings: Settings) -> Converted:
    """Map, tidy and validate one input row."""
    notes: list[str] = []
    values: dict[str, Any] = {}
    for target in TARGETS:
        raw = (
            fields.constants[target]
            if target in fields.constants
            else _lookup(record, fields.source(target))
        )
        value = _tidy(target, raw, fields, notes)
        if value is not None:
            values[target] = value
    if "text" not in values and "html" not in values:
        # as pydantic words it; a row may give `html` instead (a page, extracted on load)
        return Converted(None, ["text: Field required"], notes)
    try:
        article = ArticleIn.model_validate(values)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors()]
        return Converted(None, errors, notes)
    if (too_long := ingest.text_length_error(article, settings)) is not None:
        return Converted(None, [too_long], notes)
    return Converted(article, notes=notes)


def split_byline(byline: str) -> list[str]:
    """ "Alan Fram, Lisa Mascaro and Zeke Miller" -> three names; quotes and "By" dropped."""
    names = []
    for part in _BYLINE_SPLIT.split(byline):
        name = _BY.sub("", part.strip().strip(_QUOTES).strip())
        if name:
            names.append(name)
    return names


def parse_published(text: str, *, dayfirst: bool = False) -> date | datetime | None:
    """A date (time unknown), a datetime, or None when the day itself is not given or unclear."""
    text = text.strip()
    for iso in (date.fromisoformat, datetime.fromisoformat):
        try:
            return iso(text)
        except ValueError:
            pass
    try:
        first, second = (dateparser.parse(text, default=d, dayfirst=dayfirst) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # "March 2021": the day would be made up
    if (first.hour, first.minute) != (second.hour, second.minute):
        return first.date()
    return first


def _target(name: str, option: str) -> str:
    if name not in TARGETS:
        raise ValueError(f"{option}: unknown article field {name!r}; use {', '.join(TARGETS)}")
    return name


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    # "meta.source": a field inside a nested object
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _tidy(target: str, value: Any, fields: FieldMap, notes: list[str]) -> Any:
    if isinstance(value, str) and target != "text":
        value = value.strip()
    if value is None or value == "":
        return None
    if target == "authors":
        return _authors(value, notes)
    if target == "published" and isinstance(value, str):
        published = parse_published(value, dayfirst=fields.dayfirst)
        if published is None:
            notes.append(f"published {value[:40]!r} is not a full date: kept as unknown")
        return published
    if target == "genre" and isinstance(value, str):
        return value.lower()
    return value


def _authors(value: Any, notes: list[str]) -> Any:
    if isinstance(value, str):
        names = split_byline(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        names = [n for v in value if (n := v.strip())]
    else:
        return value  # left for validation to reject
    kept = [n for n in names if len(n) <= _MAX_NAME]
    if len(kept) < len(names):
        notes.append(f"author names longer than {_MAX_NAME} characters dropped")
    if len(kept) > _MAX_AUTHORS:
        notes.append(f"{len(kept)} authors: only the first {_MAX_AUTHORS} kept")
    return kept[:_MAX_AUTHORS]
