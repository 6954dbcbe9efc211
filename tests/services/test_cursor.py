"""Cursors round-trip their sort key and reject anything they did not make."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import InvalidCursorError
from app.services import cursor


def test_round_trip() -> None:
    published = datetime(2021, 3, 22, 7, 30, tzinfo=UTC)
    token = cursor.encode("articles", [cursor.encode_time(published), 42])

    assert "=" not in token
    assert "+" not in token
    assert "/" not in token
    time_value, article_id = cursor.decode("articles", token, 2)
    assert cursor.decode_time(time_value) == published
    assert cursor.decode_int(article_id) == 42
    assert (
        cursor.decode_time(cursor.decode("articles", cursor.encode("articles", [None, 1]), 2)[0])
        is None
    )


def test_cursor_of_another_list_is_rejected() -> None:
    token = cursor.encode("outlets", [3, 4])

    with pytest.raises(InvalidCursorError):
        cursor.decode("actors", token, 2)


@pytest.mark.parametrize("value", [-1, True, 1.5, "7", None])
def test_bad_positions_are_rejected(value: object) -> None:
    with pytest.raises(InvalidCursorError):
        cursor.decode_int(value)
