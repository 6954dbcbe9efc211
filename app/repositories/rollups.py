"""The actor roll-ups (app/models/rollup.py): applied with each annotation write, or rebuilt.

Each write adds (or, before annotations are replaced, subtracts) the contribution of a set of
articles in one INSERT ... SELECT ... ON CONFLICT DO UPDATE per table. Rows are produced in
key order, so concurrent workers lock the shared counters in one order (no deadlock); the
increments are atomic, so no update is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import Select, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.models import ActorOutletStats, ActorPair, ArticleActor
from app.models.rollup import NO_OUTLET

# bound parameters per statement stay far below SQLite's and PostgreSQL's limits
_CHUNK = 2000
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def apply(session: Session, article_ids: Sequence[int], sign: int) -> None:
    """Add (sign=1) or subtract (sign=-1) what these articles' actor rows contribute."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        _upsert(session, ActorOutletStats, _stats_select(chunk, sign), ("actor_id", "outlet_id"))
        _upsert(session, ActorPair, _pairs_select(chunk, sign), ("actor_id", "other_actor_id"))


def rebuild(session: Session) -> None:
    """Recompute every roll-up from ``article_actors`` (after a bulk load that bypassed apply)."""
    session.execute(delete(ActorPair))
    session.execute(delete(ActorOutletStats))
    _upsert(session, ActorOutletStats, _stats_select(None, 1), ("actor_id", "outlet_id"))
    _upsert(session, ActorPair, _pairs_select(None, 1), ("actor_id", "other_actor_id"))


def _stats_select(article_ids: Sequence[int] | None, sign: int) -> AnySelect:
    outlet = func.coalesce(ArticleActor.outlet_id, NO_OUTLET)

    def labelled(label: str) -> Any:
        return func.sum(case((ArticleActor.sentiment_label == label, sign), else_=0))

    query = select(
        ArticleActor.actor_id,
        outlet,
        func.count() * sign,
        func.sum(ArticleActor.mention_count) * sign,
        labelled("negative"),
        labelled("neutral"),
        labelled("positive"),
        func.sum(ArticleActor.sentiment_score) * sign,
    )
    if article_ids is not None:
        query = query.where(ArticleActor.article_id.in_(article_ids))
    else:
        # SQLite parses INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE.
        query = query.where(ArticleActor.actor_id.is_not(None))
    return query.group_by(ArticleActor.actor_id, outlet).order_by(ArticleActor.actor_id, outlet)


def _pairs_select(article_ids: Sequence[int] | None, sign: int) -> AnySelect:
    one, other = aliased(ArticleActor), aliased(ArticleActor)
    query = select(one.actor_id, other.actor_id, func.count() * sign).join(
        other, (other.article_id == one.article_id) & (other.actor_id != one.actor_id)
    )
    if article_ids is not None:
        query = query.where(one.article_id.in_(article_ids))
    else:
        query = query.where(one.actor_id.is_not(None))
    return query.group_by(one.actor_id, other.actor_id).order_by(one.actor_id, other.actor_id)


def _upsert(
    session: Session,
    model: type[ActorOutletStats] | type[ActorPair],
    rows: AnySelect,
    keys: tuple[str, ...],
) -> None:
    table = model.__table__
    columns = [c.name for c in table.columns]
    counters = [name for name in columns if name not in keys]
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)
    statement = insert.from_select(columns, rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + statement.excluded[name] for name in counters},
        )
    )
