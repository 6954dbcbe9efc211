"""The OpenAPI document is exactly the one committed in openapi_snapshot.json.

A refactoring must leave the public contract as it was; a deliberate change to the API updates
the snapshot in the same commit:

    LENS_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/api/test_openapi_snapshot.py

then review `git diff tests/api/openapi_snapshot.json` like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import make_settings

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def _current() -> dict[str, Any]:
    app = create_app(make_settings("sqlite://"))
    document: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return document


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_document_is_unchanged() -> None:
    current = _dump(_current())
    if os.environ.get("LENS_UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "The OpenAPI document changed. If that is deliberate, regenerate the snapshot "
        "(see this module's docstring) and commit it with the change."
    )
