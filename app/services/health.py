"""Readiness: can we reach the database, are the models loaded, how long is the queue."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analyzer
from app.repositories import articles
from app.schemas.health import Readiness

MODELS_LOADED = "loaded"
NOT_EMBEDDED = "worker not embedded"


class ModelsState(Protocol):
    """The embedded worker (app/worker.py) as the API sees it: its models, once loaded."""

    state: str
    analyzer: Analyzer | None


def queue_depth(session_factory: sessionmaker[Session]) -> dict[str, int]:
    """Articles by status (one GROUP BY); the database's errors propagate."""
    with session_factory() as session:
        return articles.count_by_status(session)


def readiness(session_factory: sessionmaker[Session], models: str) -> Readiness:
    """Ready when the database answers and the models are loaded (or analysis runs elsewhere)."""
    queue: dict[str, int] = {}
    try:
        queue = queue_depth(session_factory)
        database = "ok"
    except (DBAPIError, PoolTimeoutError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        database = f"unreachable: {str(reason).strip().splitlines()[0]}"
    ready = database == "ok" and models in (MODELS_LOADED, NOT_EMBEDDED)
    return Readiness(
        status="ready" if ready else "not ready", database=database, models=models, queue=queue
    )
