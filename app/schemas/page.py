"""A page of a list: its items and the cursor of the next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from fastapi import FastAPI
from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def document_page_sizes(app: FastAPI, max_page_size: int) -> None:
    """State every list's `limit` range in the OpenAPI document: 1 to LENS_MAX_PAGE_SIZE.

    The bound is a setting, checked by the services, so the routes cannot declare it.
    """
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        for path in document["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    if parameter["name"] != "limit" or parameter["in"] != "query":
                        continue
                    for schema in parameter["schema"].get("anyOf", [parameter["schema"]]):
                        if schema.get("type") == "integer":
                            schema.update(minimum=1, maximum=max_page_size)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
