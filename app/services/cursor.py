"""Opaque page cursors: base64url JSON of the last item's sort key, tagged with the list's name.

A cursor is validated on the way in, so a truncated, edited or foreign one is a 400, never a 500
or a silently wrong page.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from typing import Any

from app.errors import InvalidCursorError
from app.models.keys import MAX_ID

_MAX_CURSOR_CHARS = 512


def encode(kind: str, key: list[Any]) -> str:
    """The cursor that continues list ``kind`` after the item whose sort key is ``key``."""
    raw = json.dumps([kind, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(kind: str, cursor: str, arity: int) -> list[Any]:
    """The sort key carried by ``cursor``; InvalidCursorError unless it came from list ``kind``."""
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise InvalidCursorError("The cursor is too long; pass `next_cursor` back unchanged.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidCursorError(
            "The cursor is malformed; pass `next_cursor` back unchanged."
        ) from None
    if not (isinstance(value, list) and len(value) == arity + 1 and value[0] == kind):
        raise InvalidCursorError(f"The cursor does not belong to this list ({kind}).")
    return value[1:]


def decode_int(value: Any) -> int:
    # bool is an int in Python, but never a valid id or count
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise InvalidCursorError("The cursor holds an invalid position.")
    return value


def decode_float(value: Any) -> float:
    # json.loads reads NaN, Infinity and 1e400 (inf); an int may be too large for a float
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidCursorError("The cursor holds an invalid position.")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InvalidCursorError("The cursor holds an invalid position.")
    return number


def encode_time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def decode_time(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidCursorError("The cursor holds an invalid date.")
    return parsed
