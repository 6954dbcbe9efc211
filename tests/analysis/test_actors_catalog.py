"""The actor catalog: common country names, alias lookups for the query layer, person keys."""

from __future__ import annotations

import pytest

from app.analysis.actors import known_aliases, lookup_alias, person_key
from app.analysis.actors.catalog import get_catalog


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("RUS", "Russia"),
        ("USA", "United States"),
        ("GBR", "United Kingdom"),
        ("KOR", "South Korea"),
        ("PRK", "North Korea"),
        ("VNM", "Vietnam"),
        ("IRN", "Iran"),
        ("SYR", "Syria"),
        ("TWN", "Taiwan"),
        ("CHN", "China"),
        ("VEN", "Venezuela"),
        ("BOL", "Bolivia"),
        ("TZA", "Tanzania"),
        ("LAO", "Laos"),
        ("MDA", "Moldova"),
        ("CZE", "Czech Republic"),
        ("TUR", "Turkey"),
    ],
)
def test_countries_have_the_common_english_name(code: str, name: str) -> None:
    entry = get_catalog().entries[f"country:{code}"]
    assert (entry.name, entry.kind) == (name, "country")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("USA", "country:USA"),
        ("u.s.", "country:USA"),
        ("U.S.A.", "country:USA"),
        ("America", "country:USA"),
        ("Russian Federation", "country:RUS"),
        ("russia", "country:RUS"),
        ("RUS", "country:RUS"),
        ("Russian", "country:RUS"),
        ("the Republic of Korea", "country:KOR"),
        ("DPRK", "country:PRK"),
        ("PRC", "country:CHN"),
        ("ROK", "country:KOR"),
        ("UAE", "country:ARE"),
        ("Great Britain", "country:GBR"),
        ("GB", "country:GBR"),
        ("Viet Nam", "country:VNM"),
        ("Kremlin", "org:kremlin"),
        ("Whitehall", "country:GBR"),
        ("nato", "org:nato"),
        ("U.N.", "org:un"),
        ("the Quad", "group:quad"),
        ("country:RUS", "country:RUS"),
    ],
)
def test_lookup_alias_finds_the_canonical_actor(text: str, key: str) -> None:
    found = lookup_alias(text)
    assert found is not None
    assert found[0] == key
    assert found[1] == get_catalog().entries[key].name


@pytest.mark.parametrize("text", ["", "Moscow", "Korea", "in", "gb", "xyzzy", "Sergei Lavrov"])
def test_lookup_alias_refuses_what_it_cannot_name_for_sure(text: str) -> None:
    assert lookup_alias(text) is None


def test_known_aliases() -> None:
    assert {"US", "U.S.", "USA", "United States of America"} <= set(known_aliases("country:USA"))
    assert "United States" not in known_aliases("country:USA")
    assert "North Atlantic Treaty Organization" in known_aliases("org:nato")
    assert known_aliases("person:nobody at all") == ()


def test_person_key_ignores_initials_case_and_accents_but_keeps_jr() -> None:
    assert person_key("Joseph R. Biden") == "person:joseph biden"
    # the son is not his father (issue 27)
    assert person_key("Donald J. Trump Jr.") == "person:donald trump jr"
    assert person_key("Donald Trump") != person_key("Donald Trump Jr.")
    assert person_key("Recep Tayyip ERDOĞAN") == "person:recep tayyip erdogan"
