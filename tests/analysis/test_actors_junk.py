"""Issue 27's audit, one real sentence per class of error: no junk, the right identity, the full
name (sentences from allsides-10k; the tagger's spans as it produced them)."""

from __future__ import annotations

from app.analysis.actors import ActorResolver
from app.analysis.entities import whole_abbreviations
from app.analysis.layout import inline_chrome, read_layout
from app.analysis.types import EntityMention
from tests.analysis.actors_support import find_entities, resolve, split_sentences, texts


def test_a_lowercase_common_word_is_no_actor() -> None:
    text = "He told Religion News Service he originally wrote the song's bridge as a prayer."
    actors = resolve(text, [("Religion News Service", "ORG"), ("bridge", "ORG")])
    assert list(actors) == ["org:religion news service"]
    text = "Donald Trump is running riot in the GOP china shop and gleefully tearing the place up."
    actors = resolve(text, [("Donald Trump", "PER"), ("GOP", "ORG"), ("china", "LOC")])
    assert "country:CHN" not in actors
    text = "It does not violate its community standards. The social network is running ads."
    assert resolve(text, [("network", "ORG"), ("senators", "MISC")]) == {}


def test_a_dotted_abbreviation_is_one_name() -> None:
    text = "He had warned the C.D.C. repeatedly that its guidelines were irrelevant."
    start = text.index("C.D.C.")
    # the tagger's pieces "C." and "D.C." are widened to the whole abbreviation
    assert whole_abbreviations(text, start + 2, start + 6, 0, len(text)) == (start, start + 6)
    assert whole_abbreviations(text, start, start + 2, 0, len(text)) == (start, start + 6)
    actors = resolve(text, [("C.", "ORG"), ("D.C.", "LOC")])
    assert list(actors) == ["org:cdc"]
    assert actors["org:cdc"].name == "Centers for Disease Control and Prevention"
    text = "NEW YORK, NY – NOVEMBER 01: Sundar Pichai, C.E.O., Google Inc. speaks."
    actors = resolve(text, [("Sundar Pichai", "PER"), ("C.E.O.", "ORG"), ("Google Inc.", "ORG")])
    assert list(actors) == ["person:sundar pichai", "org:google inc"]


def test_a_state_abbreviation_is_the_state() -> None:
    text = "A worship pastor in South Bend, Ind., is getting attention for a song."
    actors = resolve(text, [("South Bend", "LOC"), ("Ind", "LOC")])
    assert actors["place:indiana"].name == "Indiana"
    assert texts(actors["place:indiana"]) == ["Ind"]
    text = "President Trump greets supporters at a rally in Duluth, Minn., June 20, 2018."
    actors = resolve(text, [("Trump", "PER"), ("Duluth", "LOC"), ("Minn.", "LOC")])
    assert actors["place:minnesota"].name == "Minnesota"
    text = "Republicans in Charlotte, N.C. painted the report as more evidence."
    actors = resolve(text, [("Charlotte", "LOC"), ("N.C.", "LOC")])
    assert actors["place:north carolina"].name == "North Carolina"


def test_party_state_tags_are_no_actors() -> None:
    text = "Sen. Bernie Sanders (I-Vt.) said of the White House’s refusal to apologize."
    actors = resolve(text, [("Bernie Sanders", "PER"), ("I-Vt", "ORG")])
    assert "org:i vt" not in actors
    text = "Sen. Mitch McConnell (R-Ky.) spoke."
    actors = resolve(text, [("Mitch McConnell", "PER"), ("Ky.", "LOC")])
    assert list(actors) == ["person:mitch mcconnell"]


