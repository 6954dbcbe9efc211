"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import SessionFactoryDep
from app.errors import UnavailableError
from app.schemas.health import Liveness, Readiness
from app.schemas.problem import problem_responses
from app.services import health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Liveness)
def liveness() -> Liveness:
    """The process is up."""
    return Liveness()


@router.get("/readyz", response_model=Readiness, responses=problem_responses(503))
def readiness(request: Request, session_factory: SessionFactoryDep) -> Readiness:
    """Ready to serve: the database answers and the models are loaded (503 problem if not)."""
    worker: health.ModelsState | None = request.app.state.worker
    models = worker.state if worker is not None else health.NOT_EMBEDDED
    result = health.readiness(session_factory, models)
    if result.status != "ready":
        raise UnavailableError(
            "The service is not ready.", extra=result.model_dump(exclude={"status"})
        )
    return result
