"""A saved web page in, the article's text and metadata out (trafilatura with htmldate).

trafilatura finds the main text and most metadata; three choices are made here on top of it,
measured on the pages of ``../shared/data/html`` (docs/quality.md):

- the title is the page's ``<title>`` without the site's name ("... | CNN Politics"), as a
  browser tab shows it; trafilatura prefers ``og:title``, which is often a second, SEO headline;
- the authors are the JSON-LD article's people and the ``author`` meta tags read as bylines
  (so "Dana A. Ford, ..., and Tom Watkins, CNN" keeps its initials and drops the outlet), else
  trafilatura's; the site, the publisher and the copyright owner are never authors;
- the date is htmldate's original publication day, with the time of day from the page's
  ``article:published_time`` or JSON-LD ``datePublished`` when they name the same day.

trafilatura is imported on first use, not at import time (it takes about half a second).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import version
from typing import Any

from app.analysis.layout import byline_names

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·)\s+")
_OPINION_SECTION = re.compile(
    r"\b(?:opinions?|commentary|op-?eds?|editorials?|columns?|columnists?)\b", re.IGNORECASE
)
_OPINION_PATH = re.compile(
    r"/(?:opinions?|commentary|op-?eds?|editorials?|columns?|columnists?)(?:/|-|_|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    text: str
    title: str | None
    authors: tuple[str, ...]
    published: datetime | date | None
    outlet: str | None
    url: str | None
    opinion: bool
    extractor: str


def extractor_version() -> str:
    return f"trafilatura@{version('trafilatura')}+htmldate@{version('htmldate')}"


def extract(html: str, url: str | None = None) -> ExtractedPage:
    """The main text and metadata of a page; the text is empty when none was found."""
    import trafilatura
    from trafilatura.utils import load_html

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, favor_precision=True, include_comments=False
    )
    tree = load_html(html)
    found: dict[str, Any] = {}
    if document is not None:
        found = document if isinstance(document, dict) else document.as_dict()
    outlet = _clean(found.get("sitename"))
    ld = _json_ld(tree) if tree is not None else []
    page_url = _clean(found.get("url")) or url
    sections = " ".join(str(item.get("articleSection", "")) for item in ld)
    sections += " " + " ".join(_meta(tree, "article:section"))
    opinion = bool(
        any("Opinion" in str(item.get("@type", "")) for item in ld)
        or _OPINION_SECTION.search(sections)
        or (page_url and _OPINION_PATH.search(page_url))
    )
    title = _title(tree, outlet) or _clean(found.get("title"))
    return ExtractedPage(
        text=_without_headline((found.get("text") or "").strip(), title, found.get("title")),
        title=title,
        authors=_authors(tree, ld, found.get("author"), outlet),
        published=_published(found.get("date"), tree, ld),
        outlet=outlet,
        url=page_url,
        opinion=opinion,
        extractor=extractor_version(),
    )


def _without_headline(text: str, *titles: Any) -> str:
    """The text without a first line that repeats the title (the page's headline)."""
    first, _, rest = text.partition("\n")
    if rest and any(t and _clean(first) == _clean(t) for t in titles):
        return rest.strip()
    return text


def _clean(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _meta(tree: Any, name: str) -> list[str]:
    if tree is None:
        return []
    values = tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content')
    return [v for v in (_clean(v) for v in values) if v]


def _title(tree: Any, outlet: str | None) -> str | None:
    if tree is None:
        return None
    title = _clean(tree.findtext(".//title"))
    if not title:
        return None
    parts = _SEPARATORS.split(title)
    if len(parts) > 1:
        last = parts[-1].lower()
        site = (outlet or "").lower()
        if (site and (site in last or last in site)) or len(last.split()) <= 3:
            parts = parts[:-1]
    return " - ".join(parts).strip() or None


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    """The JSON-LD objects of article types on the page."""
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                items.append(item)
    return items


def _authors(
    tree: Any, ld: list[dict[str, Any]], fallback: Any, outlet: str | None
) -> tuple[str, ...]:
    names: list[str] = []
    for item in ld:
        people = item.get("author")
        for person in people if isinstance(people, list) else [people]:
            if isinstance(person, dict) and person.get("@type", "Person") == "Person":
                name = _clean(person.get("name"))
                if name:
                    names.append(name)
    # The tags can disagree (CNN lists three people in JSON-LD, a fourth in the meta tag):
    # every person the page declares is kept.
    for meta in _meta(tree, "author") + _meta(tree, "article:author"):
        if not meta.startswith("http"):
            names += [b.name for b in byline_names(meta)]
    if not names and fallback:
        names = [n.strip() for n in str(fallback).split(";") if n.strip()]
    publishers = {(outlet or "").lower()}
    for item in ld:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and publisher.get("name"):
            publishers.add(str(publisher["name"]).lower())
    # the owner the copyright notice names ("Copyright (c) Condé Nast") is not an author either
    notice = " ".join(_meta(tree, "copyright")).lower()
    kept = [n for n in names if n.lower() not in publishers and n.lower() not in notice]
    return tuple(dict.fromkeys(kept))


def _published(day: Any, tree: Any, ld: list[dict[str, Any]]) -> datetime | date | None:
    try:
        found = date.fromisoformat(str(day)[:10]) if day else None
    except ValueError:
        found = None
    stamps = _meta(tree, "article:published_time") + [
        str(item["datePublished"]) for item in ld if item.get("datePublished")
    ]
    for stamp in stamps:
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            continue
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if found is None or moment.date() == found or moment.astimezone(UTC).date() == found:
            return moment
    return found
