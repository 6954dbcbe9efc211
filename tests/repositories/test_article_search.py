"""The web-search query syntax as FTS5 expressions: every term quoted, operators kept."""

from __future__ import annotations

import pytest

from app.repositories.article_search import fts5_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sanctions", '("sanctions")'),
        ("climate change", '("climate" AND "change")'),
        ('"supreme court" ruling', '("supreme court" AND "ruling")'),
        ("hostile OR praised", '("hostile") OR ("praised")'),
        ("crisis -trade", '(("crisis")) NOT ("trade")'),
        ('crisis -"trade war"', '(("crisis")) NOT ("trade war")'),
        # FTS5 syntax in the input is only text
        ('NEAR(a b) col:x "un"closed', '("NEAR(a" AND "b)" AND "col:x" AND "un" AND "closed")'),
        ('say "hi', '("say" AND "hi")'),
        ('a"b', '("a""b")'),
        ("", ""),
        (";;; --", ""),
        ("-only", ""),
        ("OR", ""),
    ],
)
def test_fts5_query(text: str, expected: str) -> None:
    assert fts5_query(text) == expected
