"""The article filters as query parameters (search, export, feed), and as a subscription's JSON."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Annotated, Any, Literal, get_type_hints

from fastapi import Query
from pydantic import BaseModel, ConfigDict, StringConstraints, create_model

from app.analysis.types import SentimentLabel
from app.models.article import ArticleStatus, Genre, Sort
from app.schemas.text import STORABLE, NameFilter, SearchTerm
from app.services.search import ArticleQuery

FullTextQuery = Annotated[str, StringConstraints(min_length=1, max_length=500), STORABLE]

_SORT = """Order of the results:
`-published` newest first (the default without `q`), `published` oldest first (undated articles
come last in both), `relevance` best full-text match first (the default with `q`; needs `q`),
`sentiment` most negative document first, `-sentiment` most positive first (these two leave out
articles not analysed yet)."""


def article_query(
    actor: Annotated[
        list[NameFilter],
        Query(
            description="An actor's name, alias, key or id, any case (`Russia`, `RUS`, "
            "`country:RUS`). Repeat for several (at most `LENS_MAX_QUERY_ACTORS`, default 10); "
            "see `actor_mode`. An unknown one is a 422.",
            examples=[["Russia"]],
        ),
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
    actor_mode: Annotated[
        Literal["all", "any"],
        Query(description="With several `actor`s: `all` must be mentioned, or `any` of them."),
    ] = "all",
    actor_sentiment: Annotated[
        SentimentLabel | None,
        Query(
            description="The author's sentiment toward the filtered actor (toward each of them "
            "with `actor_mode=all`, toward one with `any`). Needs `actor`.",
            examples=["negative"],
        ),
    ] = None,
    include_parts: Annotated[
        bool,
        Query(
            description="Let each `actor` also match the actors that are part of it: "
            "`actor=United States&include_parts=true` finds the articles about the White House, "
            "the Pentagon, Congress (and the Senate, part of Congress) too. Each actor's "
            "`part_of` (GET /v1/actors/{id}) says what it belongs to.",
            examples=[True],
        ),
    ] = False,
    outlet: Annotated[
        list[NameFilter],
        Query(
            description="Outlet name (any case) or id; repeat to accept any of several. "
            "An unknown one is a 422.",
            examples=[["China Daily"]],
        ),
    ] = [],  # noqa: B006
    author: Annotated[
        list[NameFilter],
        Query(
            description="Author name (any case) or id; repeat to accept any of several.",
            examples=[["Dmitri Trenin"]],
        ),
    ] = [],  # noqa: B006
    published_from: Annotated[
        date | None,
        Query(
            alias="from",
            description="Published on or after this date (UTC).",
            examples=["2021-03-01"],
        ),
    ] = None,
    published_to: Annotated[
        date | None,
        Query(
            alias="to",
            description="Published on or before this date (inclusive).",
            examples=["2021-03-31"],
        ),
    ] = None,
    topic: Annotated[
        list[NameFilter],
        Query(
            description="Topic code or label, any case (`medtop:11000000`, `politics`); repeat "
            "to accept any of several. See GET /v1/topics.",
            examples=[["politics"]],
        ),
    ] = [],  # noqa: B006
    sentiment: Annotated[
        SentimentLabel | None, Query(description="The document's sentiment label.")
    ] = None,
    min_sentiment: Annotated[
        float | None,
        Query(
            ge=-1, le=1, description="Lowest document sentiment score, in [-1, 1].", examples=[-1]
        ),
    ] = None,
    max_sentiment: Annotated[
        float | None,
        Query(
            ge=-1,
            le=1,
            description="Highest document sentiment score, in [-1, 1].",
            examples=[-0.2],
        ),
    ] = None,
    genre: Annotated[
        list[Genre],
        Query(
            description="Given, extracted or detected (`genre_source` tells which). "
            "Repeat for several."
        ),
    ] = [],  # noqa: B006
    genre_source: Annotated[
        list[Literal["given", "extracted", "detected"]],
        Query(
            description="Where the genre came from: `given` in the request, `extracted` from "
            "the page, url or a section label, `detected` by the genre model. Repeat for several."
        ),
    ] = [],  # noqa: B006
    language: Annotated[
        list[SearchTerm], Query(description="Language code, e.g. `en`; repeat for several.")
    ] = [],  # noqa: B006
    article_status: Annotated[
        list[ArticleStatus], Query(alias="status", description="Repeat for several.")
    ] = [],  # noqa: B006
    q: Annotated[
        FullTextQuery | None,
        Query(
            description='Full-text search over title and text: words (all must match), "exact '
            'phrases", `OR`, and `-word` to exclude. Stemmed English; title matches rank higher.',
            examples=["Anchorage talks"],
        ),
    ] = None,
    sort: Annotated[Sort | None, Query(description=_SORT)] = None,
) -> ArticleQuery:
    return ArticleQuery(
        actors=actor,
        actor_mode=actor_mode,
        actor_sentiment=actor_sentiment,
        include_parts=include_parts,
        outlets=outlet,
        authors=author,
        published_from=published_from,
        published_to=published_to,
        topics=topic,
        sentiment=sentiment,
        min_sentiment=min_sentiment,
        max_sentiment=max_sentiment,
        genres=genre,
        genre_sources=genre_source,
        languages=language,
        statuses=article_status,
        q=q,
        sort=sort,
    )


# The filters a subscription saves: those of article_query by the same names (`from`, `to`,
# ...), as a JSON object. Generated from article_query's signature, so the two cannot drift;
# `status` and `sort` are left out (a subscription is told of analysed articles, as they come).
_NOT_SAVED = frozenset({"article_status", "sort"})


def _filters_model() -> type[BaseModel]:
    hints = get_type_hints(article_query, include_extras=True)
    fields: dict[str, Any] = {
        name: (hints[name], parameter.default)
        for name, parameter in inspect.signature(article_query).parameters.items()
        if name not in _NOT_SAVED
    }
    model: type[BaseModel] = create_model(
        "SearchFilters",
        __config__=ConfigDict(
            extra="forbid",
            json_schema_extra={
                "description": "The filters of GET /v1/articles, by the same names; each one "
                "given must match.",
                "examples": [
                    {"actor": ["India"], "actor_sentiment": "negative", "outlet": ["China Daily"]}
                ],
            },
        ),
        **fields,
    )
    return model


SearchFilters = _filters_model()


def saved_filters(filters: BaseModel) -> tuple[dict[str, Any], ArticleQuery]:
    """A validated SearchFilters as stored and shown (only what was given, by the query names)
    and as the search service reads it."""
    shown = filters.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return shown, article_query(**dict(filters))
