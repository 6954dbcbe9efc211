"""The benchmark corpus: real articles replicated, with generated (not model) annotations.

The articles are the 10,000 of ../shared/data/articles/allsides-10k.jsonl.gz (title, text, outlet,
authors, date). Replica ``r`` of article ``i`` keeps the text and authors, shifts the date by
``r * 41`` days (wrapped into 2012-2022) and, for ``r % 5 != 0``, moves it to a sister outlet
(``"<outlet> #<r % 5>"``), so a corpus of N articles has N / 10,000 copies of each text.

The annotations are generated, deterministically from ``--seed``, because the real models are
still being trained (and would take days on 2 cores for a million articles). They are shaped like
the real ones so the queries see realistic selectivity:

- actors: a universe of ``ACTORS`` (3,000): every country (pycountry), the organisations and
  groups of app/analysis/data/actors, then generated people. Each article mentions 1 + Poisson(7)
  distinct actors (at most 25) drawn from a Zipf distribution (s = 1.1) over that universe, so
  rank 1 (the United States) is in 75 % of the articles, rank 10 in 12 %, rank 200 in
  0.4 %: most actors are rare.
- each actor has Geometric(0.5) mentions (at least 1; spans inside the text), a salience, an author
  sentiment score N(bias, 0.4) clipped to [-1, 1], where the bias depends on the actor and the
  outlet (some outlets are hostile to some actors), labelled negative below -0.2, positive above
  0.2;
- document sentiment N(-0.15, 0.45); 1 to 3 IPTC topics drawn with news-like weights;
  genre opinion 30 %, news 65 %, unknown 5 %.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pycountry
from dateutil import parser as dateparser

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "data" / "articles" / "allsides-10k.jsonl.gz"
ACTORS = 3000
ZIPF_S = 1.1
FIRST_DAY = date(2012, 1, 1)
DAYS = (date(2023, 1, 1) - FIRST_DAY).days
_HEAD = [  # the most covered actors, in rank order
    "country:USA", "country:CHN", "country:RUS", "person:joe biden", "person:donald trump",
    "country:UKR", "country:GBR", "org:nato", "person:vladimir putin", "country:IND",
    "country:ISR", "country:IRN", "org:un", "country:DEU", "person:xi jinping", "country:FRA",
    "org:eu", "country:JPN", "country:PRK", "person:sergei lavrov",
]  # fmt: skip
_PEOPLE = {
    "person:joe biden": "Joe Biden",
    "person:donald trump": "Donald Trump",
    "person:vladimir putin": "Vladimir Putin",
    "person:xi jinping": "Xi Jinping",
    "person:sergei lavrov": "Sergei Lavrov",
}
_FIRST = ("Anna", "Boris", "Carlos", "Dana", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon")
_LAST = ("Ivanova", "Petrov", "Garcia", "Kim", "Rossi", "Haddad", "Chen", "Sato", "Moreau", "Berg",
         "Mensah", "Novak", "Silva", "Khan", "Lopez", "Singh", "Weber", "Costa")  # fmt: skip
_TOPIC_WEIGHTS = {
    "medtop:11000000": 30, "medtop:16000000": 12, "medtop:04000000": 15, "medtop:02000000": 8,
    "medtop:14000000": 7, "medtop:07000000": 6, "medtop:06000000": 5, "medtop:13000000": 4,
    "medtop:01000000": 3, "medtop:05000000": 3, "medtop:09000000": 2, "medtop:03000000": 2,
    "medtop:12000000": 1, "medtop:15000000": 1, "medtop:08000000": 1, "medtop:10000000": 1,
    "medtop:17000000": 1,
}  # fmt: skip
_GENRES = ("opinion", "news", "unknown")
_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class Actor:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(slots=True)
class Source:
    title: str
    text: str
    outlet: str
    authors: list[str]
    url: str
    day: int  # days since FIRST_DAY


@dataclass(slots=True)
class Chunk:
    """Rows of a run of consecutive articles, as tuples in each table's column order."""

    articles: list[tuple[Any, ...]] = field(default_factory=list)
    authors: list[tuple[int, int, int]] = field(default_factory=list)
    sentiments: list[tuple[Any, ...]] = field(default_factory=list)
    topics: list[tuple[Any, ...]] = field(default_factory=list)
    actors: list[tuple[Any, ...]] = field(default_factory=list)
    mentions: list[tuple[Any, ...]] = field(default_factory=list)


