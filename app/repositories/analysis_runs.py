"""Analysis runs: one row per distinct set of models and settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AnalysisRun
from app.repositories._conflicts import insert_ignoring_conflicts


def ensure(
    session: Session,
    *,
    fingerprint: str,
    models: dict[str, str],
    config: dict[str, Any],
    now: datetime,
) -> int:
    """The id of the run with this fingerprint, recorded now if it is new."""
    session.execute(
        insert_ignoring_conflicts(session, AnalysisRun).values(
            fingerprint=fingerprint, models=models, config=config, created_at=now
        )
    )
    return session.execute(
        select(AnalysisRun.id).where(AnalysisRun.fingerprint == fingerprint)
    ).scalar_one()
