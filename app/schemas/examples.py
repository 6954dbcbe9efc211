"""OpenAPI examples drawn from the sample op-ed: Dmitri Trenin, "China, Russia have to forge closer
ties", China Daily, 2021-03-24 (../shared/data/samples/china-daily-trenin-op-ed.txt)."""

from __future__ import annotations

from typing import Any

RUSSIA = {"id": 3, "key": "country:RUS", "name": "Russia", "kind": "country"}
CHINA = {"id": 2, "key": "country:CHN", "name": "China", "kind": "country"}
USA = {"id": 1, "key": "country:USA", "name": "United States", "kind": "country"}
LAVROV = {"id": 7, "key": "person:sergei lavrov", "name": "Sergei Lavrov", "kind": "person"}

_POLITICS = {"code": "medtop:11000000", "label": "politics", "score": 0.71}
_CONFLICT = {"code": "medtop:16000000", "label": "conflict, war and peace", "score": 0.18}


def _sentiment(label: str, score: float) -> dict[str, Any]:
    return {"label": label, "score": score}


ARTICLE_ITEM: dict[str, Any] = {
    "id": 1042,
    "title": "China, Russia have to forge closer ties",
    "outlet": "China Daily",
    "authors": ["Dmitri Trenin"],
    "published": "2021-03-24",
    "url": "https://www.chinadaily.com.cn/a/202103/24/WS605a6d1ea31024ad0bab1573.html",
    "status": "done",
    "genre": "opinion",
    "language": "en",
    "sentiment": _sentiment("neutral", -0.08),
    "topics": [_POLITICS, _CONFLICT],
    "actors": [
        {**USA, "sentiment": _sentiment("negative", -0.46)},
        {**CHINA, "sentiment": _sentiment("positive", 0.31)},
        {**RUSSIA, "sentiment": _sentiment("positive", 0.27)},
        {**LAVROV, "sentiment": _sentiment("neutral", 0.02)},
    ],
    "matched_actors": [{**USA, "sentiment": _sentiment("negative", -0.46)}],
}

_TALLY = {"mean": -0.31, "negative": 41, "neutral": 22, "positive": 9}

ACTOR_PROFILE: dict[str, Any] = {
    **USA,
    "aliases": ["america", "u.s.", "united states", "us", "usa"],
    "part_of": None,
    "parts": [
        {"id": 41, "key": "org:white house", "name": "White House", "kind": "organization"},
        {"id": 58, "key": "org:us congress", "name": "US Congress", "kind": "organization"},
    ],
    "article_count": 72,
    "mention_count": 388,
    "first_seen": "2021-01-04T00:00:00Z",
    "last_seen": "2021-06-28T00:00:00Z",
    "sentiment": _TALLY,
    "by_outlet": [
        {
            "outlet_id": 4,
            "outlet": "China Daily",
            "articles": 38,
            "mentions": 214,
            "sentiment": {"mean": -0.44, "negative": 27, "neutral": 9, "positive": 2},
        }
    ],
    "co_mentions": [{"actor": CHINA, "articles": 57}, {"actor": RUSSIA, "articles": 31}],
}

_PASSAGE = (
    "The other side of the ledger, however, now features a particularly close relationship between "
    "Moscow and Beijing, each of which regards Washington’s policies as essentially hostile."
)

ACTOR_PASSAGES: dict[str, Any] = {
    "actor": USA,
    "items": [
        {
            "article_id": 1042,
            "label": "negative",
            "score": -0.46,
            "passages": [
                {
                    "start": 3282,
                    "end": 3282 + len(_PASSAGE),
                    "text": _PASSAGE,
                    "label": "negative",
                    "score": -0.52,
                    "weight": 0.61,
                    "kind": "passage",
                    "mentions": [{"start": 136, "end": 146}],
                }
            ],
        }
    ],
}

ACTOR_TIMELINE: dict[str, Any] = {
    "actor": CHINA,
    "interval": "week",
    "from": "2021-03-15",
    "to": "2021-03-31",
    "points": [
        {"period": "2021-03-15", "articles": 9, "mentions": 40, "sentiment": _TALLY},
        {
            "period": "2021-03-22",
            "articles": 12,
            "mentions": 61,
            "sentiment": {"mean": 0.12, "negative": 3, "neutral": 5, "positive": 4},
        },
        {
            "period": "2021-03-29",
            "articles": 0,
            "mentions": 0,
            "sentiment": {"mean": None, "negative": 0, "neutral": 0, "positive": 0},
        },
    ],
}

OUTLET_PROFILE: dict[str, Any] = {
    "id": 4,
    "name": "China Daily",
    "article_count": 1520,
    "first_published": "2020-01-02T00:00:00Z",
    "last_published": "2021-06-30T00:00:00Z",
    "sentiment": {"mean": -0.05, "negative": 402, "neutral": 811, "positive": 307},
    "top_actors": [
        {"actor": USA, "articles": 640, "mentions": 3120, "sentiment": _TALLY},
        {
            "actor": RUSSIA,
            "articles": 212,
            "mentions": 801,
            "sentiment": {"mean": 0.22, "negative": 21, "neutral": 103, "positive": 88},
        },
    ],
    "topics": [
        {"code": "medtop:11000000", "label": "politics", "articles": 640, "share": 0.42},
        {
            "code": "medtop:16000000",
            "label": "conflict, war and peace",
            "articles": 180,
            "share": 0.12,
        },
    ],
}

_QUOTE: dict[str, Any] = {
    "start": 412,
    "end": 489,
    "text": "Washington is trying to contain us and everyone who does not obey it.",
    "kind": "direct",
    "cue": "said",
    "how": "explicit",
    "speaker": {"id": 7, "key": "person:sergei lavrov", "name": "Sergei Lavrov"},
    "speaker_name": "Sergei Lavrov",
    "targets": [
        {
            "actor": {"id": 1, "key": "country:USA", "name": "United States"},
            "label": "negative",
            "score": -0.81,
        }
    ],
}
QUOTE_ITEM: dict[str, Any] = {
    "id": 5120,
    "article_id": 1042,
    "title": "Lavrov in Beijing: 'the US is a threat to everyone'",
    "outlet": "Global Times",
    "published": "2021-03-22T00:00:00Z",
    **_QUOTE,
}
ACTOR_RELATIONS: dict[str, Any] = {
    "actor": {"id": 7, "key": "person:sergei lavrov", "name": "Sergei Lavrov"},
    "direction": "from",
    "items": [
        {
            "actor": {"id": 1, "key": "country:USA", "name": "United States"},
            "articles": 14,
            "quotations": {"negative": 17, "neutral": 6, "positive": 1},
            "latest": [QUOTE_ITEM],
        }
    ],
}
