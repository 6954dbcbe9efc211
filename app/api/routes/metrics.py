"""GET /metrics: Prometheus text format, open like /healthz (documented in the README)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["health"])


# Left out of the OpenAPI page: its users are scrapers, which read the exposition format.
@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Request counts and latencies, queue depth, analysis counts and times, model load time."""
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
