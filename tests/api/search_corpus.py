"""A small corpus for the query tests, analysed by the fake analyzer (tests/fakes.py).

What the fake finds: actors by name (Moscow -> Russia, Beijing -> China, New Delhi -> India,
Washington -> United States, NATO, Sergei Lavrov); the sentiment of a sentence or text from a few
words ("partner", "good", "praise", "friend" positive; "threat", "hostile", "crisis", "condemn"
negative); topic "economy" when the text says "trade", else "politics", plus "world".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import article_payload


@dataclass(frozen=True)
class Doc:
    outlet: str
    authors: list[str]
    published: str | None
    title: str
    text: str
    genre: str = "opinion"
    language: str = "en"


# Index: expected facts (actors: label of the author's sentiment; document label; topic).
CORPUS = [
    # 0: RUS +, CHN +, USA -; neutral; politics
    Doc(
        "China Daily",
        ["Dmitri Trenin"],
        "2021-03-24",
        "China, Russia have to forge closer ties",
        "Moscow and Beijing are partners. Washington is a threat.",
    ),
    # 1: IND -, CHN 0; negative; economy
    Doc(
        "Global Times",
        ["Hu Xijin"],
        "2021-03-10",
        "India border talks",
        "New Delhi is hostile. China wants trade.",
    ),
    # 2: Lavrov 0, NATO 0, RUS -; negative; politics
    Doc(
        "RT",
        ["Anna Ivanova"],
        "2021-03-30",
        "Lavrov meets NATO",
        "Sergei Lavrov met NATO. Russia sees a crisis.",
        genre="news",
    ),
    # 3: IND +, RUS +; positive; politics
    Doc(
        "RT",
        ["Anna Ivanova", "Boris Petrov"],
        "2021-04-02",
        "A friend in India",
        "India praised Russia as a good friend.",
    ),
    # 4: IND 0, CHN 0; neutral; politics; no date
    Doc("The Hindu", [], None, "Watching Beijing", "India watches China closely.", genre="news"),
    # 5: CHN -, IND -; negative; politics; French
    Doc(
        "Le Monde",
        ["Jean Dupont"],
        "2021-03-15",
        "La Chine et l'Inde",
        "China is a threat to India.",
        genre="news",
        language="fr",
    ),
    # 6: CHN -, USA -; negative; economy
    Doc(
        "China Daily",
        ["Dmitri Trenin"],
        "2021-04-20",
        "Trade crisis deepens",
        "Beijing condemns Washington. The crisis in trade deepens.",
    ),
    # 7: IND 0, CHN 0; positive; politics
    Doc(
        "Global Times",
        ["Hu Xijin"],
        "2021-02-01",
        "Good news from Delhi",
        "India and China agree. It is good news.",
        genre="news",
    ),
]
NEWEST_FIRST = [6, 3, 2, 0, 5, 1, 7, 4]


def post(client: TestClient, doc: Doc) -> int:
    payload = article_payload(
        outlet=doc.outlet,
        authors=doc.authors,
        published=doc.published,
        title=doc.title,
        text=doc.text,
        genre=doc.genre,
        language=doc.language,
        url=None,
    )
    response = client.post("/v1/articles", json=payload)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def found(client: TestClient, ids: list[int], **params: Any) -> list[int]:
    """The corpus indexes GET /v1/articles returns, in order (one page of 100)."""
    response = client.get("/v1/articles", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    index = {article_id: i for i, article_id in enumerate(ids)}
    return [index[item["id"]] for item in response.json()["items"]]


def walk(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        page = client.get(path, params=params | ({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        if (cursor := body["next_cursor"]) is None:
            return items
    raise AssertionError("the cursor never ended")