def test_links_handles_and_photo_credits_are_no_actors() -> None:
    text = (
        "Or do you consider that an American flag too? https://t.co/ReX29V1RIo — "
        "Elizabeth Spiers (@espiers) July 4, 2019"
    )
    actors = resolve(text, [("t.co", "ORG"), ("Elizabeth Spiers", "PER"), ("espiers", "PER")])
    assert list(actors) == ["country:USA", "person:elizabeth spiers"]
    text = "Now, he said, the 1 million visitors to HealthCare.gov on Monday showed the demand."
    assert resolve(text, [("HealthCare", "ORG")]) == {}
    text = "Issa's panel will hear officials. | M.Scott Mahaskey/POLITICO Issa panel to grill"
    actors = resolve(text, [("Issa", "PER"), ("POLITICO Issa", "ORG")])
    assert list(actors) == ["person:issa"]
    # a domain written as a name is the outlet it names
    assert "org:alcom" in resolve("AL.com reported the story first.", [("AL.com", "ORG")])


def test_page_furniture_is_kept_out() -> None:
    text = (
        "Democratic presidential candidate Andrew Yang Andrew Yang2020 Democrats push for gun "
        "control action at forum Krystal Ball on Yang's fundraising haul: 'Even a random man has "
        "a shot at the Oval Office' 12 candidates qualify for October Democratic debate MORE "
        "claimed his microphone was not on."
    )
    (chrome,) = inline_chrome(text)
    assert text[chrome[0] :].startswith("Andrew Yang2020")
    assert text[: chrome[1]].endswith("debate MORE")
    spec = [("Andrew Yang Andrew Yang2020", "PER"), ("Krystal Ball", "PER"), ("Oval Office", "LOC")]
    actors = resolve(text, spec)
    assert list(actors) == ["person:andrew yang"]
    assert actors["person:andrew yang"].name == "Andrew Yang"
    # a name alone is no hover link
    assert inline_chrome("Progressive group MoveOn called on Sen. Bernie Sanders MORE often.") == []
    text = (
        "The website went live.\n\nJUST WATCHED White House: Progress made on website Replay "
        "More Videos ... MUST WATCH White House: Progress made on website 01:17\n\n"
        "CLOSE Facebook CEO Mark Zuckerberg says the company is working with the U.S. (Sept. 21) "
        "AP\n\nThat means fewer breakdowns."
    )
    parts = [text[p.start : p.end] for p in read_layout(text).parts if p.kind == "chrome"]
    assert [c[:12] for c in parts] == ["JUST WATCHED", "CLOSE Facebo"]
    # POLITICO's related links, a paragraph each: the second audit's "POLITICO" came from them
    text = (
        "That would be a nonstarter for the White House.\n\n"
        "( POLITICO's full coverage of the government shutdown)\n\n"
        "And the attention turned.\n\n( Also on POLITICO: Boehner hints at immigration hopes)\n\n"
        "(The story was updated.)"
    )
    parts = [text[p.start : p.end] for p in read_layout(text).parts if p.kind == "chrome"]
    assert parts == [
        "( POLITICO's full coverage of the government shutdown)",
        "( Also on POLITICO: Boehner hints at immigration hopes)",
    ]


def test_words_around_a_name_are_not_the_name() -> None:
    text = "The news lifted Moderna shares (MRNA) 20% and helped drive the market."
    assert resolve(text, [("Moderna shares", "ORG")])["org:moderna"].name == "Moderna"
    text = "As Philip Verleger notes in the latest edition of the journal International Economy."
    actors = resolve(text, [("Philip Verleger", "PER"), ("journal International Economy", "ORG")])
    assert actors["org:international economy"].name == "International Economy"
    text = "They were joined by the head of the Dallas police union."
    assert resolve(text, [("Dallas police union", "ORG")]) == {}


def test_a_piece_of_a_known_name_is_the_whole_name() -> None:
    text = (
        "According to the latest report from the Centers for Disease Control and Prevention, a "
        "total of 805 cases have been reported."
    )
    actors = resolve(text, [("Centers for", "ORG"), ("Control and Prevention", "ORG")])
    assert list(actors) == ["org:cdc"]
    text = "It is how President Donald Trump captured and remade the Republican Party."
    actors = resolve(text, [("Donald Trump", "PER"), ("Republican", "MISC"), ("Party", "ORG")])
    assert list(actors) == ["person:donald trump", "org:republican party"]


