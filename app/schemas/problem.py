"""The problem+json body (RFC 9457), for the OpenAPI page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='Where the error is, e.g. `["body", "text"]`.')
    msg: str
    type: str


class Problem(BaseModel):
    """An error: what kind (`type`), a short `title`, the HTTP `status` and a `detail`."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:commentary-lens:problem:validation",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "Invalid fields: body.text.",
                    "errors": [
                        {"loc": ["body", "text"], "msg": "text is empty", "type": "value_error"}
                    ],
                }
            ]
        },
    )

    type: str = Field(description="A URI naming the kind of problem; `about:blank` for plain HTTP.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        default=None, description="For validation problems: each offending field."
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting problem+json answers for ``statuses``."""
    return {status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}} for status in statuses}


def document_problems(app: FastAPI) -> None:
    """List problem schemas under application/problem+json, the type they are served as.

    FastAPI files a response model under the route's own media type (application/json).
    """
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for path in generate()["paths"].values():
                for operation in path.values():
                    for response in operation.get("responses", {}).values():
                        content = response.get("content", {})
                        if PROBLEM_MEDIA_TYPE in content and "application/json" in content:
                            content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
