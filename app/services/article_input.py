"""What an article request becomes before it is stored: text, metadata and their sources.

A request gives `text` (clean, or pasted with its layout) or `html` (a saved page). Fields the
request gives always win; the others are filled from the page's metadata (html), then from the
text's layout (app/analysis/layout.py), and recorded as `extracted`. The language is detected
when not given, and an article in a language the analysis does not read is stored `skipped`.
Everything here is cheap text work (no model is loaded): the API still answers 202 at once.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from app.analysis import language as languages
from app.analysis.layout import Layout, body_sentences, read_layout
from app.core.config import Settings
from app.models.article import ArticleStatus, FieldSource, Genre
from app.schemas.ingest import ArticleIn
from app.services import html_extract

_OPINION_URL = re.compile(
    r"/(?:opinions?|commentary|op-?eds?|editorials?|columns?|columnists?)(?:/|-|_|$)",
    re.IGNORECASE,
)
T = TypeVar("T")
# Fewer words than this, and what the extractor found is a menu or a label, not an article.
_MIN_PAGE_WORDS = 5
_MAX_TITLE, _MAX_NAME, _MAX_AFFILIATION, _MAX_URL = 1000, 200, 300, 2048


class InputError(ValueError):
    """A field of one article cannot be used; ``field`` names it, ``kind`` is the error type."""

    def __init__(self, field: str, message: str, kind: str) -> None:
        super().__init__(message)
        self.field = field
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Page:
    """The page the text came from, compressed for storage."""

    media_type: str
    content: bytes
    size: int
    sha256: str
    extractor: str

    def row(self) -> dict[str, object]:
        """The article_sources columns, less the article id."""
        return {
            "media_type": self.media_type,
            "content": self.content,
            "size": self.size,
            "sha256": self.sha256,
            "extractor": self.extractor,
        }


@dataclass(slots=True)
class _Found:
    """What the page and the text's layout say, before the request's fields win."""

    title: str | None = None
    outlet: str | None = None
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    published: datetime | date | None = None
    url: str | None = None
    opinion: bool = False


@dataclass(slots=True)
class Prepared:
    text: str
    title: str | None = None
    outlet: str | None = None
    # (name, affiliation) in byline order
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    published: datetime | date | None = None
    url: str | None = None
    language: str | None = None
    genre: Genre = Genre.unknown
    genre_source: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    status: ArticleStatus = ArticleStatus.pending
    skip_reason: str | None = None
    page: Page | None = None


def prepare(article: ArticleIn, settings: Settings) -> Prepared:
    """The article as it will be stored; InputError if its text or page cannot be used."""
    page: Page | None = None
    found = _Found()
    if article.html is not None:
        raw = article.html.encode("utf-8")
        if len(raw) > settings.max_html_bytes:
            raise InputError(
                "html",
                f"html has {len(raw)} bytes; at most {settings.max_html_bytes} are allowed",
                "string_too_long",
            )
        extracted = html_extract.extract(article.html, article.url)
        if len(extracted.text.split()) < _MIN_PAGE_WORDS:
            raise InputError("html", "no article text was found in the page", "value_error")
        text = extracted.text
        found = _Found(
            title=extracted.title,
            outlet=extracted.outlet,
            authors=[(name, None) for name in extracted.authors],
            published=extracted.published,
            url=extracted.url,
            opinion=extracted.opinion,
        )
        page = Page(
            media_type="text/html; charset=utf-8",
            content=gzip.compress(raw, mtime=0),
            size=len(raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            extractor=extracted.extractor,
        )
    else:
        assert article.text is not None  # the schema requires one of them
        text = article.text
    if len(text) > settings.max_text_chars:
        where = "html" if article.html is not None else "text"
        raise InputError(
            where,
            f"{'the extracted ' if page else ''}text has {len(text)} characters; "
            f"at most {settings.max_text_chars} are allowed",
            "string_too_long",
        )
    layout = read_layout(text)
    found.title = found.title or (layout.title[:_MAX_TITLE] if layout.title else None)
    found.outlet = found.outlet or layout.outlet
    found.authors = found.authors or [
        (a.name[:_MAX_NAME], a.affiliation[:_MAX_AFFILIATION] if a.affiliation else None)
        for a in layout.authors
    ]
    found.opinion = found.opinion or bool({"section", "title"} & set(layout.opinion_marks))
    prepared = Prepared(text=text, page=page)
    _resolve(prepared, article, found)
    _language(prepared, article, text, layout, settings)
    return prepared


def _resolve(prepared: Prepared, article: ArticleIn, found: _Found) -> None:
    """Each field from the request if given, else as found; record which."""
    given, extracted = FieldSource.given.value, FieldSource.extracted.value
    sources = prepared.sources
    prepared.title = _pick(sources, "title", article.title, found.title)
    outlet = found.outlet[:_MAX_NAME] if found.outlet else None
    prepared.outlet = _pick(sources, "outlet", article.outlet, outlet)
    bylines = [(a.name, a.affiliation) for a in article.bylines] or None
    prepared.authors = _pick(sources, "authors", bylines, found.authors or None) or []
    prepared.published = _pick(sources, "published", article.published, found.published)
    url = found.url if found.url and len(found.url) <= _MAX_URL else None
    prepared.url = _pick(sources, "url", article.url, url)
    if article.genre not in (None, Genre.unknown):
        prepared.genre, prepared.genre_source = Genre(article.genre), given
    elif found.opinion or (prepared.url is not None and _OPINION_URL.search(prepared.url)):
        prepared.genre, prepared.genre_source = Genre.opinion, extracted


def _pick(sources: dict[str, str], name: str, given: T | None, found: T | None) -> T | None:
    """The request's value if it gave one, else the one found; ``sources[name]`` says which."""
    if given is not None:
        sources[name] = FieldSource.given.value
        return given
    if found is not None:
        sources[name] = FieldSource.extracted.value
    return found


def _language(
    prepared: Prepared, article: ArticleIn, text: str, layout: Layout, settings: Settings
) -> None:
    if article.language is not None:
        prepared.language, prepared.sources["language"] = article.language, FieldSource.given
    else:
        body = " ".join(s.text for s in body_sentences(text, layout))
        guess = languages.detect(body or text)
        if guess is not None:
            prepared.language = guess[0]
            prepared.sources["language"] = FieldSource.detected.value
    primary = (prepared.language or "").lower().split("-")[0]
    if primary and primary not in settings.languages:
        prepared.status = ArticleStatus.skipped
        listed = ", ".join(sorted(settings.languages))
        prepared.skip_reason = (
            f"language '{prepared.language}' is not analysed: the models read {listed} "
            "(LENS_ANALYSIS_LANGUAGES)"
        )
