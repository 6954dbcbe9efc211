"""Hostile input: injection strings, giant or deeply nested JSON, broken text, absurd dates,
limits and cursors. Each is a clear 4xx problem (or a correct, empty 200); never a 5xx.

Cases already proven elsewhere are not repeated: malformed JSON, wrong types, NUL and a lone
surrogate in `text`, non-UTF-8 bodies and the body/text limits with small settings
(tests/api/test_errors.py); edited article cursors and limit 0/101 (tests/api/test_queries.py);
NUL in every query and path parameter (tests/api/test_unstorable_text.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from tests.api.test_errors import assert_problem
from tests.conftest import article_payload, count_articles

# Seeded so that none of the words of the injections below occur in any field.
_SEED = [
    ("Moscow and Beijing", "Moscow met Beijing. Good partners.", "China Daily", "Hu Xijin"),
    ("New Delhi", "New Delhi sees a threat in Washington.", "The Hindu", "Ravi Kumar"),
]
INJECTIONS = [
    "' OR 1=1 --",
    "1; DROP TABLE articles",
    "%' UNION SELECT id, text FROM articles --",
    '") OR ("x"="x',
    "*) NEAR/2 (",
]
# Every filter that takes free text, on every list (path, parameter).
_FREE_TEXT_FILTERS = [
    ("/v1/articles", name)
    for name in (
        "actor",
        "outlet",
        "author",
        "topic",
        "language",
        "q",
        "genre",
        "status",
        "sentiment",
        "actor_sentiment",
        "actor_mode",
        "sort",
        "fields",
        "from",
        "to",
        "min_sentiment",
        "limit",
        "cursor",
    )
] + [
    ("/v1/articles/export", "q"),
    ("/v1/articles/export", "outlet"),
    ("/v1/outlets", "q"),
    ("/v1/authors", "q"),
    ("/v1/actors", "q"),
    ("/v1/actors", "kind"),
    ("/v1/runs", "cursor"),
]


@pytest.fixture
def seeded(client: TestClient, drain: Callable[[], int]) -> list[int]:
    ids = []
    for title, text, outlet, author in _SEED:
        payload = article_payload(title=title, text=text, outlet=outlet, authors=[author], url=None)
        response = client.post("/v1/articles", json=payload)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    assert drain() == len(_SEED)
    return ids


def assert_not_served_wrongly(response: Response, what: str) -> None:
    """A 4xx problem, or a 200 that found nothing (nothing seeded matches hostile strings)."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
    elif response.headers["content-type"].startswith("application/json"):
        body = response.json()
        assert body.get("items", []) == [], f"{what} matched: {body}"
    else:  # the export streams NDJSON or CSV
        lines = [line for line in response.text.splitlines() if line.strip()]
        assert len(lines) <= 1, f"{what} matched: {response.text[:500]}"


@pytest.mark.parametrize("injection", INJECTIONS)
def test_injection_strings_in_every_filter(
    client: TestClient,
    seeded: list[int],
    session_factory: sessionmaker[Session],
    injection: str,
) -> None:
    actor_id = client.get("/v1/actors").json()["items"][0]["id"]
    cases = [(path, {name: injection}) for path, name in _FREE_TEXT_FILTERS] + [
        (f"/v1/actors/{actor_id}/timeline", {"outlet": injection}),
        (f"/v1/actors/{actor_id}/timeline", {"interval": injection}),
        (f"/v1/actors/{actor_id}", {"outlets": injection}),
        (f"/v1/articles/{injection}", {}),
        (f"/v1/actors/{injection}", {}),
        (f"/v1/outlets/{injection}", {}),
        (f"/v1/authors/{injection}", {}),
    ]
    for path, params in cases:
        assert_not_served_wrongly(client.get(path, params=params), f"GET {path} {params}")

    # Nothing was dropped or leaked: the data is all there and still found the normal way.
    assert count_articles(session_factory) == len(seeded)
    found = client.get("/v1/articles", params={"q": "Moscow", "outlet": "China Daily"}).json()
    assert [item["id"] for item in found["items"]] == [seeded[0]]


