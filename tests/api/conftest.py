"""Fixtures shared by the query tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.api.search_corpus import CORPUS, post
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The corpus has a French article, analysed here as a deployment that reads French would
    # (by default it would be stored `skipped`: tests/api/test_raw_articles.py).
    return make_settings(database_url, analysis_languages="en,fr")


@pytest.fixture
def lens_corpus(client: TestClient, drain: Callable[[], int]) -> list[int]:
    """The corpus stored and analysed; its ids, in CORPUS order."""
    ids = [post(client, doc) for doc in CORPUS]
    assert drain() == len(CORPUS)
    return ids