def actor_universe() -> list[Actor]:
    """ACTORS actors in Zipf rank order: the head list, then countries, organisations, people."""
    data = ROOT / "app" / "analysis" / "data" / "actors"
    found: dict[str, Actor] = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        key = f"country:{country.alpha_3}"
        found[key] = Actor(key, name, "country", (country.alpha_3, country.alpha_2))
    found["country:USA"] = Actor("country:USA", "United States", "country", ("USA", "US"))
    found["country:RUS"] = Actor("country:RUS", "Russia", "country", ("RUS", "Russian Federation"))
    for item in json.loads((data / "organizations.json").read_text())["organizations"]:
        found[item["key"]] = Actor(
            item["key"], item["name"], "organization", tuple(item["aliases"])
        )
    for item in json.loads((data / "groups.json").read_text())["groups"]:
        found[item["key"]] = Actor(item["key"], item["name"], "group", tuple(item["aliases"]))
    for key, name in _PEOPLE.items():
        found[key] = Actor(key, name, "person", (name.split()[-1],))
    ordered = [found[key] for key in _HEAD if key in found]
    ordered += sorted((a for a in found.values() if a.key not in _HEAD), key=lambda a: _hash(a.key))
    n = 0
    while len(ordered) < ACTORS:
        first, last = _FIRST[n % len(_FIRST)], _LAST[(n // len(_FIRST)) % len(_LAST)]
        name = f"{first} {last} {n // (len(_FIRST) * len(_LAST)) + 1}"
        ordered.append(Actor(f"person:{name.lower()}", name, "person", ()))
        n += 1
    return ordered[:ACTORS]


def read_sources(path: Path = SOURCE) -> list[Source]:
    sources = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            raw = json.loads(line)
            authors = [a.strip() for a in (raw.get("authors") or "").split(",") if a.strip()]
            sources.append(
                Source(
                    title=raw.get("title") or "",
                    text=raw["text"],
                    outlet=raw.get("outlet") or "Unknown",
                    authors=authors[:3],
                    url=raw.get("url") or f"https://bench.example/{n}",
                    day=_day(raw.get("published"), n),
                )
            )
    return sources


def outlet_name(source: Source, replica: int) -> str:
    return source.outlet if replica % 5 == 0 else f"{source.outlet} #{replica % 5}"


def chunks(
    sources: list[Source],
    total: int,
    size: int,
    *,
    seed: int,
    outlet_ids: dict[str, int],
    author_ids: dict[str, int],
    run_id: int,
) -> Iterator[Chunk]:
    """The corpus, ``size`` articles at a time; article ids are 1..total."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, ACTORS + 1, dtype=np.float64)
    # cumulative distributions: a draw is a binary search, not an O(ACTORS) rng.choice(p=...)
    zipf = np.cumsum(ranks**-ZIPF_S)
    zipf /= zipf[-1]
    codes = list(_TOPIC_WEIGHTS)
    topic_p = np.cumsum([_TOPIC_WEIGHTS[c] for c in codes]).astype(np.float64)
    topic_p /= topic_p[-1]
    labels = _topic_labels()
    # one hostility bias per (actor, outlet), as a hash: no table of 3,000 x 1,350 floats
    now = datetime(2023, 1, 2, tzinfo=UTC)
    for start in range(0, total, size):
        chunk = Chunk()
        for article_id in range(start + 1, min(start + size, total) + 1):
            index = (article_id - 1) % len(sources)
            replica = (article_id - 1) // len(sources)
            source = sources[index]
            outlet = outlet_name(source, replica)
            outlet_id = outlet_ids[outlet]
            day = FIRST_DAY + timedelta(days=(source.day + replica * 41) % DAYS)
            published = datetime(day.year, day.month, day.day, tzinfo=UTC)
            draw = rng.random()
            genre = _GENRES[0 if draw < 0.3 else 1 if draw < 0.95 else 2]
            chunk.articles.append(
                (
                    article_id, source.title, source.text,
                    f"{source.url}#r{replica}" if replica else source.url,
                    outlet_id, published, False, "en", genre,
                    hashlib.sha256(f"bench:{article_id}".encode()).hexdigest(),
                    now, "done", 1, run_id, now,
                )
            )  # fmt: skip
            for position, name in enumerate(source.authors):
                chunk.authors.append((article_id, author_ids[name], position))
            _document(chunk, article_id, rng, codes, topic_p, labels)
            _actors(chunk, article_id, source, published, outlet_id, rng, zipf)
        yield chunk


def _document(
    chunk: Chunk,
    article_id: int,
    rng: np.random.Generator,
    codes: list[str],
    topic_p: np.ndarray[Any, Any],
    labels: dict[str, str],
) -> None:
    score = min(1.0, max(-1.0, float(rng.normal(-0.15, 0.45))))
    label = _label(score)
    chunk.sentiments.append(
        (article_id, label, round(score, 4), _probabilities(score), "[0]", "[]")
    )
    picked: list[int] = []
    wanted = int(rng.integers(1, 4))
    while len(picked) < wanted:
        i = int(np.searchsorted(topic_p, rng.random()))
        if i not in picked:
            picked.append(i)
    for rank, i in enumerate(picked):
        chunk.topics.append((article_id, codes[i], labels[codes[i]], round(0.9 - 0.25 * rank, 3)))


def _actors(
    chunk: Chunk,
    article_id: int,
    source: Source,
    published: datetime,
    outlet_id: int,
    rng: np.random.Generator,
    zipf: np.ndarray[Any, Any],
) -> None:
    count = min(25, 1 + int(rng.poisson(7)))
    drawn: list[int] = []
    while len(drawn) < count:
        for rank in np.searchsorted(zipf, rng.random(count * 2)).tolist():
            if int(rank) not in drawn:
                drawn.append(int(rank))
            if len(drawn) == count:
                break
    mentions = rng.geometric(0.5, size=len(drawn)).tolist()
    total = sum(mentions)
    length = max(len(source.text), 1)
    for rank, n in zip(drawn, mentions, strict=True):
        actor_id = rank + 1
        bias = (((actor_id * 7919 + outlet_id * 104729) % 1000) / 1000 - 0.6) * 0.8
        score = round(min(1.0, max(-1.0, float(rng.normal(bias, 0.4)))), 4)
        chunk.actors.append(
            (
                article_id, actor_id, n, round(n / total, 4), _label(score), score,
                _probabilities(score), "[0]", published, outlet_id,
            )
        )  # fmt: skip
        for _ in range(n):
            begin = int(rng.random() * max(length - 12, 1))
            end = min(begin + 8, len(source.text))
            chunk.mentions.append(
                (article_id, actor_id, source.text[begin:end], "LOC", begin, end, 0)
            )


def _label(score: float) -> str:
    return "negative" if score < -0.2 else "positive" if score > 0.2 else "neutral"


def _probabilities(score: float) -> str:
    positive = max(0.0, score) * 0.8 + 0.1
    negative = max(0.0, -score) * 0.8 + 0.1
    neutral = 1 - positive - negative
    return f'{{"negative": {negative:.3f}, "neutral": {neutral:.3f}, "positive": {positive:.3f}}}'


def _topic_labels() -> dict[str, str]:
    path = ROOT / "app" / "analysis" / "data" / "iptc_media_topics.json"
    return {t["code"]: t["label"] for t in json.loads(path.read_text())}


def _day(raw: Any, n: int) -> int:
    try:
        parsed = dateparser.parse(str(raw)).date() if raw else None
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None or not FIRST_DAY <= parsed < FIRST_DAY + timedelta(days=DAYS):
        return _hash(f"day:{n}") % DAYS
    return (parsed - FIRST_DAY).days


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