def test_diseases_and_laws_are_no_actors() -> None:
    text = "President Obama said he is considering appointing an “Ebola czar”."
    assert list(resolve(text, [("Obama", "PER"), ("Ebola", "MISC")])) == ["person:barack obama"]
    text = "Obamacare’s troubled rollout still is dominating the headlines."
    assert resolve(text, [("Obamacare", "MISC")]) == {}


def test_addresses_and_summits_are_not_countries_or_states() -> None:
    text = "He moved into 1600 Pennsylvania Ave. after the election."
    assert resolve(text, [("Pennsylvania", "LOC")]) == {}
    # a year is no house number, and a slash between two countries no link
    text = "In 2016 Russia interfered, and the Israeli/Palestinian talks stalled."
    actors = resolve(text, [("Russia", "LOC"), ("Israeli", "MISC"), ("Palestinian", "MISC")])
    assert {"country:RUS", "country:ISR"} <= set(actors)
    text = "Democrats charged Trump with treason at the Helsinki summit."
    actors = resolve(text, [("Trump", "PER"), ("Helsinki", "LOC")])
    assert "country:FIN" not in actors
    assert "place:helsinki" in actors


def test_a_well_known_surname_tagged_as_an_organisation_is_the_person() -> None:
    text = "Obama administration tech gurus will get a rare time in the spotlight."
    actors = resolve(text, [("Obama", "ORG")])
    assert actors["person:barack obama"].name == "Barack Obama"


def test_the_fullest_name_the_text_gives() -> None:
    # allsides:Rn9ueGHzDcBSW0Fs: the full name only in the headline, which the tagger never reads
    text = (
        "Amber Guyger sentenced to 10 years\n\n"
        "By then, Guyger had been escorted away. Prosecutors said Guyger was treated differently."
    )
    actors = resolve(text[text.index("By") :], [])
    assert actors == {}
    actors = resolve(text, [("Guyger", "PER")])
    assert list(actors) == ["person:amber guyger"]
    assert actors["person:amber guyger"].name == "Amber Guyger"
    # two first names: which one is meant is not known
    text = "Mary Smith and John Smith came. Smith spoke."
    assert "person:smith" in resolve(text, [("Smith", "PER")])


def test_a_name_cut_from_a_longer_one_is_the_longer_one() -> None:
    # allsides:D1rqUS7VJwpWD5vG: "Beast" listed beside "Daily Beast"
    text = "Kurtz parted ways with The Daily Beast Thursday. The Daily Beast did not explain."
    sentences = split_sentences(text)
    first, second = (i for i in range(len(text)) if text.startswith("Daily Beast", i))
    entities = [
        EntityMention("Beast", "ORG", first + 6, first + 11, 0, 0.9),
        EntityMention("Daily Beast", "ORG", second, second + 11, 1, 0.9),
    ]
    actors = ActorResolver().resolve(text, sentences, entities)
    assert [(a.key, a.name, len(a.mentions)) for a in actors] == [
        ("org:daily beast", "Daily Beast", 2)
    ]


def test_a_name_the_tagger_cut_before_its_institution_noun_is_whole() -> None:
    text = "Tyson, the director of New York’s Hayden Planetarium, took to Twitter."
    actors = resolve(text, [("Tyson", "PER"), ("New York", "LOC"), ("Hayden", "PER")])
    assert actors["org:hayden planetarium"].name == "Hayden Planetarium"
    text = "Daniel Deitrich, the pastor for arts and worship at South Bend City Church, wrote it."
    actors = resolve(text, [("Daniel Deitrich", "PER"), ("South Bend City", "LOC")])
    assert actors["org:south bend city church"].kind == "organization"


def test_photo_credits_and_datelines_are_no_actors() -> None:
    # allsides:SGv0AMrH18NvJEPW, allsides:DrYRcdw3vSj9HVv4, allsides:ijcNtdyoKFNyaFQW (issue 27)
    text = "Lawmakers have varying takes on the issue. | AP Photos Immigration faces critics."
    assert resolve(text, [("AP", "ORG")]) == {}
    text = "Thinkers are frustrated with GOP leaders. | Getty Images/AP Photos GOP smackdown."
    assert "org:getty" not in resolve(text, [("Getty", "ORG")])
    text = "The views are solely those of the author.\n\n(CNN) -- There are times when polls lie."
    assert resolve(text, [("CNN", "LOC")]) == {}


