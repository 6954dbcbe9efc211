"""Per-caller rate limits with the `limits` library, and the RateLimit-* headers that report them.

A moving window: at most N requests in any window of the configured length, so no burst of 2N
at a window boundary as with fixed windows. Counts live in memory (per process) or in Redis
(shared by every process) as LENS_RATE_LIMIT_STORAGE says. Several limits may be combined
(``20/second;600/minute``: a burst cap and a sustained one); the headers report the one closest
to running out.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings

logger = logging.getLogger(__name__)

# Where the verdict waits for the middleware, in the request's scope["state"].
_STATE_KEY = "rate_limit"
_NAMESPACE = "lens"


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the window frees a slot
    window_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w={self.window_seconds}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def parse_limits(spec: str) -> list[RateLimitItem]:
    """``600/minute``, ``20/second;600/minute``, or a bare number per minute; 0 or empty: none."""
    spec = spec.strip()
    if spec.isdigit():
        return [] if int(spec) == 0 else parse_many(f"{int(spec)}/minute")
    if not spec:
        return []
    try:
        return parse_many(spec)
    except ValueError as exc:
        raise ValueError(
            f"LENS_RATE_LIMIT={spec!r}: expected e.g. 600/minute, 20/second;600/minute or 600"
        ) from exc


class RateLimiter:
    def __init__(self, spec: str, storage_uri: str = "memory://") -> None:
        self.items = parse_limits(spec)
        self._strategy = (
            MovingWindowRateLimiter(storage_from_string(storage_uri, wrap_exceptions=True))
            if self.items
            else None
        )
        self._storage_failing = False

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(settings.rate_limit, settings.rate_limit_storage)

    @property
    def enabled(self) -> bool:
        return self._strategy is not None

    def hit(self, identity: str) -> Verdict | None:
        """Count one request by ``identity``; None when limits are off or the storage is down."""
        if self._strategy is None:
            return None
        try:
            verdicts = [self._hit(self._strategy, item, identity) for item in self.items]
        except StorageError as exc:
            # Fail open: an outage of the counter store must not take the API down with it.
            if not self._storage_failing:
                logger.warning("rate limit storage unavailable, not limiting: %s", exc)
            self._storage_failing = True
            return None
        if self._storage_failing:
            logger.info("rate limit storage reachable again")
            self._storage_failing = False
        refused = [v for v in verdicts if not v.allowed]
        if refused:
            return max(refused, key=lambda v: v.reset_seconds)
        return min(verdicts, key=lambda v: (v.remaining, -v.reset_seconds))

    @staticmethod
    def _hit(strategy: MovingWindowRateLimiter, item: RateLimitItem, identity: str) -> Verdict:
        allowed = strategy.hit(item, _NAMESPACE, identity)
        stats = strategy.get_window_stats(item, _NAMESPACE, identity)
        return Verdict(
            allowed=allowed,
            limit=item.amount,
            remaining=max(stats.remaining, 0),
            reset_seconds=max(math.ceil(stats.reset_time - time.time()), 1),
            window_seconds=item.get_expiry(),
        )


def remember(scope: Scope, verdict: Verdict) -> None:
    """Have the middleware add ``verdict``'s headers to whatever response the request gets."""
    scope.setdefault("state", {})[_STATE_KEY] = verdict


class RateLimitHeadersMiddleware:
    """Adds RateLimit-* headers to responses of rate-limited routes, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            verdict = scope.get("state", {}).get(_STATE_KEY)
            if message["type"] == "http.response.start" and isinstance(verdict, Verdict):
                headers = MutableHeaders(scope=message)
                for name, value in verdict.headers().items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
