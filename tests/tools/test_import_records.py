"""From input rows to articles: mapping, bylines, messy dates, validation by ArticleIn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.core.config import Settings
from app.models.article import Genre
from app.services.import_records import (
    FieldMap,
    convert,
    parse_pairs,
    parse_published,
    read_map_file,
    split_byline,
)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, database_url="sqlite://", max_text_chars=1000)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-06-04", date(2012, 6, 4)),
        ("4/4/17", date(2017, 4, 4)),  # as in the AllSides dump: month/day/year
        ("12/19/18", date(2018, 12, 19)),
        ("March 5, 2021", date(2021, 3, 5)),
        ("Tue, 22 Mar 2021 10:30:00 GMT", datetime(2021, 3, 22, 10, 30, tzinfo=UTC)),
        (
            "2021-03-22T10:30:00+03:00",
            datetime(2021, 3, 22, 10, 30, tzinfo=timezone(timedelta(hours=3))),
        ),
        ("5 March 2021 14:30", datetime(2021, 3, 5, 14, 30)),
        # the day (or more) is not given: never made up
        ("March 2021", None),
        ("2021", None),
        ("5", None),
        ("yesterday", None),
        ("n/a", None),
    ],
)
def test_parse_published(text: str, expected: date | datetime | None) -> None:
    assert parse_published(text) == expected


def test_parse_published_dayfirst() -> None:
    assert parse_published("01/02/2020") == date(2020, 1, 2)
    assert parse_published("01/02/2020", dayfirst=True) == date(2020, 2, 1)


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Stephen Dinan", ["Stephen Dinan"]),
        ("Alan Fram, Lisa Mascaro", ["Alan Fram", "Lisa Mascaro"]),
        ("By Alan Fram and Lisa Mascaro", ["Alan Fram", "Lisa Mascaro"]),
        (
            'Guy Benson, "Cortney OBrien", Julio Rosas',
            ["Guy Benson", "Cortney OBrien", "Julio Rosas"],
        ),
        ("Sandy Anderson & F.H. Buckley; Jo Smith", ["Sandy Anderson", "F.H. Buckley", "Jo Smith"]),
    ],
)
def test_split_byline(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def test_convert_maps_fields_and_tidies_values(settings: Settings) -> None:
    row = {
        "body": "Moscow met Beijing.",
        "headline": " A title ",
        "source": "China Daily",
        "by": "Ann Lee and Bo Chen",
        "date": "4/4/17",
        "link": "",
        "kind": "Opinion",
        "extra": "ignored",
    }
    fields = FieldMap(
        sources={
            "text": "body",
            "title": "headline",
            "outlet": "source",
            "authors": "by",
            "published": "date",
            "url": "link",
            "genre": "kind",
        }
    )

    converted = convert(row, fields, settings)

    article = converted.article
    assert article is not None, converted.errors
    assert (article.title, article.outlet, article.authors) == (
        "A title",
        "China Daily",
        ["Ann Lee", "Bo Chen"],
    )
    assert article.published == date(2017, 4, 4)
    assert article.url is None
    assert article.genre is Genre.opinion
    assert converted.notes == []


def test_convert_keeps_unreadable_dates_unknown_with_a_note(settings: Settings) -> None:
    converted = convert({"text": "Text.", "published": "sometime in 2020"}, FieldMap(), settings)

    assert converted.article is not None
    assert converted.article.published is None
    assert converted.notes == ["published 'sometime in 2020' is not a full date: kept as unknown"]


def test_convert_constants_and_nested_fields(settings: Settings) -> None:
    fields = FieldMap(sources={"outlet": "meta.source"}, constants={"genre": "news"})

    article = convert({"text": "T.", "meta": {"source": "Daily"}}, fields, settings).article

    assert article is not None
    assert (article.outlet, article.genre) == ("Daily", Genre.news)


def test_convert_rejects_with_reasons(settings: Settings) -> None:
    converted = convert({"text": "  ", "url": "not a url", "genre": "satire"}, FieldMap(), settings)

    assert converted.article is None
    assert len(converted.errors) == 3
    assert any(e.startswith("text:") for e in converted.errors)
    assert any(e.startswith("url:") for e in converted.errors)
    assert any(e.startswith("genre:") for e in converted.errors)


def test_convert_applies_the_configured_text_limit(settings: Settings) -> None:
    converted = convert({"text": "x" * 1001}, FieldMap(), settings)

    assert converted.article is None
    assert converted.errors == ["text has 1001 characters; at most 1000 are allowed"]


def test_overlong_author_names_are_dropped_not_the_article(settings: Settings) -> None:
    converted = convert({"text": "T.", "authors": ["Ann Lee", "x" * 300]}, FieldMap(), settings)

    assert converted.article is not None
    assert converted.article.authors == ["Ann Lee"]
    assert converted.notes == ["author names longer than 200 characters dropped"]


def test_parse_pairs_and_map_files(tmp_path: Path) -> None:
    assert parse_pairs(["outlet=source, published=date", "title=headline"], option="--map") == {
        "outlet": "source",
        "published": "date",
        "title": "headline",
    }
    with pytest.raises(ValueError, match="unknown article field 'source'"):
        parse_pairs(["source=outlet"], option="--map")
    with pytest.raises(ValueError, match="expected FIELD=VALUE"):
        parse_pairs(["outlet"], option="--map")

    as_json = tmp_path / "map.json"
    as_json.write_text('{"outlet": "source", "text": "body"}')
    as_lines = tmp_path / "map.txt"
    as_lines.write_text("# our columns\noutlet=source\ntext = body  # the article\n")

    assert read_map_file(as_json) == read_map_file(as_lines) == {"outlet": "source", "text": "body"}
