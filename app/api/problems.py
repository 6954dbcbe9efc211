"""Every error the API answers is application/problem+json (RFC 9457); the handlers live here.

Domain errors (app/errors.py) carry their own status and problem type, and one handler renders
them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from app.core.logs import current_request_id
from app.errors import RETRY_AFTER_SECONDS, DomainError
from app.schemas.problem import PROBLEM_MEDIA_TYPE

logger = logging.getLogger(__name__)

_TYPE_PREFIX = "urn:commentary-lens:problem:"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> ProblemResponse:
    """A problem+json response; without a slug the type is about:blank and the title the reason."""
    body: dict[str, Any] = {
        "type": _TYPE_PREFIX + slug if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = list(errors)
    body.update(extra or {})
    return ProblemResponse(body, status_code=status, headers=headers)


def body_limit_detail(max_bytes: int) -> str:
    return f"The request body is larger than the limit of {max_bytes} bytes."


# A body of 100k unknown keys would otherwise be answered by an error list ten times its size.
_MAX_LISTED_ERRORS = 20
_MAX_LOC_PART_CHARS = 100


def validation_errors(raw: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's error list without the offending input, which may be a whole article."""
    return [
        {"loc": [_short(part) for part in e["loc"]], "msg": e["msg"], "type": e["type"]}
        for e in raw
    ]


def _short(part: Any) -> Any:
    # a key of the client's JSON may be megabytes long
    if isinstance(part, str) and len(part) > _MAX_LOC_PART_CHARS:
        return part[:_MAX_LOC_PART_CHARS] + "…"
    return part


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as problem+json."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)
    app.add_exception_handler(Exception, _unhandled_error)


async def _domain_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, DomainError)
    return problem(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _request_validation_error(_request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(
            400,
            "The body is not valid JSON.",
            slug="invalid-json",
            title="Malformed JSON",
            errors=errors,
        )
    listed = errors[:_MAX_LISTED_ERRORS]
    fields = ", ".join(".".join(str(part) for part in e["loc"]) for e in listed)
    if unlisted := len(errors) - len(listed):
        fields += f" and {unlisted} more"
    return problem(
        422,
        f"Invalid fields: {fields}.",
        slug="validation",
        title="Invalid request",
        errors=listed,
    )


async def _http_exception(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)
    detail = str(exc.detail)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        return problem(
            400, "The body is not valid UTF-8.", slug="invalid-encoding", title="Invalid encoding"
        )
    if exc.status_code == 413:
        detail = body_limit_detail(request.app.state.settings.max_body_bytes)
    return problem(exc.status_code, detail, headers=exc.headers)


# PostgreSQL's SQLSTATE classes (psycopg's `sqlstate`): the client's data, or the server's state.
_PG_DATA, _PG_INTEGRITY = "22", "23"
# too many connections, out of memory or disk (53), a statement timeout, a lock not granted, a
# serialization failure or deadlock (40): each goes away on a retry once the load has
_PG_OVERLOADED = ("53", "57014", "55P03", "40")
# connection exception (08), shutting down or starting (57), I/O error (58)
_PG_UNAVAILABLE = ("08", "57", "58")
# SQLite's primary result codes (sqlite3's `sqlite_errorcode`, Python 3.11+)
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_CONSTRAINT = 5, 6, 19
# NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB
_SQLITE_UNAVAILABLE = {7, 8, 10, 11, 13, 14, 15, 26}
_SQLITE_DATA = {18, 20, 25}  # TOOBIG, MISMATCH, RANGE


def classify_database_error(exc: Exception) -> str:
    """``data`` (a value the database refused: the client's), ``conflict`` (a constraint),
    ``overloaded`` or ``unavailable`` (retry later), or ``bug`` (a statement of ours is wrong).

    By the driver's own code where it gives one: SQLite says OperationalError for a malformed
    full-text query as for a missing file, and only an outage may ask the client to retry.
    """
    if isinstance(exc, PoolTimeoutError):
        return "overloaded"
    if not isinstance(exc, DBAPIError):
        return "bug"
    if exc.connection_invalidated:
        return "unavailable"
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        if sqlstate.startswith(_PG_DATA):
            return "data"
        if sqlstate.startswith(_PG_INTEGRITY):
            return "conflict"
        if sqlstate.startswith(_PG_OVERLOADED):
            return "overloaded"
        if sqlstate.startswith(_PG_UNAVAILABLE):
            return "unavailable"
        return "bug"
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        primary = sqlite_code & 0xFF  # extended codes keep the primary one in the low byte
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return "overloaded"
        if primary in _SQLITE_UNAVAILABLE:
            return "unavailable"
        if primary in _SQLITE_DATA:
            return "data"
        if primary == _SQLITE_CONSTRAINT:
            return "conflict"
        return "bug"
    # No code: psycopg's own checks before sending (a NUL: DataError), a connection that
    # failed to open or broke (OperationalError, InterfaceError).
    if isinstance(exc, DataError):
        return "data"
    if isinstance(exc, IntegrityError):
        return "conflict"
    if isinstance(exc, OperationalError | InterfaceError):
        return "overloaded" if "too many connections" in str(exc) else "unavailable"
    return "bug"


async def _database_error(request: Request, exc: Exception) -> ProblemResponse:
    kind = classify_database_error(exc)
    # One line, no traceback: an outage would otherwise flood the log; the driver's message
    # stays in the log, out of the answer.
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if kind == "data":
        logger.warning("database refused a value: %s", first_line)
        return problem(
            422,
            "A value in the request cannot be stored or compared by the database.",
            slug="unprocessable-value",
            title="Value not accepted",
        )
    if kind == "conflict":
        logger.warning("database constraint: %s", first_line)
        return problem(
            409,
            "The request conflicts with data stored meanwhile; read it again, then retry.",
            slug="conflict",
            title="Conflict",
        )
    if kind == "bug":
        return await _unhandled_error(request, exc)
    logger.warning("database unavailable: %s", first_line)
    if kind == "overloaded":
        # Every connection (or SQLite's one write lock) stayed busy: the service is overloaded,
        # not down. Same status, a truthful message.
        detail = (
            "The service is overloaded (no database connection became free); retry shortly."
            if isinstance(exc, PoolTimeoutError)
            else "The service is overloaded (the database is busy); retry shortly."
        )
    else:
        detail = "The database is unavailable; retry shortly."
    return problem(
        503,
        detail,
        slug="unavailable",
        title="Service unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unhandled_error(request: Request, exc: Exception) -> ProblemResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    # Starlette renders this outside every middleware, so the id is added here: users quote it
    # and it finds the logged traceback.
    request_id = current_request_id()
    if request_id is None:
        return problem(500, "An unexpected error occurred; it has been logged.")
    return problem(
        500,
        f"An unexpected error occurred; it has been logged with request id {request_id}.",
        headers={"X-Request-ID": request_id},
        extra={"request_id": request_id},
    )


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