def test_injection_strings_in_a_stored_article_are_kept_verbatim(
    client: TestClient, drain: Callable[[], int]
) -> None:
    payload = article_payload(
        title=INJECTIONS[0],
        text=f"Moscow said {INJECTIONS[1]}.",
        outlet=INJECTIONS[2],
        authors=[INJECTIONS[3]],
        url=None,
    )
    response = client.post("/v1/articles", json=payload)
    assert response.status_code == 202, response.text
    assert drain() == 1

    stored = client.get(f"/v1/articles/{response.json()['id']}").json()
    assert (stored["title"], stored["text"]) == (payload["title"], payload["text"])
    assert client.get("/v1/articles", params={"outlet": INJECTIONS[2]}).json()["items"]


def _raw(body: bytes) -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": "application/json"}}


_NESTED = 100_000
HOSTILE_BODIES = {
    "100k unknown keys": (
        _raw(json.dumps({"text": "ok", **{f"k{i}": i for i in range(100_000)}}).encode()),
        422,
    ),
    "deeply nested array as the body": (_raw(b"[" * _NESTED + b"]" * _NESTED), 400),
    "deeply nested array in text": (
        _raw(b'{"text": ' + b"[" * _NESTED + b"]" * _NESTED + b"}"),
        400,
    ),
    "deeply nested object in authors": (
        _raw(b'{"text": "ok", "authors": ' + b'{"a":' * _NESTED + b"1" + b"}" * _NESTED + b"}"),
        400,
    ),
    "lone surrogate in title": (_raw(b'{"text": "ok", "title": "\\udfff"}'), 422),
    "lone surrogate in outlet": (_raw(b'{"text": "ok", "outlet": "a\\ud800b"}'), 422),
    "lone surrogate in authors": (_raw(b'{"text": "ok", "authors": ["\\ud800"]}'), 422),
    "date 0000-00-00": ({"json": {"text": "ok", "published": "0000-00-00"}}, 422),
    "date 2021-13-45": ({"json": {"text": "ok", "published": "2021-13-45"}}, 422),
    "10 MB text": ({"json": {"text": "Moscow. " * (10 * 1024 * 1024 // 8)}}, 413),
}


@pytest.mark.parametrize("case", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_article_body_is_a_clear_4xx(
    client: TestClient, session_factory: sessionmaker[Session], case: tuple[dict[str, Any], int]
) -> None:
    request, status = case

    body = assert_problem(client.post("/v1/articles", **request), status)

    assert len(json.dumps(body)) < 20_000  # a bounded answer, whatever the input
    assert count_articles(session_factory) == 0


def test_10_mb_text_says_what_the_limit_is(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/articles", json={"text": "x" * (10 * 1024 * 1024)}), 413)

    assert str(8 * 1024 * 1024) in body["detail"]


@pytest.mark.parametrize(
    "text",
    [
        "tab\tand newline\nkept",
        "bell \x07 escape \x1b[31m red",
        "del \x7f and c1 \x85\x9f",
        "bidi \u202e txet",
    ],
)
def test_control_characters_in_text_are_stored_verbatim(
    client: TestClient, drain: Callable[[], int], text: str
) -> None:
    # Only NUL is refused (PostgreSQL cannot store it; tests/api/test_errors.py): the rest is
    # text a client may legitimately send, kept as sent and analysed like any other.
    response = client.post("/v1/articles", json={"title": text, "text": f"Moscow. {text}"})

    assert response.status_code == 202, response.text
    assert drain() == 1
    stored = client.get(f"/v1/articles/{response.json()['id']}").json()
    assert (stored["title"], stored["text"]) == (text, f"Moscow. {text}")
    assert stored["status"] == "done"


@pytest.mark.parametrize("value", ["0000-00-00", "2021-13-45", "2021-02-30", "99999-01-01", "-1"])
@pytest.mark.parametrize("param", ["from", "to"])
def test_impossible_dates_in_filters_are_422(
    client: TestClient, seeded: list[int], param: str, value: str
) -> None:
    actor_id = client.get("/v1/actors").json()["items"][0]["id"]
    for path in ("/v1/articles", "/v1/articles/export", f"/v1/actors/{actor_id}/timeline"):
        body = assert_problem(client.get(path, params={param: value}), 422)
        assert ["query", param] in [error["loc"] for error in body["errors"]]


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_extreme_but_valid_dates_are_answered(
    client: TestClient, seeded: list[int], interval: str
) -> None:
    actor_id = client.get("/v1/actors").json()["items"][0]["id"]
    extremes = {"from": "0001-01-01", "to": "9999-12-31"}

    assert client.get("/v1/articles", params=extremes).json()["items"]
    # ten thousand years is too many periods of any interval: a 422, not millions of points
    too_long = client.get(
        f"/v1/actors/{actor_id}/timeline", params={**extremes, "interval": interval}
    )
    assert "more than" in assert_problem(too_long, 422)["detail"]
    # the last month there is: the periods stop at date.max instead of overflowing
    last = client.get(
        f"/v1/actors/{actor_id}/timeline",
        params={"from": "9999-12-01", "to": "9999-12-31", "interval": interval},
    )
    assert last.status_code == 200, last.text
    points = last.json()["points"]
    assert points[-1]["period"] <= "9999-12-31"
    assert sum(point["articles"] for point in points) == 0
    reversed_range = {"from": "9999-12-31", "to": "0001-01-01"}
    assert_problem(client.get("/v1/articles", params=reversed_range), 422)


_LISTS = ["/v1/articles", "/v1/outlets", "/v1/authors", "/v1/actors", "/v1/runs"]


@pytest.mark.parametrize("limit", ["-1", "0", str(10**12), str(10**40), "1e3", "abc", ""])
@pytest.mark.parametrize("path", _LISTS)
def test_absurd_limits_are_422(client: TestClient, path: str, limit: str) -> None:
    body = assert_problem(client.get(path, params={"limit": limit}), 422)

    assert ["query", "limit"] in [error["loc"] for error in body["errors"]]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_FORGED = {
    "garbage": "%%%not*base64%%%",
    "base64 of bytes": _b64(bytes(range(256))),
    "base64 of broken json": _b64(b'["outlets", 1'),
    "base64 of an object": _b64(b'{"after": 1}'),
    "base64 of deep json": _b64(b"[" * 5000 + b"]" * 5000),
    "base64 of a huge number": _b64(b'["outlets", 1e400, 1]'),
    "id past bigint": _b64(json.dumps(["outlets", 3, 2**70]).encode()),
    "negative": _b64(b'["outlets", -1, -1]'),
}


@pytest.mark.parametrize("cursor", _FORGED.values(), ids=_FORGED.keys())
@pytest.mark.parametrize("path", _LISTS)
def test_forged_cursors_are_400(client: TestClient, path: str, cursor: str) -> None:
    body = assert_problem(client.get(path, params={"cursor": cursor}), 400)

    assert body["type"].endswith("invalid-cursor")


_FORGED_ARTICLE_POSITIONS = {
    "score past float": ["articles", "sentiment", 9, 1, 10**400, 4],
    "score NaN": ["articles", "sentiment", 9, 1, float("nan"), 4],
    "score infinite": ["articles", "-sentiment", 9, 1, float("inf"), 4],
    "date far future": ["articles", "-published", 9, 0, "99999-01-01T00:00:00+00:00", 4],
    "date with absurd offset": ["articles", "-published", 9, 0, "2021-01-01T00:00:00+99:00", 4],
    "id past bigint": ["articles", "-published", 9, 1, None, 2**63],
}


@pytest.mark.parametrize(
    "key", _FORGED_ARTICLE_POSITIONS.values(), ids=_FORGED_ARTICLE_POSITIONS.keys()
)
def test_forged_article_positions_are_400(client: TestClient, key: list[Any]) -> None:
    cursor = _b64(json.dumps(key).encode())  # json.dumps writes NaN and Infinity, as a forger may
    sort = key[1]

    body = assert_problem(client.get("/v1/articles", params={"cursor": cursor, "sort": sort}), 400)

    assert body["type"].endswith("invalid-cursor")


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/outlets", "/v1/authors", "/v1/actors"])
def test_tampered_cursor_is_400_or_a_valid_page(
    client: TestClient, seeded: list[int], path: str
) -> None:
    cursor = client.get(path, params={"limit": 1}).json()["next_cursor"]
    assert cursor
    for i in range(len(cursor)):
        flipped = "A" if cursor[i] != "A" else "B"
        response = client.get(path, params={"cursor": cursor[:i] + flipped + cursor[i + 1 :]})
        # an edit may still decode to a well-formed position: then it is simply another page
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert_problem(response, 400)
