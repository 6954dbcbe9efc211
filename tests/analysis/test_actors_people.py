"""People: titles, possessives, surnames, administrations, mislabelled spans, stable keys."""

from __future__ import annotations

from app.analysis.actors import ActorResolver
from app.analysis.types import EntityMention
from tests.analysis.actors_support import resolve, split_sentences, texts


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
    text = "Mary Smith spoke. John Smith listened. Smith left."
    actors = resolve(text, [("Mary Smith", "PER"), ("John Smith", "PER"), ("Smith", "PER")])
    assert texts(actors["person:john smith"]) == ["John Smith", "Smith"]
    assert texts(actors["person:mary smith"]) == ["Mary Smith"]


def test_a_shared_surname_before_any_full_name_goes_to_the_one_named_most() -> None:
    text = "Smith spoke. Mary Smith came. John Smith and John Smith left."
    spec = [("Smith", "PER"), ("Mary Smith", "PER"), ("John Smith", "PER"), ("John Smith", "PER")]
    actors = resolve(text, spec)
    assert texts(actors["person:john smith"]) == ["Smith", "John Smith", "John Smith"]


def test_a_well_known_surname_is_not_a_relative_by_accident() -> None:
    # allsides:UJK1NA17fPUTpkX5 (issue 27): "Melania Trump" held the President's mentions
    text = (
        "President Donald Trump and first lady Melania Trump, aiming to project normalcy, "
        "spent the weekend at Mar-a-Lago. Trump played golf on Saturday."
    )
    spec = [("Donald Trump", "PER"), ("Melania Trump", "PER"), ("Trump", "PER")]
    actors = resolve(text, spec)
    assert texts(actors["person:donald trump"]) == ["Donald Trump", "Trump"]
    assert texts(actors["person:melania trump"]) == ["Melania Trump"]
    # allsides:UQZz327rg1Be64hI: the daughter named once, the President without his first name
    text = "President Trump spoke. His daughter, Ivanka Trump, listened. Trump left."
    spec = [("Trump", "PER"), ("Ivanka Trump", "PER"), ("Trump", "PER")]
    actors = resolve(text, spec)
    assert texts(actors["person:donald trump"]) == ["Trump", "Trump"]
    assert actors["person:donald trump"].name == "Donald Trump"
    # a woman's honorific points to the relative
    text = "Melania Trump arrived. Mrs. Trump waved."
    actors = resolve(text, [("Melania Trump", "PER"), ("Trump", "PER")])
    assert texts(actors["person:melania trump"]) == ["Melania Trump", "Trump"]


def test_jr_is_part_of_the_name() -> None:
    # allsides:iq0gYlWsXRYjmImx: the son's mentions went to his father
    text = (
        "Donald Trump Jr. responded on Twitter. If Donald Trump Jr. took the stand, Trump Jr. "
        "would say so. President Trump did not comment."
    )
    spec = [
        ("Donald Trump", "PER"),
        ("Donald Trump Jr.", "PER"),
        ("Trump Jr.", "PER"),
        ("President Trump", "PER"),
    ]
    actors = resolve(text, spec)
    son = actors["person:donald trump jr"]
    assert (son.name, texts(son)) == (
        "Donald Trump Jr.",
        ["Donald Trump Jr.", "Donald Trump Jr.", "Trump Jr."],
    )
    assert texts(actors["person:donald trump"]) == ["Trump"]


def test_a_surname_alone_is_the_well_known_person_with_the_full_name() -> None:
    # "Obama" as a canonical name was a partial name in nine audited articles
    text = "President Obama said on Thursday evening that he is considering an Ebola czar."
    actors = resolve(text, [("Obama", "PER"), ("Ebola", "MISC")])
    assert list(actors) == ["person:barack obama"]
    assert actors["person:barack obama"].name == "Barack Obama"
    text = "Donald J. Trump spoke in Ohio."
    assert resolve(text, [("Donald J. Trump", "PER")])["person:donald trump"].name == "Donald Trump"


def test_an_administration_is_its_leader_and_a_government_its_country() -> None:
    text = "Joe Biden won. The Biden administration and the Russian government talked."
    spec = [("Joe Biden", "PER"), ("Biden administration", "ORG"), ("Russian government", "ORG")]
    actors = resolve(text, spec)
    assert texts(actors["person:joe biden"]) == ["Joe Biden", "Biden administration"]
    assert texts(actors["country:RUS"]) == ["Russian government"]
    alone = resolve("The Pompidou administration erred.", [("Pompidou administration", "ORG")])
    assert "person:pompidou" in alone
    # a well-known surname alone is the person's full name (issue 27)
    alone = resolve("The Obama administration erred.", [("Obama administration", "ORG")])
    assert alone["person:barack obama"].name == "Barack Obama"


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