def test_a_lone_word_cut_from_an_organisations_name_is_no_actor() -> None:
    # allsides:0cXE8pnxw9f9zNgS and allsides:tHJTujfQfeV1ckQH (issue 27, second audit)
    text = "Congress fought over funding for the Small Business Administration's loans."
    assert "org:business" not in resolve(text, [("Business", "ORG")])
    text = "Reid took away the ability to filibuster at the Supreme Court level."
    assert "org:supreme" not in resolve(text, [("Supreme", "ORG")])
    # a piece of a longer name of the same article is that name
    # (allsides:BI4r6RVYiyEcfUdL: the tagger's "Service" of the second "Secret Service")
    text = (
        "Officers of the Capitol Police and Secret Service acted. The FBI is investigating, "
        "with support from the Capitol Police and Secret Service."
    )
    entities = find_entities(text, split_sentences(text), [("Secret Service", "ORG")])
    second = text.rindex("Service")
    entities[-1] = EntityMention("Service", "ORG", second, second + 7, 1, 0.9)
    actors = {a.key: a for a in ActorResolver().resolve(text, split_sentences(text), entities)}
    assert texts(actors["org:secret service"]) == ["Secret Service", "Service"]


def test_the_party_letter_of_a_party_state_tag_is_no_person() -> None:
    # allsides:uybL6M2hEbUlVYsh (issue 27, second audit): the tagger's "D" (PER) of "D-N.Y."
    text = "The chief of staff for Rep. Alexandria Ocasio-Cortez, D-N.Y., resigned on Friday."
    actors = resolve(text, [("Ocasio-Cortez", "PER"), ("D", "PER"), ("N.Y.", "ORG")])
    assert "person:d" not in actors


def test_a_place_cut_before_its_jail_or_its_water_is_the_whole_name() -> None:
    # allsides:edxMMOMQuves0rQA and allsides:OxXySEGkY2IM5ZUH (issue 27, second audit)
    text = "Cook County Jail, the largest in the country, is already one of the hot spots."
    actors = resolve(text, [("Cook County", "LOC")])
    assert [(a.name, a.kind) for a in actors.values()] == [("Cook County Jail", "organization")]
    text = "The project in Nantucket Sound was given the green light in 2010."
    actors = resolve(text, [("Nantucket", "LOC")])
    assert [(a.name, a.kind) for a in actors.values()] == [("Nantucket Sound", "place")]


def test_the_acronym_of_a_law_or_a_programme_written_in_full_is_no_actor() -> None:
    # allsides:0cXE8pnxw9f9zNgS and allsides:6UOTDfL1Z95oVyEp (issue 27, second audit)
    text = (
        "Congress fought over the Small Business Administration's Paycheck Protection Program "
        "(PPP) that is underway on Capitol Hill. The PPP ran out of money."
    )
    assert "org:ppp" not in resolve(text, [("PPP", "ORG")])
    text = "Understanding Obamacare: the guide to the Affordable Care Act. The ACA survived."
    assert "org:aca" not in resolve(text, [("ACA", "ORG")])
    # an organisation's acronym is still one
    text = "The National Rifle Association spent more. The NRA won."
    spec = [("National Rifle Association", "ORG"), ("NRA", "ORG")]
    assert list(resolve(text, spec)) == ["org:national rifle association"]


def test_a_groups_word_cut_from_a_longer_name_is_not_the_group() -> None:
    # allsides:nr2wQVYwDjXDcUg7 (issue 27, second audit): the tagger's "West" of "West Wing"
    text = "Agencies want detailed direction from the West Wing in the day-to-day issues."
    assert "group:west" not in resolve(text, [("West", "MISC")])
    text = "Russia defies the West and its sanctions."
    assert "group:west" in resolve(text, [("Russia", "LOC"), ("West", "MISC")])


