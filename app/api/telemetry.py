"""Per-request telemetry: a request id, one access-log line, and the HTTP metrics.

Pure ASGI (no BaseHTTPMiddleware), so streamed responses pass through untouched. The id comes
from a sane incoming X-Request-ID or is made here; it is answered in the same header and set in
app.core.logs' context variable, so every log line of the request carries it. Headers are never
logged: Authorization carries API keys.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics
from app.core.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
# Long enough for the trace ids proxies make, short and plain enough to be safe in a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
# The label of requests no route matched: their raw paths would make a label per probe.
UNMATCHED = "<unmatched>"

access_logger = logging.getLogger("app.access")


def route_template(scope: Scope) -> str:
    """The matched route's path template (/v1/articles/{article_id}), never the raw path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return UNMATCHED
    # FastAPI keeps included routers nested: a route knows its path below the router's prefix
    # only. The prefix is the part of the path before the piece the route's pattern matches
    # (prefixes are literal here: "/v1").
    pattern = getattr(route, "path_regex", None)
    path: str = scope["path"]
    if isinstance(pattern, re.Pattern):
        for start in (i for i, char in enumerate(path) if char == "/"):
            if pattern.match(path[start:]):
                return path[:start] + template
    return template


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            # The 500 handler (Starlette's outermost middleware) renders this after us; it reads
            # the id from the context variable, so it is left set: the request's task ends here.
            self._record(scope, 500, start)
            raise
        self._record(scope, status, start)
        request_id_var.reset(token)

    @staticmethod
    def _record(scope: Scope, status: int, start: float) -> None:
        seconds = time.perf_counter() - start
        method: str = scope["method"]
        route = route_template(scope)
        metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
        metrics.HTTP_LATENCY.labels(method, route).observe(seconds)
        client = scope.get("client")
        access_logger.info(
            "%s %s %d %.1fms",
            method,
            scope["path"],
            status,
            seconds * 1000,
            extra={
                "method": method,
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "client": f"{client[0]}:{client[1]}" if client else None,
            },
        )
