"""Webhooks: signing secrets, safe destinations, one signed POST, and when to try again.

The request follows Standard Webhooks (https://www.standardwebhooks.com): headers `webhook-id`,
`webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
signed by the `standardwebhooks` package, so its published verifiers accept it.

Safe by default: http and https only, no redirects followed, short timeouts, at most
LENS_WEBHOOK_MAX_RESPONSE_BYTES of a response read, and no private, loopback, link-local or
otherwise non-global destination, checked on the addresses the name resolves to, and the request
is sent to the address that was checked (so a second DNS answer cannot redirect it), unless
LENS_WEBHOOK_ALLOW_PRIVATE=true.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import random
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from standardwebhooks.webhooks import Webhook

from app import __version__
from app.core.config import Settings
from app.errors import RequestInvalidError, field_error

SECRET_PREFIX = "whsec_"  # noqa: S105  (the tag of the format, not a secret)
PLAIN, DERIVED = "plain", "derived"
_DERIVATION_TAG = b"commentary-lens webhook secret v1:"

# Attempts in all, and the wait after the n-th failed one: 20 s * 3^(n-1), at most 8 h, each
# stretched by up to 25 % at random (jitter, so receivers coming back are not hit all at once).
# The first retry comes within 25 s; the ten retries span 30 to 37.6 hours.
MAX_ATTEMPTS = 11
_FIRST_DELAY = 20.0
_GROWTH = 3.0
_LONGEST_DELAY = 8 * 3600.0
_JITTER = 0.25
# 408 and 429 say "later"; every other 4xx says the request itself is wrong.
_RETRIED_STATUSES = frozenset({408, 429})


class UnsafeDestinationError(ValueError):
    """A webhook url this server will not call."""


class MissingServerKeyError(RuntimeError):
    """A derived secret, and LENS_WEBHOOK_SECRET_KEY is not set (any more)."""


def new_secret(settings: Settings) -> tuple[str, str, str]:
    """A fresh signing secret: (scheme, salt as stored, the secret as shown once)."""
    salt = secrets.token_bytes(32)
    scheme = PLAIN if settings.webhook_secret_key is None else DERIVED
    stored = base64.b64encode(salt).decode()
    return scheme, stored, secret_of(settings, scheme, stored)


def secret_of(settings: Settings, scheme: str, salt: str) -> str:
    """The `whsec_` secret of a subscription, from what the database holds and the server key."""
    raw = base64.b64decode(salt)
    if scheme == DERIVED:
        if settings.webhook_secret_key is None:
            raise MissingServerKeyError(
                "the signing secret is derived from LENS_WEBHOOK_SECRET_KEY, which is not set"
            )
        key = settings.webhook_secret_key.get_secret_value().encode()
        raw = hmac.new(key, _DERIVATION_TAG + raw, hashlib.sha256).digest()
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) url with a host and no credentials; else a 422."""
    problem = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port that is not one)
    except ValueError as exc:
        problem = f"is not a valid url ({exc})"
    else:
        if parts.scheme not in ("http", "https"):
            problem = "must be an http or https url"
        elif not parts.hostname or any(c.isspace() for c in parts.hostname):
            problem = "has no valid host"
        elif parts.username is not None or parts.password is not None:
            problem = "must not carry a user name or password"
    if problem is not None:
        raise RequestInvalidError(
            f"The webhook url {problem}.",
            errors=[field_error(["body", "webhook", "url"], problem)],
        )
    return url


def check_destination(url: str, settings: Settings) -> str:
    """check_url, and no literal or `localhost` private destination unless they are allowed.

    Names are resolved only when sending (they may change meanwhile); this catches the
    obvious mistakes at once.
    """
    check_url(url)
    host = urlsplit(url).hostname or ""
    if settings.webhook_allow_private:
        return url
    try:
        private = not ipaddress.ip_address(host).is_global
    except ValueError:
        private = host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost")
    if private:
        problem = "is a private, loopback or link-local address (LENS_WEBHOOK_ALLOW_PRIVATE)"
        raise RequestInvalidError(
            f"The webhook host {problem}.",
            errors=[field_error(["body", "webhook", "url"], problem)],
        )
    return url


