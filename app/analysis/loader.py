"""Loading the product's analyzer: done once per process, when a worker (or POST /v1/analyze)
first needs it, never at import time."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from app.analysis.types import Analyzer
from app.core.config import Settings

AnalyzerLoader = Callable[[Settings], Analyzer]


def load_default_analyzer(settings: Settings) -> Analyzer:
    """The product's analyzer (app/analysis/analyzer.py), imported only when a worker starts."""
    settings = settings.threads_for()
    if settings.torch_threads is not None:
        import torch

        torch.set_num_threads(settings.torch_threads)
    # Imported by name so this module, and the API without a worker, load without the models.
    module = importlib.import_module("app.analysis.analyzer")
    load: AnalyzerLoader = module.load_analyzer
    return load(settings)


def load_analyzer_from(settings: Settings, spec: str | None) -> Analyzer:
    """The bundled analyzer, or the one ``module:factory`` makes from the settings
    (the commands' `--analyzer`)."""
    if spec is None:
        return load_default_analyzer(settings)
    module_name, _, factory_name = spec.partition(":")
    if not factory_name:
        raise ValueError(f"--analyzer {spec!r}: expected module:factory")
    factory = getattr(importlib.import_module(module_name), factory_name)
    analyzer: Analyzer = factory(settings)
    return analyzer