def test_an_acronym_or_a_long_surname_beside_the_full_name_is_one_actor() -> None:
    # allsides:fwiti4P2DVi2ar6X and allsides:KJ8bQ0A7vOgnWRpr (issue 27, second audit)
    text = (
        "Commentators are insisting that the National Rifle Association has a stranglehold "
        "on the party. Congress does whatever they are told to do by the NRA."
    )
    actors = resolve(text, [("National Rifle Association", "ORG"), ("NRA", "ORG")])
    nra = actors["org:national rifle association"]
    assert texts(nra) == ["National Rifle Association", "NRA"]
    assert nra.aliases == ("NRA",)
    text = (
        "On September 30, 2011, Anwar al-Awlaki, a U.S. citizen, was killed. Al-Awlaki had "
        "played an operational role in al Qaeda's affiliate in Yemen."
    )
    actors = resolve(text, [("Anwar al-Awlaki", "PER"), ("Al-Awlaki", "PER")])
    assert texts(actors["person:anwar al awlaki"]) == ["Anwar al-Awlaki", "Al-Awlaki"]
    assert "person:al awlaki" not in actors
    text = "Bill de Blasio won the primary. Mr. de Blasio promised to end stop-and-frisk."
    actors = resolve(text, [("Bill de Blasio", "PER"), ("de Blasio", "PER")])
    assert texts(actors["person:bill de blasio"]) == ["Bill de Blasio", "de Blasio"]


def test_plural_and_abbreviated_titles_are_not_part_of_the_name() -> None:
    # allsides:8c3o4zJDhnt1cZKV and allsides:FN2aZlqXCmxjsEGn (issue 27, second audit)
    text = "Sens. Tim Kaine, D-Va., and Al Franken, D-Minn., are among the biggest names."
    actors = resolve(text, [("Sens. Tim Kaine", "PER"), ("Al Franken", "PER")])
    assert texts(actors["person:tim kaine"]) == ["Tim Kaine"]
    text = "Compare the difficult conditions Presidents Reagan and Obama inherited."
    actors = resolve(text, [("Presidents Reagan", "PER"), ("Obama", "PER")])
    assert "person:presidents reagan" not in actors
    reagan = [a.name for a in actors.values() if "Reagan" in a.name]
    assert reagan in (["Reagan"], ["Ronald Reagan"])
    # allsides:uybL6M2hEbUlVYsh: the tagger read "Rep. Alexandria" as an organisation
    text = "The chief of staff for Rep. Alexandria Ocasio-Cortez, D-N.Y., resigned on Friday."
    actors = resolve(text, [("Rep. Alexandria", "ORG")])
    assert [(a.name, a.kind) for a in actors.values()] == [("Alexandria", "person")]


def test_a_name_split_in_two_adjacent_spans_is_one_person() -> None:
    # allsides:5UcrRe5uXnmVO0xy and allsides:uybL6M2hEbUlVYsh (issue 27, second audit): the
    # tagger's "Julian" (PER) "Zelizer" (ORG) and "Rep. Alexandria" (ORG) "Ocasio-Cortez" (PER)
    text = "Story highlights Julian Zelizer: Budget battles reoccur regularly, he says."
    start = text.index("Julian")
    entities = [
        EntityMention("Julian", "PER", start, start + 6, 0, 0.9),
        EntityMention("Zelizer", "ORG", start + 7, start + 14, 0, 0.9),
    ]
    actors = ActorResolver().resolve(text, split_sentences(text), entities)
    assert [(a.key, a.name) for a in actors] == [("person:julian zelizer", "Julian Zelizer")]
    text = "The chief of staff for Rep. Alexandria Ocasio-Cortez, D-N.Y., resigned on Friday."
    actors_by_key = resolve(text, [("Rep. Alexandria", "ORG"), ("Ocasio-Cortez", "PER")])
    assert list(actors_by_key) == ["person:alexandria ocasio cortez"]
    # allsides:36wAIehBEFV2WMjD: "Osama" "Bin Laden" and "Bin" "Laden"
    text = (
        "He authorized the operation that killed Osama Bin Laden. The SEAL team that knocked "
        "out Bin Laden took huge casualties."
    )
    first, second = text.index("Osama"), text.rindex("Bin")
    entities = [
        EntityMention("Osama", "PER", first, first + 5, 0, 0.9),
        EntityMention("Bin Laden", "PER", first + 6, first + 15, 0, 0.9),
        EntityMention("Bin", "PER", second, second + 3, 1, 0.9),
        EntityMention("Laden", "PER", second + 4, second + 9, 1, 0.9),
    ]
    actors = ActorResolver().resolve(text, split_sentences(text), entities)
    assert [(a.name, [m.text for m in a.mentions]) for a in actors] == [
        ("Osama Bin Laden", ["Osama Bin Laden", "Bin Laden"])
    ]
    # a single word before an institution noun stays as it was
    text = "Critics of the Obama Administration spoke."
    assert "person:obama administration" not in resolve(
        text, [("Obama", "PER"), ("Administration", "ORG")]
    )


