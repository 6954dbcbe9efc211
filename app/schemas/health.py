"""Liveness and readiness answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """What /readyz checked; served with 200 when ready and as problem+json with 503 when not."""

    status: Literal["ready", "not ready"]
    database: str = Field(description="`ok`, or why the database cannot be reached.")
    models: str = Field(
        description="`loaded`, `loading`, `failed: ...`, or `worker not embedded` when analysis "
        "runs in separate `lens worker` processes."
    )
    queue: dict[str, int] = Field(
        description="Articles by status.", examples=[{"pending": 12, "done": 480, "failed": 1}]
    )
