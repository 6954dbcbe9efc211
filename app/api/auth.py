"""Who may call what: API keys (``Authorization: Bearer lens_…``), their scopes, rate limits.

The rules, checked per request against the database so a key made or revoked with
`lens keys` takes effect at once:

- while no key was ever created the API is open (the embedded default on 127.0.0.1 starts so,
  and says so in the log);
- once one was (revoked keys count: revoking a leaked last key must not open the API), writes
  (storing and re-annotating articles) need a `write` key, and reads need
  a `read` or `write` key only when LENS_AUTH_READS is true;
- a feed (a path ending in /feed) also takes the key as `?token=<key>`, for feed readers that
  cannot send headers;
- a key that is sent is always checked: an unknown or revoked one is a 401 even where no key is
  needed, so a client with a wrong key finds out, and the rate limit counts per valid key only
  (anyone else per client IP).

The key itself is never logged, and only its hash is stored (app/services/api_keys.py).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import SessionDep, SettingsDep, commit_in_route
from app.api.rate_limit import RateLimiter, remember
from app.errors import ForbiddenError, RateLimitedError, UnauthorizedError
from app.models import ApiKey, KeyScope
from app.services import api_keys

logger = logging.getLogger(__name__)

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    bearerFormat="lens_…",
    description="An API key from `lens keys create NAME --scope read|write`. Writes need one "
    "once any key exists; reads only with LENS_AUTH_READS=true.",
)


# Routes whose path ends so (the Atom feeds) also take the key as `?token=`.
FEED_SUFFIX = "/feed"


class Caller:
    """The key a request came with (None: anonymous), and whether any key exists at all."""

    def __init__(self, key: ApiKey | None, session: Session) -> None:
        self.key = key
        self._session = session
        self._keys_exist: bool | None = None if key is None else True

    def keys_exist(self) -> bool:
        # Asked only when it decides something: open reads never touch the database.
        if self._keys_exist is None:
            self._keys_exist = api_keys.any_created(self._session)
        return self._keys_exist


def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
) -> Caller:
    # Cached per request: routes with both the read and the write check authenticate once.
    limiter: RateLimiter = request.app.state.rate_limiter
    sent = credentials.credentials if credentials else None
    if sent is None and "authorization" in request.headers:
        sent = ""  # another scheme (Basic, …): a credential, but never a valid one
    if sent is None and request.url.path.endswith(FEED_SUFFIX):
        # Feed readers often cannot send headers: a feed takes the key as `?token=`. (The
        # access log records paths only, never query strings.)
        sent = request.query_params.get("token")
    key = api_keys.authenticate(session, sent) if sent else None
    if session.dirty:
        # The key's last use, recorded now in this thread (see commit_in_route): left for the
        # request's end, it would hold SQLite's write lock across thread-pool calls.
        commit_in_route(session)
    caller = Caller(key, session)
    if key is not None:
        _limit(request, limiter, f"key:{key.id}")
        return caller
    _limit(request, limiter, f"ip:{request.client.host if request.client else 'unknown'}")
    if sent is not None and caller.keys_exist():
        raise UnauthorizedError(
            "The API key is not valid: unknown, revoked, or not sent as "
            "`Authorization: Bearer <key>`.",
            invalid=True,
        )
    return caller


def _limit(request: Request, limiter: RateLimiter, identity: str) -> None:
    verdict = limiter.hit(identity)
    if verdict is None:
        return
    remember(request.scope, verdict)
    if not verdict.allowed:
        raise RateLimitedError(
            f"More than {verdict.limit} requests in {verdict.window_seconds} seconds; "
            f"retry in {verdict.reset_seconds} seconds.",
            headers=verdict.headers(),
        )


CallerDep = Annotated[Caller, Depends(_caller)]


def require_read(caller: CallerDep, settings: SettingsDep) -> None:
    """Reads are open unless LENS_AUTH_READS and some key exists; then any key will do."""
    if caller.key is None and settings.auth_reads and caller.keys_exist():
        raise UnauthorizedError(
            "This API needs a key for reads: send `Authorization: Bearer <key>`."
        )


def require_write(caller: CallerDep) -> None:
    """Writes need a `write` key once any key exists."""
    if caller.key is None:
        if caller.keys_exist():
            raise UnauthorizedError(
                "Writing needs an API key with the `write` scope: send "
                "`Authorization: Bearer <key>`."
            )
        return
    if not caller.key.allows(KeyScope.write):
        raise ForbiddenError(
            f"The API key {api_keys.display_prefix(caller.key)} has the `read` scope; "
            "this operation needs `write`."
        )


def subscription_owner(caller: CallerDep) -> int | None:
    """Whose subscriptions a request reads and writes: its key's (any scope), or, while no key
    exists at all, the open API's (None). Once keys exist, a key is needed."""
    if caller.key is None:
        if caller.keys_exist():
            raise UnauthorizedError(
                "Subscriptions belong to API keys: send `Authorization: Bearer <key>` "
                "(`?token=<key>` for a feed)."
            )
        return None
    return caller.key.id


OwnerDep = Annotated[int | None, Depends(subscription_owner)]
ReadAccess = Depends(require_read)
WriteAccess = Depends(require_write)


def log_access_mode(factory: sessionmaker[Session]) -> None:
    """Say at start-up when the API is open to anyone who can reach it."""
    try:
        with factory() as session:
            keys_exist = api_keys.any_created(session)
    except SQLAlchemyError as exc:
        # Start anyway: readiness reports the database, and each request checks keys again.
        logger.warning("could not check for API keys: %s", str(exc).splitlines()[0])
        return
    if not keys_exist:
        logger.warning(
            "no API keys exist: the API is open to anyone who can reach it; "
            "create one with `lens keys create NAME --scope write`"
        )
