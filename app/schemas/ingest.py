"""What a client sends to ingest articles, and what it gets back."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.models.article import ArticleStatus, Genre
from app.schemas.text import STORABLE, STORABLE_NOT_BLANK

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_or_instant(value: Any) -> Any:
    # Left alone, pydantic reads "2021-03-22" as a datetime at midnight: keep a date a date,
    # so the stored article says its time of day is unknown.
    if isinstance(value, str) and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    return value


# Stripped names; the article text itself is never altered, so offsets stay valid. The
# constraints come before the check: after it they would count the length before stripping,
# and a name of one U+0085 would pass as "" (then fail where the article is read: a 500).
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), STORABLE
]

_EXAMPLE: dict[str, JsonValue] = {
    "title": "Russia and China stand together after Anchorage",
    "text": "The talks in Anchorage showed that Washington is not ready to treat Beijing "
    "as an equal. Moscow and Beijing drew their own conclusions.",
    "outlet": "China Daily",
    "authors": ["Dmitri Trenin"],
    "published": "2021-03-22",
    "url": "https://www.chinadaily.com.cn/a/202103/22/WS6057d1a9a31024ad0bab0a8b.html",
    "language": "en",
    "genre": "opinion",
}


# "Give `text` or `html`, not both" (checked in _text_or_html), as JSON Schema says it: a null
# one counts as not given.
TEXT_OR_HTML: list[JsonValue] = [
    {"required": [name], "properties": {name: {"type": "string"}}} for name in ("text", "html")
]

_PASTED_EXAMPLE: dict[str, JsonValue] = {
    "text": "China Daily\n\nChina, Russia have to forge closer ties\n\n- Dmitri Trenin The author "
    "is director of the Carnegie Moscow Center. The views don't necessarily reflect those of "
    "China Daily.\n\nRussian Foreign Minister Sergei Lavrov's visit to Beijing on Monday and "
    "Tuesday followed the just concluded high-level talks between senior Chinese and US "
    "officials in Anchorage, Alaska.\n\nNewspapers in English"
}
_HTML_EXAMPLE: dict[str, JsonValue] = {
    "html": "<html><head><title>Senate passes border bill | The Example Times</title>"
    '<meta name="author" content="Jane Doe"></head><body><article><h1>Senate passes border '
    "bill</h1><p>The Senate on Tuesday passed a bill that would tighten border security, "
    "after weeks of talks between the two parties.</p></article></body></html>",
    "url": "https://example.com/2021/03/22/senate-border-bill",
}


class AuthorIn(BaseModel):
    """An author with an affiliation ("Carnegie Moscow Center"); a plain name works too."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    affiliation: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), STORABLE
        ]
        | None
    ) = None


class ArticleIn(BaseModel):
    """One article to analyse: `text` (as published, or pasted) or `html` (a page as saved).

    Every other field is optional, and null means not given. Fields not given are filled from
    the page's metadata (html) or the pasted text's layout (outlet line, headline, byline,
    author note) where they can be: the article's `sources` then says `extracted`. Unknown
    fields are rejected.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [_EXAMPLE, _PASTED_EXAMPLE, _HTML_EXAMPLE],
            "oneOf": TEXT_OR_HTML,
        },
    )

    html: Annotated[str, STORABLE_NOT_BLANK] | None = Field(
        default=None,
        description="A web page as saved, in place of `text`: its main text is extracted and "
        "stored as the text, with its title, authors, date, site name and canonical url; the "
        "page is kept (compressed). At most `LENS_MAX_HTML_BYTES` bytes (default 5 MiB).",
    )
    text: Annotated[str, STORABLE_NOT_BLANK] | None = Field(
        default=None,
        description="The article body as published, or as pasted with its outlet line, "
        "headline, byline and reader chrome (recognised and kept out of the analysis). "
        "Annotation offsets point into it unchanged. At most `LENS_MAX_TEXT_CHARS` characters "
        "(default 500,000). Give `text` or `html`, not both.",
        validate_default=True,
    )
    title: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), STORABLE
        ]
        | None
    ) = None
    outlet: Name | None = Field(
        default=None, description="The publication; matched case-insensitively."
    )
    authors: list[Name | AuthorIn] | None = Field(
        default=None,
        max_length=50,
        description='Names, or `{"name", "affiliation"}` objects.',
    )
    published: Annotated[datetime | date | None, BeforeValidator(_day_or_instant)] = Field(
        default=None,
        description="A date (`2021-03-22`) or a datetime; a datetime without offset is UTC.",
    )
    url: (
        # the constraints before the check, so that the pattern is documented (JSON Schema
        # has one pattern: this one excludes NUL too)
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, max_length=2048, pattern=r"^https?://[^\s\x00]+$"
            ),
            STORABLE,
        ]
        | None
    ) = Field(
        default=None,
        description="The canonical URL; an article is stored once per URL, and a different "
        "text for a stored URL is a revision of it.",
    )
    language: (
        Annotated[
            str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
        ]
        | None
    ) = Field(default=None, description="BCP 47 tag, e.g. `en`; detected when not given.")
    genre: Genre | None = Field(
        default=None, description="`opinion` or `news`; detected when not given (or `unknown`)."
    )

    @field_validator("text", mode="after")
    @classmethod
    def _text_or_html(cls, text: str | None, info: ValidationInfo) -> str | None:
        # on `text`, so the error names it; `html` comes first in the model for this
        html = info.data.get("html")
        if (text is None) == (html is None) and "html" in info.data:
            raise PydanticCustomError(
                "missing" if text is None else "text_or_html",
                "Field required (or give `html`)"
                if text is None
                else "give the article as `text` or as `html`, not both",
            )
        return text

    @property
    def bylines(self) -> list[AuthorIn]:
        """The given authors as name and affiliation, in order."""
        return [a if isinstance(a, AuthorIn) else AuthorIn(name=a) for a in self.authors or []]


class BatchIn(BaseModel):
    """Up to `LENS_MAX_BATCH_SIZE` articles (default 1,000)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"articles": [_EXAMPLE]}]}
    )

    articles: list[ArticleIn] = Field(min_length=1)


class Accepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 42, "status": "pending", "revision": 1, "revised": False},
                {"id": 42, "status": "skipped", "revision": 1, "revised": False},
            ]
        }
    )

    id: int
    status: ArticleStatus = Field(
        description="`pending` until analysed; `skipped` when stored but not analysed (a "
        "language the models do not read: GET the article for its `skip_reason`)."
    )
    revision: int = Field(default=1, description="The text's revision (1 for the first).")
    revised: bool = Field(
        default=False,
        description="True when this url was stored with a different text: the new text "
        "replaced it and is queued for analysis; the earlier text and its annotations are in "
        "the article's history (`GET /v1/articles/{id}?include=history`).",
    )


class BatchItem(BaseModel):
    index: int = Field(description="Position of the article in the request.")
    id: int
    status: ArticleStatus
    created: bool = Field(
        description="False when the article was already stored (same url or "
        "same outlet, title and text): `id` is then the existing article."
    )
    revision: int = 1
    revised: bool = Field(
        default=False, description="True when a different text for a stored url replaced it."
    )


class BatchResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"index": 0, "id": 42, "status": "pending", "created": True},
                        {"index": 1, "id": 7, "status": "done", "created": False},
                    ]
                }
            ]
        }
    )

    items: list[BatchItem]
