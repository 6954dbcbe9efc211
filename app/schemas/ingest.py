"""What a client sends to ingest articles, and what it gets back."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
)

from app.models.article import ArticleStatus, Genre

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _storable(value: str) -> str:
    # Lone surrogates ("\ud800" is valid JSON) cannot be encoded, and PostgreSQL rejects NUL.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid Unicode") from None
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain non-whitespace text")
    return value


def _day_or_instant(value: Any) -> Any:
    # Left alone, pydantic reads "2021-03-22" as a datetime at midnight: keep a date a date,
    # so the stored article says its time of day is unknown.
    if isinstance(value, str) and _DAY.fullmatch(value):
        return date.fromisoformat(value)
    return value


Storable = Annotated[str, AfterValidator(_storable)]
# Stripped names; the article text itself is never altered, so offsets stay valid.
Name = Annotated[Storable, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

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


class ArticleIn(BaseModel):
    """One article to analyse. Only `text` is required; unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    text: Annotated[Storable, AfterValidator(_not_blank)] = Field(
        description="The article body as published. Annotation offsets point into it unchanged. "
        "At most `LENS_MAX_TEXT_CHARS` characters (default 500,000)."
    )
    title: (
        Annotated[Storable, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
        | None
    ) = None
    outlet: Name | None = Field(
        default=None, description="The publication; matched case-insensitively."
    )
    authors: list[Name] = Field(default_factory=list, max_length=50)
    published: Annotated[datetime | date | None, BeforeValidator(_day_or_instant)] = Field(
        default=None,
        description="A date (`2021-03-22`) or a datetime; a datetime without offset is UTC.",
    )
    url: (
        Annotated[
            Storable,
            StringConstraints(strip_whitespace=True, max_length=2048, pattern=r"^https?://\S+$"),
        ]
        | None
    ) = Field(default=None, description="The canonical URL; an article is stored once per URL.")
    language: (
        Annotated[
            str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
        ]
        | None
    ) = Field(default=None, description="BCP 47 tag, e.g. `en`.")
    genre: Genre = Genre.unknown


class BatchIn(BaseModel):
    """Up to `LENS_MAX_BATCH_SIZE` articles (default 1,000)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"articles": [_EXAMPLE]}]}
    )

    articles: list[ArticleIn] = Field(min_length=1)


class Accepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 42, "status": "pending"}]})

    id: int
    status: ArticleStatus


class BatchItem(BaseModel):
    index: int = Field(description="Position of the article in the request.")
    id: int
    status: ArticleStatus
    created: bool = Field(
        description="False when the article was already stored (same url or "
        "same outlet, title and text): `id` is then the existing article."
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
