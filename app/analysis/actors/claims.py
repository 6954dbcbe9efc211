"""Claims: which actor each entity span, or each name found by scanning a sentence, refers to.

Entity spans (any label; the NER model mislabels "US", "Quad", "Russian" often) are looked up in
the catalog first. What the catalog does not know becomes a person (PER), an organisation under
its own name (ORG) or a place (LOC); other MISC spans are dropped. Sentences are then scanned for
country names, demonyms and metonyms the model missed ("Russian-Chinese", "Russia-China").

Metonymy: a capital city stands for its country ("Moscow and Beijing share ...") when it stands
alone. Inside a longer name ("Carnegie Moscow Center", "Beijing Normal University": a capitalised
word right before or after it) it is not the country; right after a locative preposition ("in",
"at", "near", "outside", "around", "across", "throughout", "inside", "within"), in a trip or a
range ("back to Paris", "from Sofia to Seoul"), before "state" or an event ("the Helsinki
summit"), or before a comma and a US state ("Rome, Georgia"; "Moscow, Idaho") it is the city, a
place. A seat of government ("the Kremlin", "the White House") always stands for its actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from app.analysis.actors.catalog import Catalog, CatalogEntry, CatalogHit, MatchKind
from app.analysis.actors.junk import name_edges, not_an_actor, street
from app.analysis.actors.people import (
    PersonClaim,
    institution_suffix,
    split_person_span,
    suffix_end,
    woman_before,
)
from app.analysis.actors.text import (
    Token,
    alias_key,
    capitalised_words,
    fold,
    name_ngrams,
    region_after,
    tokens,
    trim_span,
    word_after,
    word_before,
)
from app.analysis.types import ActorKind, ActorMention, EntityLabel, EntityMention

Bounds = tuple[int, int]
Reading = Literal["actor", "place", "part"]

# "Moscow state", and events held in a capital: "the Helsinki summit" is not Finland
_CITY_NOUNS = frozenset(
    ["state", "summit", "meeting", "talks", "conference", "forum", "accord", "accords", "process"]
)
# The tagger may stop before the noun that makes a name an institution's
_PLACE_NOUN_AFTER = re.compile(
    r"[ \t]+(?:Church|Planetarium|Museum|University|College|School|Hospital|Institute|"
    r"Foundation|Association|Center|Centre|Council|Committee|Commission|Library|Cathedral|"
    r"Mosque|Synagogue|Temple|Academy|Society|Jail|Prison|Penitentiary|Courthouse)(?![\w-])"
)
# and before the noun that makes a place a body of water: "Nantucket" of "Nantucket Sound"
_WATER_AFTER = re.compile(r"[ \t]+(?:Sound|Bay|River|Lake|Harbor|Harbour|Strait)(?![\w-])")
_TRIP_BEFORE = re.compile(
    r"(?:\bback[ \t]+to|\bfrom[ \t]+[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*)?[ \t]+to)[ \t]+$"
)
_RANGE_AFTER = re.compile(r"[ \t]+to[ \t]+[A-Z]")
# a state's name before or after a capital's: "Colorado and Washington", "Washington, Oregon"
_STATE_BEFORE = re.compile(
    r"(?:([A-Z][a-z]+)|([A-Z][a-z]+[ \t]+[A-Z][a-z]+))(?:,[ \t]*|,?[ \t]+(?:and|or)[ \t]+)$"
)
_STATE_AFTER = re.compile(
    r"(?:,[ \t]*|,?[ \t]+(?:and|or)[ \t]+)([A-Z][a-z]+)(?:[ \t]+([A-Z][a-z]+))?"
)
_MATCH_LABELS: dict[MatchKind, EntityLabel] = {
    "name": "LOC",
    "demonym": "MISC",
    "capital": "LOC",
    "seat": "ORG",
}


@dataclass(frozen=True, slots=True)
class Claim:
    """One mention attributed to one actor, before the actor's mentions are grouped."""

    key: str
    name: str
    kind: ActorKind
    mention: ActorMention
    # the name as written in this mention, a candidate alias for actors outside the catalog
    written: str
    entry: CatalogEntry | None = None
    match: MatchKind | None = None


@dataclass(slots=True)
class EntityReading:
    """What one entity span resolved to; ``covered`` keeps the sentence scan out of it."""

    claims: list[Claim] = field(default_factory=list)
    people: list[PersonClaim] = field(default_factory=list)
    covered: bool = True


