"""Stateless analysis of a text."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.deps import SettingsDep
from app.schemas.analysis import AnalysisView, AnalyzeIn
from app.schemas.problem import problem_responses
from app.services import analyze as analysis_service
from app.services.analyze import AnalyzerProvider

router = APIRouter(tags=["analysis"])

_DESCRIPTION = """
Runs the same models as the worker on one text (or the main text of a page sent as `html`),
keeps its layout (headline, byline, notes, chrome) out as the worker does, and returns every
annotation (sentences and their
sentiment, document sentiment, topics, entities, actors with their mentions and the author's
sentiment toward each) without storing anything. `503` with `Retry-After` while the models load.
"""


@router.post(
    "/analyze",
    response_model=AnalysisView,
    description=_DESCRIPTION,
    responses=problem_responses(400, 413, 422, 503),
)
def analyze_text(body: AnalyzeIn, request: Request, settings: SettingsDep) -> AnalysisView:
    """Analyse a text and return its annotations; nothing is stored."""
    provider: AnalyzerProvider = request.app.state.analyzer_provider
    return analysis_service.analyze_request(provider, settings, body)
