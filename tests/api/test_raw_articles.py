"""Articles as people have them: pasted text and pages in; title, byline, outlet, language and
genre out, each with where it came from; null means not given; other languages skipped."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analysis, GenreGuess
from app.core.config import Settings
from app.main import create_app
from app.models import ArticleSource
from app.worker import Worker
from tests.api.test_errors import assert_problem
from tests.conftest import count_articles, make_settings
from tests.fakes import FakeAnalyzer

SHARED = Path(__file__).resolve().parents[3] / "shared/data"

PASTED = "\n\n".join(
    [
        "Harbour Times",
        "Ports must plan for higher seas",
        "- Ana Lima The writer is a professor of engineering at the University of Porto. "
        "The views don't necessarily reflect those of Harbour Times.",
        "Sea levels along the coast rose faster in the last decade than in the one before. "
        "Engineers in Lisbon say the old walls will not hold, and Moscow has the same worry.",
        "Cities that act early pay less, and I think ours should act now.",
        "Newspapers in English",
    ]
)
PAGE = (
    "<html><head><title>Senate passes border bill | The Example Times</title>"
    '<meta property="og:site_name" content="The Example Times">'
    '<meta name="author" content="Jane Doe, John Roe">'
    '<meta property="article:published_time" content="2021-03-22T10:30:00Z">'
    '<link rel="canonical" href="https://example.com/2021/03/22/border-bill"></head>'
    "<body><nav>Home | World | Sport</nav><article><h1>Senate passes border bill</h1>"
    "<p>The Senate on Tuesday passed a bill that would tighten border security, after weeks of "
    "talks between the two parties over how the money would be spent.</p>"
    "<p>The House is expected to vote on the measure next week, and the president said he "
    "would sign it into law as soon as it reached his desk.</p></article>"
    "<footer>Subscribe to our newsletter</footer></body></html>"
)
GERMAN = (
    "Die Bundesregierung hat am Dienstag neue Regeln für den Handel mit China beschlossen. "
    "Kritiker sprechen von einem Fehler, die Wirtschaft begrüßt die Entscheidung."
)


class GenreReadingAnalyzer(FakeAnalyzer):
    """The fake analyzer, with a genre reading as the bundled head gives one."""

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        return [
            dataclasses.replace(a, genre=GenreGuess("opinion" if " I " in t else "news", 0.75))
            for a, t in zip(super().analyze(texts), texts, strict=True)
        ]


@pytest.fixture
def analyzer() -> FakeAnalyzer:
    return GenreReadingAnalyzer()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)  # English only, as by default


def post(client: TestClient, body: dict[str, Any], status: int = 202) -> dict[str, Any]:
    response = client.post("/v1/articles", json=body)
    assert response.status_code == status, response.text
    return client.get(response.headers["location"]).json()


def test_pasted_text_fills_the_fields_not_given_and_says_so(client: TestClient) -> None:
    stored = post(client, {"text": PASTED})

    assert stored["text"] == PASTED  # stored as received
    assert stored["title"] == "Ports must plan for higher seas"
    assert stored["outlet"] == "Harbour Times"
    assert stored["authors"] == ["Ana Lima"]
    assert [(b["name"], b["affiliation"]) for b in stored["bylines"]] == [
        ("Ana Lima", "University of Porto")
    ]
    assert stored["language"] == "en"
    assert stored["sources"] == {
        "title": "extracted",
        "outlet": "extracted",
        "authors": "extracted",
        "language": "detected",
    }
    kinds = {part["kind"] for part in stored["layout"]}
    assert kinds == {"outlet", "headline", "byline", "author_note", "disclaimer", "chrome"}
    for part in stored["layout"]:
        assert 0 <= part["start"] < part["end"] <= len(PASTED)


def test_given_fields_always_win(client: TestClient) -> None:
    stored = post(
        client,
        {
            "text": PASTED,
            "title": "My title",
            "outlet": "Other Outlet",
            "authors": [{"name": "Someone Else", "affiliation": "Their Institute"}],
            "language": "en-GB",
            "genre": "news",
        },
    )

    assert (stored["title"], stored["outlet"], stored["authors"]) == (
        "My title",
        "Other Outlet",
        ["Someone Else"],
    )
    assert stored["bylines"][0]["affiliation"] == "Their Institute"
    assert (stored["language"], stored["genre"], stored["genre_source"]) == (
        "en-GB",
        "news",
        "given",
    )
    assert set(stored["sources"].values()) == {"given"}


def test_the_detected_genre_is_stored_and_filtered_on_given_from_detected(
    client: TestClient, drain: Callable[[], int]
) -> None:
    article_id = post(client, {"text": PASTED})["id"]
    given = post(client, {"text": PASTED + "\n\nMore.", "genre": "news"})["id"]
    assert drain() == 2

    # (the real Analyzer keeps the layout out: tests/analysis/test_analyzer.py)
    stored = client.get(f"/v1/articles/{article_id}").json()
    assert (stored["genre"], stored["genre_source"], stored["genre_score"]) == (
        "opinion",
        "detected",
        0.75,
    )
    # a given genre is never replaced by a detected one
    assert client.get(f"/v1/articles/{given}").json()["genre_source"] == "given"

    def ids(**params: Any) -> list[int]:
        return [i["id"] for i in client.get("/v1/articles", params=params).json()["items"]]

    assert ids(genre="opinion") == [article_id]
    assert ids(genre="news", genre_source="given") == [given]
    assert ids(genre_source="detected") == [article_id]
    item = client.get("/v1/articles", params={"genre": "opinion"}).json()["items"][0]
    assert item["genre_source"] == "detected"


def test_html_is_extracted_and_the_page_kept(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    stored = post(client, {"html": PAGE})

    assert stored["text"].startswith("The Senate on Tuesday passed a bill")
    assert "Subscribe" not in stored["text"]
    assert "Senate passes" not in stored["text"]  # the headline is the title, not the text
    assert stored["title"] == "Senate passes border bill"
    assert stored["outlet"] == "The Example Times"
    assert stored["authors"] == ["Jane Doe", "John Roe"]
    assert stored["published"] == "2021-03-22T10:30:00Z"
    assert stored["url"] == "https://example.com/2021/03/22/border-bill"
    assert stored["sources"]["title"] == stored["sources"]["url"] == "extracted"
    with session_factory() as session:
        page = session.scalars(select(ArticleSource)).one()
    assert gzip.decompress(page.content).decode() == PAGE
    assert page.extractor.startswith("trafilatura@")
    assert page.size == len(PAGE.encode())

    again = client.post("/v1/articles/batch", json={"articles": [{"html": PAGE}]})
    assert again.status_code == 200
    assert again.json()["items"][0]["id"] == stored["id"]


@pytest.mark.parametrize(
    ("body", "loc", "status"),
    [
        ({"text": "Some text.", "html": PAGE}, ["body", "text"], 422),
        ({"html": "<html><body><nav>Home</nav></body></html>"}, ["body", "html"], 422),
        ({"html": "<p>" + "x" * 3000 + "</p>"}, ["body", "html"], 422),
        ({"title": "Neither"}, ["body", "text"], 422),
    ],
    ids=["both", "no article in the page", "page too large", "neither"],
)
def test_unusable_input_is_a_problem_that_names_the_field(
    database_url: str,
    session_factory: sessionmaker[Session],
    body: dict[str, Any],
    loc: list[str],
    status: int,
) -> None:
    settings = make_settings(database_url, max_html_bytes=2048)
    with TestClient(create_app(settings)) as small:
        problem = assert_problem(small.post("/v1/articles", json=body), status)
        batch = assert_problem(small.post("/v1/articles/batch", json={"articles": [body]}), 422)

    assert loc in [error["loc"] for error in problem["errors"]]
    assert [*loc[:1], "articles", 0, *loc[1:]] in [error["loc"] for error in batch["errors"]]
    assert count_articles(session_factory) == 0


def test_the_extracted_text_is_held_to_the_text_limit(database_url: str) -> None:
    settings = make_settings(database_url, max_text_chars=100)
    with TestClient(create_app(settings)) as small:
        problem = assert_problem(small.post("/v1/articles", json={"html": PAGE}), 422)

    assert problem["errors"][0]["loc"] == ["body", "html"]
    assert "at most 100" in problem["errors"][0]["msg"]


def test_null_means_not_given_in_single_and_batch_requests(client: TestClient) -> None:
    nulls = {
        "title": None,
        "outlet": None,
        "authors": None,
        "published": None,
        "url": None,
        "language": None,
        "genre": None,
        "html": None,
    }
    single = post(client, {"text": "Moscow and Beijing drew closer.", **nulls})
    batch = client.post(
        "/v1/articles/batch", json={"articles": [{"text": "Another text.", **nulls}]}
    )

    assert (single["authors"], single["genre"], single["genre_source"]) == ([], "unknown", None)
    assert batch.status_code == 202, batch.text


def test_another_language_is_stored_and_skipped_with_its_reason(
    client: TestClient, drain: Callable[[], int]
) -> None:
    response = client.post("/v1/articles", json={"text": GERMAN})
    stored = client.get(response.headers["location"]).json()

    assert response.status_code == 202
    assert response.json()["status"] == "skipped"
    assert (stored["status"], stored["language"]) == ("skipped", "de")
    assert "language 'de' is not analysed" in stored["skip_reason"]
    assert drain() == 0  # never claimed
    assert (
        client.get("/v1/articles", params={"status": "skipped"}).json()["items"][0]["id"]
        == (stored["id"])
    )
    given = client.post("/v1/articles", json={"text": "Short.", "language": "de-AT"}).json()
    assert given["status"] == "skipped"


def test_a_setting_lets_more_languages_be_analysed(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    settings = make_settings(database_url, analysis_languages="en,de")
    with TestClient(create_app(settings)) as wider:
        stored = post(wider, {"text": GERMAN})
    worker = Worker(session_factory, FakeAnalyzer(), settings)

    assert stored["status"] == "pending"
    assert worker.run_once() == 1


def test_short_texts_are_never_skipped_on_a_guess(client: TestClient) -> None:
    for text in ("Just text.", "ok", "Russia and China stand together"):
        stored = post(client, {"text": text})
        assert (stored["status"], stored["language"]) == ("pending", None)


def test_authors_keep_their_affiliation(client: TestClient) -> None:
    post(client, {"text": PASTED})
    post(
        client,
        {
            "text": "Another column. It says more.",
            "authors": [{"name": "Ana Lima", "affiliation": "Porto Institute"}],
            "published": "2022-01-01",
        },
    )
    author = client.get("/v1/authors", params={"q": "lima"}).json()["items"][0]
    profile = client.get(f"/v1/authors/{author['id']}").json()

    assert profile["affiliation"] == "Porto Institute"  # the latest article's
    assert [(a["name"], a["articles"]) for a in profile["affiliations"]] == [
        ("Porto Institute", 1),
        ("University of Porto", 1),
    ]


@pytest.mark.shared_data
def test_the_sample_op_ed_posted_with_only_text(client: TestClient) -> None:
    path = SHARED / "samples/china-daily-trenin-op-ed.txt"
    if not path.exists():
        pytest.skip("../shared/data is absent")
    stored = post(client, {"text": path.read_text(encoding="utf-8")})

    assert stored["title"] == "China, Russia have to forge closer ties"
    assert stored["outlet"] == "China Daily"
    assert [(b["name"], b["affiliation"]) for b in stored["bylines"]] == [
        ("Dmitri Trenin", "Carnegie Moscow Center")
    ]
    assert stored["language"] == "en"
