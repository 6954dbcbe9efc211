"""Quotations and the relations between actors: the list (with its export) and an actor's
relations, each filter resolved to ids the way the article search resolves its own."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.errors import NotFoundError, invalid_query
from app.models import Quotation
from app.repositories import actors
from app.repositories import quotations as quotation_rows
from app.repositories.quotations import QuoteFilters
from app.schemas.page import Page
from app.schemas.quotes import (
    ActorRelations,
    QuotationView,
    QuoteActor,
    QuoteItem,
    RelationItem,
    StanceCounts,
)
from app.services import cursor as cursors
from app.services import resolve
from app.services.articles import page_size

__all__ = ["QuoteFilters", "actor_relations", "export_quotes", "filters", "list_quotes"]

_LIST = "quotes"
_EXPORT_CHUNK = 500
LATEST_PER_RELATION = 3
CSV_COLUMNS = (
    "id", "article_id", "title", "outlet", "published", "start", "end", "kind", "cue", "how",
    "speaker_id", "speaker", "targets", "text",
)  # fmt: skip


def filters(
    session: Session,
    *,
    speaker: Sequence[str] = (),
    about: Sequence[str] = (),
    stance: str | None = None,
    outlet: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    q: str | None = None,
) -> QuoteFilters:
    """The list's filters with names resolved to ids (a 422 names an unknown one)."""
    if start is not None and end is not None and start > end:
        raise invalid_query("from", "must not be after `to`")
    speakers = resolve.actor_groups(session, speaker)
    targets = resolve.actor_groups(session, about)
    return QuoteFilters(
        speakers=frozenset().union(*speakers) if speaker else None,
        about=frozenset().union(*targets) if about else None,
        stance=stance,
        outlets=resolve.outlet_ids(session, outlet),
        lower=_midnight(start),
        upper=_midnight(end + timedelta(days=1)) if end is not None and end < date.max else None,
        words=q.strip() if q and q.strip() else None,
    )


def list_quotes(
    session: Session,
    settings: Settings,
    chosen: QuoteFilters,
    *,
    limit: int | None,
    cursor: str | None,
) -> Page[QuoteItem]:
    """A page of quotations, the most recently analysed first."""
    size = page_size(settings, limit)
    before = None
    if cursor is not None:
        (last,) = cursors.decode(_LIST, cursor, 1)
        before = cursors.decode_int(last)
    rows = quotation_rows.search(session, chosen, before, size + 1)
    items = [_item(*row) for row in rows[:size]]
    more = len(rows) > size
    return Page[QuoteItem](
        items=items, next_cursor=cursors.encode(_LIST, [items[-1].id]) if more else None
    )


def export_quotes(
    factory: sessionmaker[Session], chosen: QuoteFilters, fmt: Literal["ndjson", "csv"]
) -> Iterator[str]:
    """Every matching quotation as NDJSON lines or CSV rows, read in keyset chunks."""
    with factory() as session:
        if fmt == "csv":
            yield _csv_line(CSV_COLUMNS)
        before: int | None = None
        while True:
            rows = quotation_rows.search(session, chosen, before, _EXPORT_CHUNK)
            items = [_item(*row) for row in rows]
            if fmt == "csv":
                yield "".join(_csv_line(_csv_row(item)) for item in items)
            else:
                yield "".join(item.model_dump_json() + "\n" for item in items)
            if len(rows) < _EXPORT_CHUNK:
                return
            before = items[-1].id
            # a slow client must not pin a snapshot for the whole export
            session.rollback()


def actor_relations(
    session: Session,
    actor_id: int,
    direction: Literal["from", "to"],
    chosen: QuoteFilters,
    *,
    limit: int,
) -> ActorRelations:
    """The actors one actor spoke about (``from``) or that spoke about it (``to``), the most
    quoted first, each with its counts by stance and its latest quotations."""
    actor = actors.get(session, actor_id, with_aliases=False)
    if actor is None:
        raise NotFoundError(f"There is no actor {actor_id}.")
    rows = quotation_rows.relations(
        session,
        actor_id,
        direction,
        stance=chosen.stance,
        outlets=chosen.outlets,
        lower=chosen.lower,
        upper=chosen.upper,
        limit=limit,
    )
    ids = [r.other_id for r in rows]
    others = {a.id: a for a in actors.get_many(session, ids)}
    latest_of = quotation_rows.latest_between(
        session, actor_id, direction, ids, chosen, LATEST_PER_RELATION
    )
    items = []
    for row in rows:
        latest = latest_of.get(row.other_id, [])
        other = others[row.other_id]
        items.append(
            RelationItem(
                actor=QuoteActor(id=other.id, key=other.key, name=other.name),
                articles=row.articles,
                quotations=StanceCounts(
                    negative=row.negative, neutral=row.neutral, positive=row.positive
                ),
                latest=[_item(*found) for found in latest],
            )
        )
    return ActorRelations(
        actor=QuoteActor(id=actor.id, key=actor.key, name=actor.name),
        direction=direction,
        items=items,
    )


def _item(row: Quotation, title: str | None, outlet: str | None) -> QuoteItem:
    view = QuotationView.of_row(row)
    return QuoteItem(
        **view.model_dump(),
        id=row.id,
        article_id=row.article_id,
        title=title,
        outlet=outlet,
        published=row.published,
    )


def _csv_row(item: QuoteItem) -> list[Any]:
    targets = [{"name": t.actor.name, "label": t.label, "score": t.score} for t in item.targets]
    return [
        item.id, item.article_id, item.title, item.outlet,
        item.published.isoformat() if item.published else None, item.start, item.end,
        item.kind, item.cue, item.how, item.speaker.id if item.speaker else None,
        item.speaker_name, json.dumps(targets), item.text,
    ]  # fmt: skip


def _csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day is not None else None