def catalog_claim(hit: CatalogHit, mention: ActorMention) -> Claim:
    """A mention of a catalog actor."""
    entry = hit.entry
    return Claim(entry.key, entry.name, entry.kind, mention, mention.text, entry, hit.match)


def fallback_claim(kind: Literal["organization", "place"], mention: ActorMention) -> Claim:
    """A mention of an actor the catalog does not know, named as written."""
    prefix = "org" if kind == "organization" else "place"
    return Claim(f"{prefix}:{alias_key(mention.text)}", mention.text, kind, mention, mention.text)


def capital_reading(catalog: Catalog, text: str, start: int, end: int, bounds: Bounds) -> Reading:
    """Whether a capital city at ``[start, end)`` is its country, the city, or part of a name."""
    before = word_before(text, start, bounds[0])
    after = word_after(text, end, bounds[1])
    if catalog.is_name_word(before) or catalog.is_name_word(after):
        return "part"
    if catalog.is_locative(before) or (after is not None and fold(after) in _CITY_NOUNS):
        return "place"
    # "a Washington-based lawyer": the city
    if text.startswith("-based", end):
        return "place"
    # "state governments like those in Colorado and Washington": the state of that name
    if _beside_state(catalog, text, start, end, bounds):
        return "place"
    # travel and ranges: "took the train back to Paris", "from Sofia to Seoul"
    if _TRIP_BEFORE.search(text, max(bounds[0], start - 40), start) or (
        before == "from" and _RANGE_AFTER.match(text, end, min(bounds[1], end + 40))
    ):
        return "place"
    if any(name in catalog.us_states for name in region_after(text, end, bounds[1])):
        return "place"
    return "actor"


def _beside_state(catalog: Catalog, text: str, start: int, end: int, bounds: Bounds) -> bool:
    """True for a name joined by "and", "or" or a comma to a US state's name, on either side:
    a capital that is also a state's name ("Washington") is the state there."""
    if text[start:end] not in catalog.us_states:
        return False
    before = _STATE_BEFORE.search(text, max(bounds[0], start - 40), start)
    after = _STATE_AFTER.match(text, end, min(bounds[1], end + 40))
    names = [] if before is None else [before.group(1) or before.group(2)]
    if after is not None:
        names += [after.group(1), f"{after.group(1)} {after.group(2)}"]
    return any(name in catalog.us_states for name in names)


def capital_hit(catalog: Catalog, hit: CatalogHit, text: str, bounds: Bounds) -> CatalogHit:
    """The actor a capital read as an actor stands for: its country in a paragraph that names
    another country ("Moscow and Beijing regard Washington's policies as hostile"), else the
    institution the catalog's ``domestic`` table gives, where there is one ("this big monster
    called Washington": the US federal government)."""
    institution = catalog.domestic.get(hit.entry.key)
    if institution is None:
        return hit
    # the paragraph: "Moscow and Beijing share a view. Washington's policies are hostile."
    start = text.rfind("\n", 0, bounds[0]) + 1
    end = text.find("\n", bounds[1])
    paragraph = (min(start, bounds[0]), len(text) if end < 0 else max(end, bounds[1]))
    if _names_abroad(catalog, text, paragraph, hit.entry.key):
        return hit
    return CatalogHit(institution, "seat")


def _names_abroad(catalog: Catalog, text: str, bounds: Bounds, country: str) -> bool:
    """True when ``text[bounds]`` names a country other than ``country``, by its name, demonym,
    capital or one of its institutions ("the Kremlin")."""
    for word in capitalised_words(text, *bounds, catalog.scan_first):
        found = _longest_name(catalog, text, word, bounds[1])
        if found is None:
            continue
        entry: CatalogEntry | None = found[0].entry
        while entry is not None and entry.kind != "country":
            entry = catalog.parent(entry)
        if entry is not None and entry.key != country:
            return True
    return False


