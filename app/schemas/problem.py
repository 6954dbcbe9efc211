"""The problem+json body (RFC 9457), for the OpenAPI page."""

from __future__ import annotations

from typing import Any

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
