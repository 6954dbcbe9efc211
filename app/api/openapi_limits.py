"""The limits that are settings, stated in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI


def document_setting_limits(app: FastAPI, max_page_size: int, max_query_actors: int) -> None:
    """State the limits that are settings in the OpenAPI document: every list's `limit` (1 to
    LENS_MAX_PAGE_SIZE) and how many `actor` filters a search or re-annotation takes
    (LENS_MAX_QUERY_ACTORS). The services check them, so the routes cannot declare them.
    """
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        for path in document["paths"].values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] != "query":
                        continue
                    schema = parameter["schema"]
                    if parameter["name"] == "limit":
                        for option in schema.get("anyOf", [schema]):
                            if option.get("type") == "integer":
                                option.update(minimum=1, maximum=max_page_size)
                    elif parameter["name"] == "actor" and schema.get("type") == "array":
                        schema["maxItems"] = max_query_actors
        for name in ("ReannotateIn", "SearchFilters"):
            body = document["components"]["schemas"].get(name)
            if body is not None:
                body["properties"]["actor"]["maxItems"] = max_query_actors
        return document

    app.openapi = openapi  # type: ignore[method-assign]