def retry_delay(failed_attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the ``failed_attempts``-th failed attempt (1 for the first)."""
    base = min(_FIRST_DELAY * _GROWTH ** (failed_attempts - 1), _LONGEST_DELAY)
    return timedelta(seconds=base * (1 + _JITTER * (rng or random).random()))


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt: the HTTP status (None without an answer), an error, and whether to retry."""

    status: int | None
    error: str | None
    retry: bool
    milliseconds: int

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(payload: dict[str, Any]) -> bytes:
    """The bytes sent and signed: compact JSON, keys in order."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signed_headers(secret: str, event_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, sent_at, body),
    }


def new_client(settings: Settings) -> httpx.Client:
    """One client per worker batch: no redirects, no proxies from the environment."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.webhook_timeout_seconds),
        headers={"user-agent": f"commentary-lens/{__version__} (webhooks)"},
    )


def send(
    client: httpx.Client,
    settings: Settings,
    *,
    url: str,
    secret: str,
    event_id: str,
    body: bytes,
    sent_at: datetime,
) -> Outcome:
    """POST ``body`` to ``url``, signed; never raises for what the destination does."""
    start = time.perf_counter()

    def outcome(status: int | None, error: str | None, retry: bool) -> Outcome:
        return Outcome(status, error, retry, round((time.perf_counter() - start) * 1000))

    try:
        target, host = _pinned(url, settings.webhook_allow_private)
    except UnsafeDestinationError as exc:
        return outcome(None, str(exc), retry=False)
    except UnicodeError as exc:  # a name IDNA cannot encode: it will never resolve
        return outcome(None, f"invalid host name: {exc}", retry=False)
    except OSError as exc:  # the name does not resolve (now): maybe later
        return outcome(None, f"cannot resolve the host: {exc}", retry=True)
    headers = {
        "content-type": "application/json",
        "host": host,
        **signed_headers(secret, event_id, sent_at, body),
    }
    extensions = {"sni_hostname": urlsplit(url).hostname or ""}
    try:
        with client.stream(
            "POST", target, content=body, headers=headers, extensions=extensions
        ) as response:
            _drain(response, settings.webhook_max_response_bytes)
            status = response.status_code
    except httpx.TimeoutException as exc:
        return outcome(None, f"timed out: {type(exc).__name__}", retry=True)
    except httpx.TransportError as exc:
        return outcome(None, f"connection failed: {type(exc).__name__}: {exc}", retry=True)
    if 200 <= status < 300:
        return outcome(status, None, retry=False)
    if 300 <= status < 400:
        return outcome(status, "redirects are not followed", retry=False)
    return outcome(status, f"HTTP {status}", retry=status >= 500 or status in _RETRIED_STATUSES)


def _drain(response: httpx.Response, limit: int) -> None:
    # Read at most `limit` bytes: a receiver cannot make the worker hold a large answer.
    read = 0
    for chunk in response.iter_raw():
        read += len(chunk)
        if read >= limit:
            break


def _pinned(url: str, allow_private: bool) -> tuple[str, str]:
    """``url`` with its host replaced by a checked address, and the Host header to send."""
    check_url_or_unsafe(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        refused = [a for a in addresses if not a.is_global]
        if refused:
            raise UnsafeDestinationError(
                f"{host} resolves to a private, loopback or link-local address ({refused[0]}); "
                "set LENS_WEBHOOK_ALLOW_PRIVATE=true to allow it"
            )
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    header = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), header


def check_url_or_unsafe(url: str) -> None:
    try:
        check_url(url)
    except RequestInvalidError as exc:
        raise UnsafeDestinationError(exc.detail) from None
