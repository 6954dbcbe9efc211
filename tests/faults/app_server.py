"""`python -m tests.faults.app_server --port N`: the API as `lens serve` runs it (uvicorn, the
settings from LENS_*), with the analyzer LENS_ANALYZER_FACTORY names for its embedded worker.
"""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from app.analysis.loader import load_analyzer_from
from app.core.config import Settings
from app.main import create_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    spec = os.environ["LENS_ANALYZER_FACTORY"]
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(Settings(), load_analyzer=lambda settings: load_analyzer_from(settings, spec))
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None)


if __name__ == "__main__":
    main()
