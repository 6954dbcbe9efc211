"""The domain errors: what went wrong in terms the client can act on.

Each carries its own HTTP status and problem type, so one handler (app/api/problems.py) renders them
all; nothing here depends on the web framework, and services raise these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RETRY_AFTER_SECONDS = 5
_MAX_ERROR_CHARS = 2000


class DomainError(Exception):
    """An error the client can act on; subclasses fix the status, slug and title."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        # RFC 9457 extension members, e.g. the readiness checks
        self.extra = extra or {}


class NotFoundError(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class InvalidCursorError(DomainError):
    status, slug, title = 400, "invalid-cursor", "Invalid cursor"


class RequestInvalidError(DomainError):
    """Input that parses but breaks a rule known only at run time (a configured limit)."""

    status, slug, title = 422, "validation", "Invalid request"


def field_error(loc: Sequence[str | int], msg: str, kind: str = "value_error") -> dict[str, Any]:
    """One entry of a validation problem's `errors` list, in the shape of pydantic's own errors
    (app/api/problems.py renders both alike): where (`loc`), what (`msg`) and a `type`."""
    return {"loc": list(loc), "msg": msg, "type": kind}


def invalid_query(field: str, message: str) -> RequestInvalidError:
    """A query parameter that parses but breaks a rule: "`field` message." with its one error."""
    return RequestInvalidError(
        f"`{field}` {message}.", errors=[field_error(["query", field], message)]
    )


class UnknownActorError(DomainError):
    status, slug, title = 422, "unknown-actor", "Unknown actor"


class UnknownNameError(DomainError):
    """A filter names an outlet, author or topic that does not exist."""

    status, slug, title = 422, "unknown-name", "Unknown name"


class UnauthorizedError(DomainError):
    """No API key, or one that is unknown or revoked, where a key is needed."""

    status, slug, title = 401, "unauthorized", "API key required"

    def __init__(self, detail: str, *, invalid: bool = False) -> None:
        # RFC 6750: say the scheme, and whether a key was sent but refused.
        challenge = (
            'Bearer realm="lens", error="invalid_token"' if invalid else 'Bearer realm="lens"'
        )
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class ForbiddenError(DomainError):
    """A valid API key without the scope the operation needs."""

    status, slug, title = 403, "forbidden", "Insufficient scope"


class RateLimitedError(DomainError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class UnavailableError(DomainError):
    status, slug, title = 503, "unavailable", "Service unavailable"

    def __init__(self, detail: str, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(RETRY_AFTER_SECONDS)})
        super().__init__(detail, **kwargs)


def describe(exc: BaseException) -> str:
    """An exception as one bounded line, as stored with an article or a model load that failed."""
    return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]
