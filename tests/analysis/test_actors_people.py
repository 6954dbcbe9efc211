"""People: titles, possessives, surnames, administrations, mislabelled spans, stable keys."""

from __future__ import annotations

from tests.analysis.actors_support import resolve, texts


def test_titles_and_possessives_are_stripped_and_surnames_attach() -> None:
    text = "Russian Foreign Minister Sergei Lavrov’s visit ended. Lavrov said Mr. Lavrov was right."
    actors = resolve(text, [("Sergei Lavrov", "PER"), ("Lavrov", "PER"), ("Russian", "MISC")])
    lavrov = actors["person:sergei lavrov"]
    assert (lavrov.name, lavrov.kind) == ("Sergei Lavrov", "person")
    assert texts(lavrov) == ["Sergei Lavrov", "Lavrov", "Lavrov"]
    assert lavrov.aliases == ("Lavrov",)
    assert list(actors) == ["country:RUS", "person:sergei lavrov"]


def test_a_per_span_with_country_and_title_gives_both_actors() -> None:
    text = "US Secretary of State Antony Blinken and President Xi met. Xi Jinping smiled."
    spec = [
        ("US Secretary of State Antony Blinken", "PER"),
        ("President Xi", "PER"),
        ("Xi Jinping", "PER"),
    ]
    actors = resolve(text, spec)
    assert texts(actors["country:USA"]) == ["US"]
    assert texts(actors["person:antony blinken"]) == ["Antony Blinken"]
    assert texts(actors["person:xi jinping"]) == ["Xi", "Xi Jinping"]
    assert resolve("The President spoke.", [("President", "PER")]) == {}
    king = resolve("Steve King spoke. King left.", [("Steve King", "PER"), ("King", "PER")])
    assert texts(king["person:steve king"]) == ["Steve King", "King"]


def test_a_surname_without_a_full_name_is_its_own_person() -> None:
    assert resolve("Lavrov said no.", [("Lavrov", "PER")])["person:lavrov"].name == "Lavrov"


def test_a_shared_surname_goes_to_the_nearest_full_name_before_it() -> None:
    text = "Joe Biden spoke. Hunter Biden listened. Biden left."
    actors = resolve(text, [("Joe Biden", "PER"), ("Hunter Biden", "PER"), ("Biden", "PER")])
    assert texts(actors["person:hunter biden"]) == ["Hunter Biden", "Biden"]
    assert texts(actors["person:joe biden"]) == ["Joe Biden"]


def test_an_administration_is_its_leader_and_a_government_its_country() -> None:
    text = "Joe Biden won. The Biden administration and the Russian government talked."
    spec = [("Joe Biden", "PER"), ("Biden administration", "ORG"), ("Russian government", "ORG")]
    actors = resolve(text, spec)
    assert texts(actors["person:joe biden"]) == ["Joe Biden", "Biden administration"]
    assert texts(actors["country:RUS"]) == ["Russian government"]
    alone = resolve("The Obama administration erred.", [("Obama administration", "ORG")])
    assert "person:obama" in alone


def test_a_mislabelled_surname_still_attaches_to_the_person() -> None:
    actors = resolve(
        "Sergei Lavrov came. Lavrov left.", [("Sergei Lavrov", "PER"), ("Lavrov", "LOC")]
    )
    assert list(actors) == ["person:sergei lavrov"]
    assert len(actors["person:sergei lavrov"].mentions) == 2


def test_the_same_full_name_is_the_same_actor_across_articles() -> None:
    one = resolve("Joe Biden spoke.", [("Joe Biden", "PER")])
    two = resolve("Then President Joe Biden's speech.", [("President Joe Biden's", "PER")])
    assert list(one) == list(two) == ["person:joe biden"]


def test_surnames_the_tagger_missed_attach_to_the_full_name() -> None:
    text = "Joe Biden spoke. Later Biden and his team left. Biden’s aides stayed."
    actors = resolve(text, [("Joe Biden", "PER")])
    assert texts(actors["person:joe biden"]) == ["Joe Biden", "Biden", "Biden"]


def test_the_surname_sweep_skips_common_words_and_shared_surnames() -> None:
    text = "George Bush spoke. Bush left, past a bush. Anne Smith and Tom Smith met. Smith won."
    actors = resolve(text, [("George Bush", "PER"), ("Anne Smith", "PER"), ("Tom Smith", "PER")])
    assert texts(actors["person:george bush"]) == ["George Bush"]  # "bush" is a word here
    assert texts(actors["person:anne smith"]) == ["Anne Smith"]
    assert texts(actors["person:tom smith"]) == ["Tom Smith"]
