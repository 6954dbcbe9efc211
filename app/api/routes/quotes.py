"""Quotations: who said what about whom, a page at a time or all at once as CSV/NDJSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from app.api.deps import SessionDep, SessionFactoryDep, SettingsDep
from app.schemas.page import Page
from app.schemas.problem import problem_responses
from app.schemas.quotes import QuoteItem
from app.schemas.text import NameFilter, SearchTerm, Storable
from app.services import quotes
from app.services.quotes import QuoteFilters

router = APIRouter(prefix="/quotes", tags=["quotes"])

Stance = Literal["negative", "neutral", "positive"]
_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}

_LIST_DESCRIPTION = """
Quotations found in the analysed articles (direct quotations and reported speech), each with its
speaker, the actors its words name and the speaker's stance toward each, the most recently
analysed first. Every filter must match: `speaker` and `about` take an actor's name, alias, key
or id (repeat for any of several); `stance` is the speaker's stance toward an `about` actor (or
toward any actor named, without `about`); `q` is words inside the quotation, any case.

Example: what did Lavrov say about the United States, negatively, in 2021?
`GET /v1/quotes?speaker=Lavrov&about=United%20States&stance=negative&from=2021-01-01`
"""


def quote_filters(
    session: SessionDep,
    speaker: Annotated[
        list[NameFilter],
        Query(description="The speaker: an actor's name, alias, key or id; repeat for any."),
    ] = [],  # noqa: B006  (FastAPI copies defaults per request)
    about: Annotated[
        list[NameFilter],
        Query(description="An actor the quoted words name; repeat for any of several."),
    ] = [],  # noqa: B006
    stance: Annotated[
        Stance | None, Query(description="The speaker's stance toward the `about` actor.")
    ] = None,
    outlet: Annotated[
        list[NameFilter], Query(description="Outlet name or id; repeat for several.")
    ] = [],  # noqa: B006
    start: Annotated[
        date | None,
        Query(alias="from", description="Published on or after.", examples=["2021-01-01"]),
    ] = None,
    end: Annotated[
        date | None,
        Query(alias="to", description="Published on or before.", examples=["2021-12-31"]),
    ] = None,
    q: Annotated[
        SearchTerm | None,
        Query(description="Words inside the quotation, any case.", examples=["sanctions"]),
    ] = None,
) -> QuoteFilters:
    return quotes.filters(
        session,
        speaker=speaker,
        about=about,
        stance=stance,
        outlet=outlet,
        start=start,
        end=end,
        q=q,
    )


QuoteFiltersDep = Annotated[QuoteFilters, Depends(quote_filters)]


@router.get(
    "",
    response_model=Page[QuoteItem],
    description=_LIST_DESCRIPTION,
    responses=problem_responses(400, 422, 503),
)
def list_quotes(
    session: SessionDep,
    settings: SettingsDep,
    chosen: QuoteFiltersDep,
    limit: Annotated[int | None, Query(description="Page size.")] = None,
    cursor: Annotated[
        Storable | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> Page[QuoteItem]:
    """Quotations with their speakers and the speaker's stance toward each actor named."""
    return quotes.list_quotes(session, settings, chosen, limit=limit, cursor=cursor)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The matching quotations, streamed.",
            "content": {
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": '{"id": 5120, "article_id": 1042, "speaker_name": "Sergei Lavrov",'
                    ' "text": "Washington is trying to contain us ...", ...}\n',
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(quotes.CSV_COLUMNS) + "\n",
                },
            },
        },
        **problem_responses(422, 503),
    },
)
def export_quotes(
    factory: SessionFactoryDep,
    chosen: QuoteFiltersDep,
    format: Annotated[Literal["ndjson", "csv"], Query(description="`ndjson` or `csv`.")] = "ndjson",
) -> StreamingResponse:
    """Stream every quotation that matches the filters, as NDJSON or CSV."""
    return StreamingResponse(
        quotes.export_quotes(factory, chosen, format),
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="quotes.{format}"'},
    )
