"""Stateless analysis: the annotations of a text, stored nowhere.

The analyzer is the embedded worker's once it has loaded its models. Without an embedded worker
(analysis runs in separate `lens worker` processes) this process loads its own on the first
request, once, in the background, and answers 503 with Retry-After until it is ready.
"""

from __future__ import annotations

import logging
import threading

from app.analysis.layout import read_layout
from app.analysis.loader import AnalyzerLoader
from app.analysis.types import Analysis, Analyzer
from app.core.config import Settings
from app.errors import RequestInvalidError, UnavailableError, describe, field_error
from app.schemas.analysis import AnalysisView, AnalyzeIn, BylineIn
from app.schemas.article import LayoutPartView
from app.schemas.ingest import ArticleIn
from app.services import annotate
from app.services.article_input import InputError, prepare
from app.services.health import ModelsState

logger = logging.getLogger(__name__)

# A small model set loads in a second or two: the first request waits that long, not a retry.
_FIRST_WAIT_SECONDS = 2.0


class AnalyzerProvider:
    """Hands out the process's analyzer; loads one lazily when no worker is embedded."""

    def __init__(
        self, settings: Settings, load: AnalyzerLoader, worker: ModelsState | None
    ) -> None:
        self._settings = settings
        self._load = load
        self._worker = worker
        self._lock = threading.Lock()
        self._analyzer: Analyzer | None = None
        self._loader: threading.Thread | None = None
        self._failure: str | None = None

    def get(self) -> Analyzer:
        """The analyzer; UnavailableError (503) while the models load or if they failed to."""
        if self._worker is not None:
            if self._worker.analyzer is not None:
                return self._worker.analyzer
            raise _unavailable(self._worker.state)
        started = None
        with self._lock:
            if self._analyzer is None and self._failure is None and self._loader is None:
                started = self._loader = threading.Thread(
                    target=self._load_once, name="lens-analyzer", daemon=True
                )
                started.start()
        if started is not None:
            started.join(_FIRST_WAIT_SECONDS)
        if self._analyzer is not None:
            return self._analyzer
        raise _unavailable(f"failed: {self._failure}" if self._failure else "loading")

    def _load_once(self) -> None:
        try:
            analyzer = self._load(self._settings)
        except Exception as exc:
            logger.exception("the analysis models failed to load")
            self._failure = describe(exc)
            return
        self._analyzer = analyzer


def analyze_request(
    provider: AnalyzerProvider, settings: Settings, body: AnalyzeIn
) -> AnalysisView:
    """A request's text (or page) analysed, with what its layout or metadata say."""
    try:
        prepared = prepare(ArticleIn(text=body.text, html=body.html), settings)
    except InputError as exc:
        raise RequestInvalidError(
            f"{exc}.", errors=[field_error(["body", exc.field], str(exc), exc.kind)]
        ) from None
    analysis = analyze(provider, settings, prepared.text, prepared.title)
    view = AnalysisView.of(analysis, prepared.text)
    return view.model_copy(
        update={
            "text": prepared.text if body.html is not None else None,
            "title": prepared.title,
            "outlet": prepared.outlet,
            "authors": [BylineIn(name=n, affiliation=a) for n, a in prepared.authors],
            "language": prepared.language,
            "layout": [
                LayoutPartView(kind=p.kind, start=p.start, end=p.end)
                for p in read_layout(prepared.text).parts
            ],
        }
    )


def analyze(
    provider: AnalyzerProvider, settings: Settings, text: str, title: str | None = None
) -> Analysis:
    """One text's analysis, checked against the contract like the worker's."""
    if len(text) > settings.max_text_chars:
        raise RequestInvalidError(
            f"The text is longer than {settings.max_text_chars} characters.",
            errors=[
                field_error(
                    ["body", "text"],
                    f"at most {settings.max_text_chars} characters",
                    "string_too_long",
                )
            ],
        )
    analysis = provider.get().analyze([text], [title])[0]
    annotate.check(analysis, text)
    return analysis


def _unavailable(state: str) -> UnavailableError:
    if state.startswith("failed"):
        return UnavailableError(f"The analysis models could not be loaded ({state}).")
    return UnavailableError("The analysis models are loading; retry shortly.")
