"""Text the database can hold: one rule for bodies, query strings and paths.

PostgreSQL refuses a NUL character in any text value, and a lone surrogate ("\\ud800" is valid
JSON) cannot be encoded at all. Either, left to reach a query, is a driver error: a 500 on
PostgreSQL, and on SQLite anything from a wrong answer to a syntax error. So every string the
API takes is checked here first, and the check is a 422 naming the field or parameter.

The OpenAPI document states the rule as a ``pattern`` (no NUL; JSON text and URLs cannot carry
a lone surrogate in the first place), so generated clients and fuzzers send what is accepted.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# ECMA-262 and Python's re both read \u0000; the document itself then holds no raw NUL.
STORABLE_PATTERN = r"^[^\u0000]*$"


def check_storable(value: str) -> str:
    """``value`` unchanged, or a ValueError saying why the database cannot hold it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid Unicode") from None
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    return value


# The same, with at least one character that is not whitespace (Python's, as str.strip()).
NOT_BLANK_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


class _StorableText:
    """Pydantic metadata: checks with check_storable (its messages say what is wrong, where a
    failed pattern would only quote the pattern) and documents the rule as a pattern."""

    def __init__(self, *, not_blank: bool = False) -> None:
        self.not_blank = not_blank

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def _check(self, value: str) -> str:
        check_storable(value)
        if self.not_blank and not value.strip():
            raise ValueError("must contain non-whitespace text")
        return value

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        # A pattern of the field's own (a URL's) must exclude NUL itself: JSON Schema has one.
        json_schema.setdefault("pattern", NOT_BLANK_PATTERN if self.not_blank else STORABLE_PATTERN)
        return json_schema

    def __repr__(self) -> str:
        return "STORABLE_NOT_BLANK" if self.not_blank else "STORABLE"


# After any length constraint in the same Annotated, so a length error reads as one about a
# string ("at most 200 characters"), as it would not as a FastAPI Query(max_length=).
STORABLE = _StorableText()
STORABLE_NOT_BLANK = _StorableText(not_blank=True)
Storable = Annotated[str, STORABLE]
# What the lists' `q` takes.
SearchTerm = Annotated[str, StringConstraints(max_length=200), STORABLE]
# A name filter (`actor=`, `outlet=`...): a blank one names nothing, so it cannot be valid.
NameFilter = Annotated[str, StringConstraints(max_length=200), STORABLE_NOT_BLANK]
