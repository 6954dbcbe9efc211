"""Fixtures shared by the query tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.search_corpus import CORPUS, post


@pytest.fixture
def lens_corpus(client: TestClient, drain: Callable[[], int]) -> list[int]:
    """The corpus stored and analysed; its ids, in CORPUS order."""
    ids = [post(client, doc) for doc in CORPUS]
    assert drain() == len(CORPUS)
    return ids
