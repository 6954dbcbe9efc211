"""The database the browser tests read: a small corpus analysed by the fake analyzer.

Russia is covered from Monday 2021-03-01 to Monday 2021-04-26 with two weeks left empty, so its
weekly timeline has a known number of points, zeros included. One outlet's articles are
re-analysed by a second "model version", so those articles have a history. A read key exists,
so a server with LENS_AUTH_READS asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import create_db_engine, create_session_factory, migrate
from app.main import create_app
from app.models import KeyScope
from app.services import api_keys
from app.worker import Worker
from tests.fakes import FakeAnalyzer

FIRST_MONDAY = date(2021, 3, 1)
WEEKS = 9
EMPTY_WEEKS = frozenset({3, 6})  # the 4th and 7th week: zero-filled points
PER_WEEK = 3  # Monday, Wednesday, Friday: 22 articles in all, more than a search page holds
OUTLETS = ("Harbour Herald", "Capital Review", "Eastern Daily")
AUTHORS = ("Ann Reed", "Li Wei", "Omar Haddad")
REANALYSED_OUTLET = "Eastern Daily"
# Offsets count code points: the emoji is one in Python and two UTF-16 units in a browser.
EMOJI_TITLE = "Partners, with a smile"
EMOJI_TEXT = "🙂 Russia and China are good partners. Beijing praised Moscow."

_TEXTS = (
    "Moscow is a threat to NATO, officials said. Sergei Lavrov dismissed the crisis talk.",
    "Russia and China are good partners, Beijing said. Washington was not invited.",
    "Sergei Lavrov met officials in New Delhi. India praised the talks with Russia.",
    '"NATO is a threat to Russia and a bad neighbour," Sergei Lavrov said. '
    "The crisis on the border is bad for Russia.",
)


@dataclass(frozen=True)
class Seeded:
    database_url: str
    read_key: str
    russia_id: int
    article_ids: list[int]


def _corpus() -> list[dict[str, object]]:
    articles: list[dict[str, object]] = []
    for week in range(WEEKS):
        if week in EMPTY_WEEKS:
            continue
        for n in range(PER_WEEK):
            published = FIRST_MONDAY + timedelta(weeks=week, days=2 * n)
            text = _TEXTS[(week + n) % len(_TEXTS)]
            articles.append(
                {
                    "title": f"Week {week + 1}, story {n + 1}: {text.split('.')[0]}",
                    "text": f"{text} Filed on {published.isoformat()}.",
                    "outlet": OUTLETS[(week + n) % len(OUTLETS)],
                    "authors": [AUTHORS[(week + 2 * n) % len(AUTHORS)]],
                    "published": published.isoformat(),
                    "url": f"https://example.com/{published.isoformat()}/{n}",
                    "genre": "opinion" if n else "news",
                    "language": "en",
                }
            )
    # The last article falls on the last Monday: the timeline ends in week 9 whatever the days.
    articles[-1]["published"] = (FIRST_MONDAY + timedelta(weeks=WEEKS - 1)).isoformat()
    articles.append(
        {
            "title": EMOJI_TITLE,
            "text": EMOJI_TEXT,
            "outlet": OUTLETS[0],
            "authors": [AUTHORS[0]],
            "published": (FIRST_MONDAY + timedelta(days=1)).isoformat(),
            "url": "https://example.com/emoji",
        }
    )
    return articles


def seed(database_url: str, settings: Settings) -> Seeded:
    migrate(database_url)
    engine = create_db_engine(database_url)
    try:
        factory = create_session_factory(engine)
        with TestClient(create_app(settings)) as client:
            answer = client.post("/v1/articles/batch", json={"articles": _corpus()})
            assert answer.status_code == 202, answer.text
            ids = [item["id"] for item in answer.json()["items"]]
            _drain(factory, settings, FakeAnalyzer(version="1"))
            answer = client.post(
                "/v1/reannotate", json={"outlet": [REANALYSED_OUTLET], "all": True}
            )
            assert answer.status_code == 202, answer.text
            _drain(factory, settings, FakeAnalyzer(version="2", ignore=frozenset({"org:nato"})))
            russia = client.get("/v1/actors", params={"q": "russia"}).json()["items"][0]
        with factory() as session, session.begin():
            key = api_keys.create(session, "browser tests", KeyScope.read).secret
    finally:
        engine.dispose()
    return Seeded(database_url, key, russia["id"], ids)


def _drain(factory: sessionmaker[Session], settings: Settings, analyzer: FakeAnalyzer) -> None:
    worker = Worker(factory, analyzer, settings)
    while worker.run_once():
        pass