def read_entity(
    catalog: Catalog,
    text: str,
    entity: EntityMention,
    bounds: Bounds,
    name_words: frozenset[str],
) -> EntityReading:
    """The claims of one entity span; ``name_words`` are the words of the article's full names."""
    start, end = trim_span(text, entity.start, entity.end)
    if start >= end:
        return EntityReading(covered=False)
    if not_an_actor(catalog, text, start, end):
        return EntityReading()
    state = _state(catalog, text, start, end)
    if state is not None:
        written = ActorMention(text[start:end], "LOC", start, end, entity.sentence_index)
        return EntityReading([Claim(f"place:{alias_key(state)}", state, "place", written, state)])
    label = entity.label
    if catalog.find(text[start:end]) is None:
        edges = name_edges(catalog, text, start, end)
        if edges is None:
            return EntityReading(covered=False)
        start, end = edges
        # "Hayden" of "Hayden Planetarium", "South Bend City" of "South Bend City Church",
        # "Cook County" of "Cook County Jail"
        tail = _PLACE_NOUN_AFTER.match(text, end, min(len(text), end + 16))
        if tail is not None and label != "MISC":
            end, label = tail.end(), "ORG"
        water = _WATER_AFTER.match(text, end, min(len(text), end + 10))
        if water is not None and label == "LOC":
            end = water.end()

        # "Rep. Alexandria" tagged ORG: an abbreviated title is written before people only
        if label != "PER" and _titled(catalog, text, start, end):
            label = "PER"
    elif label == "LOC":
        # a place the catalog knows, before an institution noun: "Washington University"
        tail = _PLACE_NOUN_AFTER.match(text, end, min(len(text), end + 16))
        known = catalog.find(text[start:end])
        if tail is not None and known is not None and known.match != "demonym":
            end, label = tail.end(), "ORG"
            written = ActorMention(text[start:end], label, start, end, entity.sentence_index)
            return EntityReading([fallback_claim("organization", written)])

    def mention(s: int, e: int) -> ActorMention:
        return ActorMention(text[s:e], label, s, e, entity.sentence_index)

    if label == "PER":
        return _read_person(catalog, text, entity, start, end)
    hit = catalog.find(text[start:end])
    if hit is not None and _cut_group(catalog, hit, text, start, end, bounds):
        return EntityReading()
    if hit is not None:
        if hit.match == "capital":
            if capital_reading(catalog, text, start, end, bounds) != "actor":
                return EntityReading([fallback_claim("place", mention(start, end))])
            hit = capital_hit(catalog, hit, text, bounds)
        return EntityReading([catalog_claim(hit, mention(start, end))])
    words = tokens(text, start, end)
    suffix = institution_suffix(catalog, words)
    if suffix:
        head = text[words[0].start : words[-suffix - 1].end]
        hit = catalog.find(head)
        if hit is not None and hit.match in ("name", "demonym"):
            return EntityReading([catalog_claim(hit, mention(start, end))])
        if len(words) == suffix + 1 and head[:1].isupper():
            return EntityReading(people=[PersonClaim(head, mention(start, end))])
    known_surname = fold(words[0].text) in catalog.surnames if len(words) == 1 else False
    if len(words) == 1 and (alias_key(words[0].text) in name_words or known_surname):
        return EntityReading(people=[PersonClaim(words[0].text, mention(start, end))])
    if label == "ORG":
        return EntityReading([fallback_claim("organization", mention(start, end))])
    if label == "LOC" and not _names_countries(catalog, text, start, end):
        return EntityReading([fallback_claim("place", mention(start, end))])
    return EntityReading(covered=False)


def scan_sentence(
    catalog: Catalog, text: str, index: int, bounds: Bounds, covered: bytearray
) -> list[Claim]:
    """Country names, demonyms and metonyms in one sentence that no entity span covers."""
    claims = []
    resume = bounds[0]
    for word in capitalised_words(text, *bounds, catalog.scan_first):
        # Most names the scan meets were already found by the entity model.
        if word.start < resume or covered[word.start]:
            continue
        found = _longest_name(catalog, text, word, bounds[1])
        if found is None:
            continue
        hit, end = found
        resume = end
        if not any(covered[word.start : end]):
            claim = _scanned(catalog, hit, text, word.start, end, bounds, index)
            if claim is not None:
                claims.append(claim)
    # the few names written in lower case ("antifa"), which the tagger never tags
    if catalog.lower_names is not None:
        for match in catalog.lower_names.finditer(text, *bounds):
            if not any(covered[match.start() : match.end()]):
                hit = catalog.scan_lower[match.group()]
                written = ActorMention(match.group(), "ORG", match.start(), match.end(), index)
                claims.append(catalog_claim(hit, written))
    return claims


