"""Quotations, their targets and the speaker -> target relations: written with an article's
annotations (app/services/annotate.py), read by the quotation and relation queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.models import ActorRelation, Article, Outlet, Quotation, QuotationTarget

# children first: a target row references its quotation (annotations.delete_for removes them)
TABLES = (QuotationTarget, ActorRelation, Quotation)


def add(
    session: Session,
    quotations: list[dict[str, Any]],
    relations: list[dict[str, Any]],
) -> None:
    """Insert quotations (each with its ``targets``: ``actor_id``, label, score) and relation
    rows; the article's ``published`` and ``outlet_id`` are copied onto both."""
    ids = sorted({row["article_id"] for row in quotations} | {r["article_id"] for r in relations})
    if not ids:
        return
    copies = {
        article_id: {"published": published, "outlet_id": outlet_id}
        for article_id, published, outlet_id in session.execute(
            select(Article.id, Article.published, Article.outlet_id).where(Article.id.in_(ids))
        )
    }
    targets: list[dict[str, Any]] = []
    for row in quotations:
        fields = {k: v for k, v in row.items() if k != "targets"} | copies[row["article_id"]]
        quotation_id = session.execute(
            insert(Quotation).values(**fields).returning(Quotation.id)
        ).scalar_one()
        targets += [
            {"quotation_id": quotation_id, "article_id": row["article_id"], **t}
            for t in row["targets"]
        ]
    if targets:
        session.execute(insert(QuotationTarget), targets)
    if relations:
        session.execute(insert(ActorRelation), [r | copies[r["article_id"]] for r in relations])


@dataclass(frozen=True, slots=True)
class QuoteFilters:
    """The filters of the quotation list; ids already resolved, dates as [lower, upper)."""

    speakers: frozenset[int] | None = None
    about: frozenset[int] | None = None
    stance: str | None = None
    outlets: frozenset[int] | None = None
    lower: datetime | None = None
    upper: datetime | None = None
    words: str | None = None


