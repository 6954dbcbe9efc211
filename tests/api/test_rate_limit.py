"""Rate limits: per key (per client IP without one), RateLimit-* headers, 429 then recovery."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.api.rate_limit import RateLimiter, parse_limits
from app.main import create_app
from app.models import KeyScope
from tests.api.test_auth import bearer, new_key
from tests.api.test_errors import assert_problem
from tests.conftest import make_settings

_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@pytest.fixture
def limited_app(database_url: str, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(make_settings(database_url, rate_limit="3/second"))


@pytest.fixture
def limited(limited_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(limited_app) as test_client:
        yield test_client


def test_429_with_retry_after_then_recovery(limited: TestClient) -> None:
    answers = [limited.get("/v1/topics") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.headers["RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    assert all(r.headers["RateLimit-Limit"] == "3" for r in answers)
    assert all(r.headers["RateLimit-Reset"] == "1" for r in answers)

    refused = limited.get("/v1/topics")
    body = assert_problem(refused, 429)
    assert body["type"].endswith(":rate-limited")
    assert "3 requests in 1 seconds" in body["detail"]
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after == 1
    assert refused.headers["RateLimit-Remaining"] == "0"

    time.sleep(retry_after + 0.05)
    recovered = limited.get("/v1/topics")
    assert recovered.status_code == 200
    assert recovered.headers["RateLimit-Remaining"] == "2"


def test_each_key_and_each_client_ip_has_its_own_budget(
    limited: TestClient, limited_app: FastAPI, session_factory: sessionmaker[Session]
) -> None:
    first, second = (new_key(session_factory, KeyScope.read, n) for n in ("a", "b"))
    for _ in range(3):
        assert limited.get("/v1/topics", headers=bearer(first)).status_code == 200
    assert limited.get("/v1/topics", headers=bearer(first)).status_code == 429
    assert limited.get("/v1/topics", headers=bearer(second)).status_code == 200
    assert limited.get("/v1/topics").status_code == 200

    for _ in range(3):
        limited.get("/v1/topics")
    assert limited.get("/v1/topics").status_code == 429
    with TestClient(limited_app, client=("203.0.113.7", 4000)) as elsewhere:
        assert elsewhere.get("/v1/topics").status_code == 200


def test_errors_carry_the_headers_and_health_is_not_limited(limited: TestClient) -> None:
    missing = limited.get("/v1/articles/999999")
    assert missing.status_code == 404
    assert missing.headers["RateLimit-Remaining"] == "2"
    for _ in range(10):
        health = limited.get("/healthz")
        assert health.status_code == 200
        assert not any(name in health.headers for name in _HEADERS)


def test_writes_are_limited_too(limited: TestClient) -> None:
    statuses = [limited.post("/v1/articles", json={}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_no_limit_no_headers(database_url: str, session_factory: sessionmaker[Session]) -> None:
    with TestClient(create_app(make_settings(database_url, rate_limit="0"))) as client:
        answer = client.get("/v1/topics")
    assert answer.status_code == 200
    assert not any(name in answer.headers for name in _HEADERS)


def test_the_limit_settings() -> None:
    assert [str(item) for item in parse_limits("600")] == [str(parse_limits("600/minute")[0])]
    assert parse_limits("") == parse_limits("0") == []
    assert len(parse_limits("20/second;600/minute")) == 2
    with pytest.raises(ValueError, match="LENS_RATE_LIMIT='often'"):
        parse_limits("often")


def test_the_tightest_of_several_limits_is_reported() -> None:
    limiter = RateLimiter("2/second;100/minute")
    verdicts = [limiter.hit("someone") for _ in range(3)]
    assert [(v.allowed, v.limit, v.remaining) for v in verdicts if v] == [
        (True, 2, 1),
        (True, 2, 0),
        (False, 2, 0),
    ]


def test_an_unreachable_store_does_not_take_the_api_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pytest.importorskip("redis")
    limiter = RateLimiter("2/second", "redis://127.0.0.1:1")
    with caplog.at_level(logging.WARNING, logger="app.api.rate_limit"):
        assert limiter.hit("someone") is None
        assert limiter.hit("someone") is None
    assert caplog.text.count("rate limit storage unavailable") == 1


def test_redis_shares_the_counts_between_processes() -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    one, other = RateLimiter("2/minute", url), RateLimiter("2/minute", url)
    identity = f"ip:test-{uuid.uuid4().hex}"
    verdicts = [one.hit(identity), other.hit(identity), one.hit(identity)]
    assert [(v.allowed, v.remaining) for v in verdicts if v] == [(True, 1), (True, 0), (False, 0)]