def _read_person(
    catalog: Catalog, text: str, entity: EntityMention, start: int, end: int
) -> EntityReading:
    def mention(s: int, e: int, label: EntityLabel) -> ActorMention:
        return ActorMention(text[s:e], label, s, e, entity.sentence_index)

    span = split_person_span(catalog, text, start, end)
    if span.core is not None:
        span = replace(span, core=(span.core[0], suffix_end(text, span.core[1])))
    reading = EntityReading(
        [catalog_claim(hit, mention(s, e, _label(hit))) for hit, s, e in span.prefixes]
    )
    if span.core is None:
        return reading
    core = text[span.core[0] : span.core[1]]
    hit = catalog.find(core)
    # The model tags the odd demonym or abbreviation PER; a plain word may be a real name.
    if hit is not None and (
        hit.match == "demonym" or (hit.match == "name" and core.isupper() and len(core) > 1)
    ):
        reading.claims.append(catalog_claim(hit, mention(*span.core, _label(hit))))
    else:
        woman = woman_before(text, span.core[0])
        person = PersonClaim(core, mention(*span.core, "PER"), span.bare_title, woman)
        reading.people.append(person)
    return reading


def _cut_group(
    catalog: Catalog, hit: CatalogHit, text: str, start: int, end: int, bounds: Bounds
) -> bool:
    """True for a group's one-word name the tagger cut from a longer name: "West" of "the West
    Wing" is not the West."""
    if hit.entry.kind != "group" or " " in text[start:end]:
        return False
    after = word_after(text, end, bounds[1])
    return catalog.is_name_word(after) and not catalog.is_title([after or ""])


def _titled(catalog: Catalog, text: str, start: int, end: int) -> bool:
    """True for a span that begins with an abbreviated title and a dot ("Rep. Alexandria",
    "Sens. Tim Kaine") and has a name after it."""
    words = tokens(text, start, end)
    return (
        len(words) > 1
        and text[words[0].end : words[0].end + 1] == "."
        and catalog.is_title([words[0].text])
    )


def _state(catalog: Catalog, text: str, start: int, end: int) -> str | None:
    """The US state an AP abbreviation names: dotted ("N.C.") or after a town ("Duluth, Minn.")."""
    written = text[start:end]
    state = catalog.state_abbreviations.get(alias_key(written))
    if state is None:
        return None
    dotted = written.count(".") >= 2 or (written.count(".") == 1 and len(written) > 2)
    abbreviated = dotted or text[end : end + 1] == "."
    after_town = text[max(0, start - 2) : start] == ", "
    return state if abbreviated and (after_town or written.count(".") >= 2) else None


def _label(hit: CatalogHit) -> EntityLabel:
    return _MATCH_LABELS[hit.match] if hit.entry.kind == "country" else "ORG"


def _longest_name(
    catalog: Catalog, text: str, first: Token, ceiling: int
) -> tuple[CatalogHit, int] | None:
    """The longest scannable name starting with ``first``, and where it ends."""
    longest = catalog.scan_first.get(first.text, 0)
    if not longest:
        return None
    for last, key in name_ngrams(text, first, longest, ceiling):
        hit = catalog.scan.get(key)
        if hit is not None:
            return hit, last.end
    return None


def _names_countries(catalog: Catalog, text: str, start: int, end: int) -> bool:
    """True for a LOC span of country names only ("Russia-China"), which the scan will claim."""
    # "Gulf of Mexico" or "South China Sea" stay places.
    resume = start
    found = False
    for word in capitalised_words(text, start, end):
        if word.start < resume:
            continue
        name = _longest_name(catalog, text, word, end)
        if name is None or name[0].entry.kind != "country":
            return False
        resume, found = name[1], True
    return found


def _scanned(
    catalog: Catalog, hit: CatalogHit, text: str, start: int, end: int, bounds: Bounds, index: int
) -> Claim | None:
    mention = ActorMention(text[start:end], _label(hit), start, end, index)
    if hit.match == "capital":
        reading = capital_reading(catalog, text, start, end, bounds)
        if reading == "part":
            return None
        if reading != "actor":
            return fallback_claim("place", mention)
        hit = capital_hit(catalog, hit, text, bounds)
        return catalog_claim(hit, replace(mention, label=_label(hit)))
    if street(text, start, end):
        return None
    before = word_before(text, start, bounds[0])
    # "Latin America", "New Mexico", "South China Sea": the name is part of a longer one.
    if catalog.is_name_word(before):
        return None
    # "LET US TALK": in a line of capitals "US" is likely the pronoun.
    if mention.text.isupper() and (_shouted(before) or _shouted(word_after(text, end, bounds[1]))):
        return None
    return catalog_claim(hit, mention)


def _shouted(word: str | None) -> bool:
    return word is not None and len(word) > 1 and word.isupper()