def test_an_organisation_named_by_its_last_word_is_the_full_name_of_the_article() -> None:
    # allsides:LsouunmxdYXbX1QO (issue 27, second audit): "the Times" listed apart
    text = (
        "Legalization, advocated last week by The New York Times in its most noted editorial, "
        "will come. On Sunday, the Times ran a full-page ad for a company called Leafly."
    )
    actors = resolve(text, [("New York Times", "ORG"), ("Times", "ORG"), ("Leafly", "ORG")])
    assert texts(actors["org:new york times"]) == ["New York Times", "Times"]
    assert "org:times" not in actors


def test_a_one_word_person_is_the_organisation_of_that_name_read_more_often() -> None:
    # allsides:KJjsyD06yq8GbYF5 (issue 27, second audit): "Gallup's Lydia Saad" read as a person
    text = (
        "New polling data from Gallup shows a majority. Gallup's Lydia Saad wrote on Wednesday. "
        "It is a top priority according to Gallup."
    )
    spec = [("Gallup", "ORG/PER/ORG"), ("Lydia Saad", "PER")]
    actors = resolve(text, spec)
    assert texts(actors["org:gallup"]) == ["Gallup", "Gallup", "Gallup"]
    assert "person:gallup" not in actors


def test_a_one_word_person_the_article_writes_in_lower_case_is_a_common_word() -> None:
    # allsides:LsouunmxdYXbX1QO (issue 27, second audit): "Pot" at a sentence's start
    text = (
        "In the words of the editorial, pot's casual use by adults poses little risk. "
        "Pot is a big business now."
    )
    assert "person:pot" not in resolve(text, [("Pot", "PER")])
    assert "person:lavrov" in resolve("Lavrov said no.", [("Lavrov", "PER")])


def test_a_womans_honorific_never_takes_a_mans_full_name() -> None:
    # the second audit: 8 of "Bill Clinton"'s 9 mentions were "Mrs. Clinton"
    text = (
        "Many returned to support Hillary Clinton. Her husband, President Bill Clinton, "
        "balanced the budget. Many support Mrs. Clinton because they dislike Mr. Trump."
    )
    spec = [("Hillary Clinton", "PER"), ("Bill Clinton", "PER"), ("Clinton", "PER")]
    actors = resolve(text, spec)
    assert texts(actors["person:hillary clinton"]) == ["Hillary Clinton", "Clinton"]
    assert texts(actors["person:bill clinton"]) == ["Bill Clinton"]


def test_a_well_known_short_name_is_the_person() -> None:
    text = "HOUSE DEMOCRATS RIP AOC'S CHIEF OF STAFF. AOC said nothing."
    actors = resolve(text, [("AOC", "PER")])
    assert list(actors) == ["person:alexandria ocasio cortez"]
    assert actors["person:alexandria ocasio cortez"].name == "Alexandria Ocasio-Cortez"


def test_a_surname_two_people_share_in_the_title_lifts_neither() -> None:
    text = (
        "Democrats rallied for Hillary Clinton in South Carolina. Moscow watched. Former "
        "President Bill Clinton spoke later. Clinton appears to have plenty of support."
    )
    spec = [("Hillary Clinton", "PER"), ("Moscow", "LOC"), ("Bill Clinton", "PER")]
    plain = resolve(text, spec)
    titled = resolve(text, spec, "Dems race to back Clinton")
    assert titled["person:bill clinton"].salience == plain["person:bill clinton"].salience