def search(
    session: Session, filters: QuoteFilters, before_id: int | None, limit: int
) -> list[tuple[Quotation, str | None, str | None]]:
    """Quotations matching ``filters``, newest (highest id) first, below ``before_id``; each with
    its article's title and outlet name."""
    statement = (
        select(Quotation, Article.title, Outlet.name)
        .join(Article, Article.id == Quotation.article_id)
        .outerjoin(Outlet, Outlet.id == Quotation.outlet_id)
        .where(*_conditions(filters))
        .order_by(Quotation.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(Quotation.id < before_id)
    return [(q, title, outlet) for q, title, outlet in session.execute(statement)]


def _conditions(filters: QuoteFilters) -> list[Any]:
    out: list[Any] = []
    if filters.speakers is not None:
        out.append(Quotation.speaker_id.in_(sorted(filters.speakers)))
    if filters.about is not None or filters.stance is not None:
        target = select(QuotationTarget.quotation_id).where(
            QuotationTarget.quotation_id == Quotation.id
        )
        if filters.about is not None:
            target = target.where(QuotationTarget.actor_id.in_(sorted(filters.about)))
        if filters.stance is not None:
            target = target.where(QuotationTarget.label == filters.stance)
        out.append(exists(target))
    if filters.outlets is not None:
        out.append(Quotation.outlet_id.in_(sorted(filters.outlets)))
    if filters.lower is not None:
        out.append(Quotation.published >= filters.lower)
    if filters.upper is not None:
        out.append(Quotation.published < filters.upper)
    if filters.words:
        escaped = filters.words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(Quotation.text.ilike(f"%{escaped}%", escape="\\"))
    return out


@dataclass(frozen=True, slots=True)
class RelationRow:
    other_id: int
    articles: int
    negative: int
    neutral: int
    positive: int


def relations(
    session: Session,
    actor_id: int,
    direction: str,
    *,
    stance: str | None,
    outlets: frozenset[int] | None,
    lower: datetime | None,
    upper: datetime | None,
    limit: int,
) -> list[RelationRow]:
    """The actors ``actor_id`` spoke about (``direction`` "from") or that spoke about it ("to"),
    with article and per-stance counts, the most quoted first (by ``stance`` when given)."""
    own, other = (
        (ActorRelation.speaker_id, ActorRelation.target_id)
        if direction == "from"
        else (ActorRelation.target_id, ActorRelation.speaker_id)
    )
    sums = {
        label: func.sum(getattr(ActorRelation, label))
        for label in ("negative", "neutral", "positive")
    }
    statement = select(other, func.count(ActorRelation.article_id), *sums.values()).where(
        own == actor_id
    )
    if outlets is not None:
        statement = statement.where(ActorRelation.outlet_id.in_(sorted(outlets)))
    if lower is not None:
        statement = statement.where(ActorRelation.published >= lower)
    if upper is not None:
        statement = statement.where(ActorRelation.published < upper)
    total = sums["negative"] + sums["neutral"] + sums["positive"]
    order = sums[stance] if stance is not None else total
    statement = statement.group_by(other).order_by(order.desc(), other).limit(limit)
    if stance is not None:
        statement = statement.having(sums[stance] > 0)
    return [
        RelationRow(int(o), int(a), int(n), int(u), int(p))
        for o, a, n, u, p in session.execute(statement)
    ]


def latest_between(
    session: Session,
    actor_id: int,
    direction: str,
    others: Sequence[int],
    filters: QuoteFilters,
    limit: int,
) -> dict[int, list[tuple[Quotation, str | None, str | None]]]:
    """The latest ``limit`` quotations of ``actor_id`` about each of ``others`` (direction
    "from"), or of each of them about it ("to"), within ``filters``' stance, outlets and dates;
    one query for them all."""
    if not others:
        return {}
    other = QuotationTarget.actor_id if direction == "from" else Quotation.speaker_id
    own = Quotation.speaker_id if direction == "from" else QuotationTarget.actor_id
    rank = func.row_number().over(partition_by=other, order_by=Quotation.id.desc()).label("rank")
    ranked = (
        select(Quotation.id.label("id"), other.label("other"), rank)
        .join(QuotationTarget, QuotationTarget.quotation_id == Quotation.id)
        .where(own == actor_id, other.in_(sorted(set(others))))
        .where(*_conditions(replace(filters, speakers=None, about=None, stance=None, words=None)))
    )
    if filters.stance is not None:
        ranked = ranked.where(QuotationTarget.label == filters.stance)
    chosen = ranked.subquery()
    pairs = session.execute(select(chosen.c.id, chosen.c.other).where(chosen.c.rank <= limit)).all()
    rows = {
        q.id: (q, title, outlet)
        for q, title, outlet in session.execute(
            select(Quotation, Article.title, Outlet.name)
            .join(Article, Article.id == Quotation.article_id)
            .outerjoin(Outlet, Outlet.id == Quotation.outlet_id)
            .where(Quotation.id.in_(sorted({quotation_id for quotation_id, _ in pairs})))
        )
    }
    out: dict[int, list[tuple[Quotation, str | None, str | None]]] = {}
    for quotation_id, other_id in sorted(pairs, key=lambda p: -p[0]):
        out.setdefault(int(other_id), []).append(rows[quotation_id])
    return out


def move_actor(session: Session, actor_id: int, *, into: int) -> None:
    """An actor merged into another (app/repositories/actor_identities.py): its quotations,
    targets and relations become ``into``'s. A quotation that named both keeps one target
    (``into``'s); one where ``into`` now speaks about itself loses that target; the touched
    articles' relations are counted again from their quotations."""
    quoted = select(QuotationTarget.quotation_id).where(QuotationTarget.actor_id == actor_id)
    spoken = select(Quotation.id).where(Quotation.speaker_id == actor_id)
    article_ids = sorted(
        set(
            session.scalars(
                select(Quotation.article_id).where(
                    or_(Quotation.id.in_(quoted), Quotation.id.in_(spoken))
                )
            )
        )
    )
    if not article_ids:
        return
    session.execute(
        update(Quotation).where(Quotation.speaker_id == actor_id).values(speaker_id=into)
    )
    both = select(QuotationTarget.quotation_id).where(QuotationTarget.actor_id == into)
    session.execute(
        delete(QuotationTarget).where(
            QuotationTarget.actor_id == actor_id, QuotationTarget.quotation_id.in_(both)
        )
    )
    session.execute(
        update(QuotationTarget).where(QuotationTarget.actor_id == actor_id).values(actor_id=into)
    )
    own = select(Quotation.id).where(Quotation.speaker_id == into)
    session.execute(
        delete(QuotationTarget).where(
            QuotationTarget.actor_id == into, QuotationTarget.quotation_id.in_(own)
        )
    )
    session.execute(
        delete(ActorRelation)
        .where(ActorRelation.article_id.in_(article_ids))
        .execution_options(synchronize_session=False)
    )
    counts = {
        label: func.sum(case((QuotationTarget.label == label, 1), else_=0))
        for label in ("negative", "neutral", "positive")
    }
    rows = session.execute(
        select(
            Quotation.article_id,
            Quotation.speaker_id,
            QuotationTarget.actor_id,
            *counts.values(),
            func.max(Quotation.published),
            func.max(Quotation.outlet_id),
        )
        .join(QuotationTarget, QuotationTarget.quotation_id == Quotation.id)
        .where(Quotation.article_id.in_(article_ids), Quotation.speaker_id.is_not(None))
        .group_by(Quotation.article_id, Quotation.speaker_id, QuotationTarget.actor_id)
    ).all()
    if rows:
        session.execute(
            insert(ActorRelation),
            [
                {
                    "article_id": a, "speaker_id": sp, "target_id": t, "negative": int(n),
                    "neutral": int(u), "positive": int(p), "published": when, "outlet_id": o,
                }
                for a, sp, t, n, u, p, when, o in rows
            ],
        )  # fmt: skip