def test_a_known_place_before_an_institution_noun_is_the_institution() -> None:
    # allsides:WOpHbk8ZExQIBhYa (issue 27, second audit): "Washington" (LOC) "University" (ORG)
    text = "He is a professor of law at Washington University in St. Louis."
    actors = resolve(text, [("Washington", "LOC"), ("University", "ORG"), ("St. Louis", "LOC")])
    university = actors["org:washington university"]
    assert (texts(university), university.aliases) == (["Washington University"], ())
    assert "place:washington" not in actors


def test_the_parties_of_a_court_case_name_are_no_actors() -> None:
    # allsides:x6grQPL4mKYwMqCR (issue 27, second audit): "Plessy" held the case's mentions
    text = "Segregation was codified in Plessy v. Ferguson in 1896. Homer Plessy had sat down."
    actors = resolve(text, [("Plessy", "PER"), ("Ferguson", "PER"), ("Homer Plessy", "PER")])
    assert texts(actors["person:homer plessy"]) == ["Homer Plessy"]
    assert "person:ferguson" not in actors


def test_a_capital_in_a_trip_or_a_range_is_the_city() -> None:
    # allsides:lzaTlJwqNVBlepCJ and allsides:PRG4Gnta0GeE9rm1 (issue 27, second audit)
    text = "On June 13, we masked ourselves and took the train back to Paris."
    assert [a.key for a in resolve(text, [("Paris", "LOC")]).values()] == ["place:paris"]
    text = "Covid-19 made the impact visible everywhere from Sofia to Seoul."
    actors = resolve(text, [("Sofia", "LOC"), ("Seoul", "LOC")])
    assert list(actors) == ["place:sofia", "place:seoul"]
    # a message sent to a capital is still its government
    text = "The sanctions were a message to Moscow."
    assert list(resolve(text, [("Moscow", "LOC")])) == ["country:RUS"]


def test_programmes_treaties_and_plural_acronyms_are_no_actors() -> None:
    # the second audit's DACA, NAFTA and "two PACs"
    text = "The Nitwit Caucus wants to end DACA and renegotiate NAFTA."
    assert resolve(text, [("DACA", "ORG"), ("NAFTA", "ORG")]) == {}
    text = "Brand New Congress and Justice Democrats, two PACs Chakrabarti started."
    actors = resolve(text, [("Brand New Congress", "ORG"), ("PACs", "ORG")])
    assert "org:pacs" not in actors
    assert "org:brand new congress" in actors


def test_the_parties_of_a_court_case_are_no_actors_anywhere_in_the_article() -> None:
    text = (
        "It marked the anniversary of the landmark 1954 Supreme Court decision, Brown vs. the "
        "Board of Education. The Brown decision addressed four cases.\n\nBut Brown is about "
        "much more than schools. Chief Justice Warren issued the opinion of the Court in Brown."
    )
    spec = [
        ("Supreme Court", "ORG"),
        ("Brown", "PER"),
        ("Board of Education", "ORG"),
        ("Brown", "PER"),
        ("Brown", "PER"),
        ("Warren", "PER"),
        ("Brown", "PER"),
    ]
    actors = resolve(text, spec)
    assert not any("brown" in key or "board of education" in key for key in actors)
    # "vs." outside a court's context is no case; a person named in full keeps the name
    debate = resolve(
        "The debate, Trump vs. Clinton, drew 80 million viewers.",
        [("Trump", "PER"), ("Clinton", "PER")],
    )
    assert len(debate) == 2
    named = resolve(
        "Michael Brown was shot in 2014. Brown v. Board of Education is another story.",
        [("Michael Brown", "PER"), ("Brown", "PER")],
    )
    assert texts(named["person:michael brown"]) == ["Michael Brown"]


def test_a_case_name_and_a_deal_name_are_no_actors() -> None:
    # the second audit, once the title was read: "Brown v. Board of Education" and "Green New"
    text = "Remembering Brown v. Board of Education. Sanders pushed a Green New Deal."
    spec = [("Brown v. Board of Education", "ORG"), ("Sanders", "PER"), ("Green New", "ORG")]
    assert list(resolve(text, spec)) == ["person:sanders"]
