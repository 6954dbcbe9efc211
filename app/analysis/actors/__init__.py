"""Actor resolution: an article's entity mentions grouped into canonical actors.

Keys are stable across articles: ``country:<ISO alpha-3>``, ``person:<folded full name>``,
``org:<abbreviation or folded name>``, ``group:<name>``, ``place:<folded name>``. The rules for
each kind live in ``actors.claims`` (entity spans, sentence scan, metonymy) and
``actors.people`` (titles, surnames); the tables in ``data/actors``.

Salience, in [0, 1], blends three signals of how central an actor is to the article::

    salience = 0.6 * count / max_count            # mention share, relative to the top actor
             + 0.25 * (1 - first_sentence / n)    # how early it first appears
             + 0.15 * [mentioned in the first 3 sentences]

where ``n`` is the number of sentences. The most-mentioned actor introduced in the lead scores 1.
An actor the article's title names (its name, an alias, the surface of one of its mentions, or a
person's surname) counts as introduced in the lead: position 1, lead 1.

The title is read for that, and for fuller names ("Williamson" is "Kevin Williamson" when the
title writes it so); it is not analysed text, so no mention points into it.

Decisions a reader of the results should know (the tables' ``_doc`` fields say more):

- A capital city is its country's government only when it stands alone and not after "in", "at"
  and the like ("Moscow and Beijing share ..." vs "in Moscow, residents ..."; "Carnegie Moscow
  Center" is an organisation); "Whitehall" always is; "Brussels" is the EU.
- Institutions are actors of their own, part of their country (``part_of``): "the White House",
  "the Kremlin", "Downing Street", "the Élysée", the Pentagon, the State Department, Congress
  (the Senate and the House are part of it), the US Supreme Court.
- "the Biden administration" is Biden; "the Russian government" is Russia.
- "the Pentagon" is the US Department of Defense; a bare "Congress" the US Congress; a bare
  "Supreme Court" stays a generic organisation, and so does a bare "Senate", "House" or
  "Treasury" unless the article is about US politics (it names Congress, a party, "Sen.", ...:
  the ``bare`` names of ``organizations.json``); Democrats and Republicans are the US parties.
  "the West" ("Western" alone) is a group, like the Quad, the G7, the G20 and BRICS.
- "Georgia" is the country only when the article mentions Tbilisi, Abkhazia, Ossetia, the
  Caucasus or Saakashvili; otherwise the US state. "Korea" and "Korean" alone are not countries.
- MISC spans that are not nationalities ("Cold War", "European") are dropped; continents,
  regions, states and cities are places.
- Spans that name no actor (lowercase words, party-state tags, links, photo credits, datelines:
  see ``actors.junk``) are dropped, and so is a lone word cut from a longer organisation's name
  ("Supreme" of "Supreme Court") that no longer name of the article takes, and so are the
  entities inside a hover link pasted into a sentence
  (`layout.inline_chrome`); an entity that cuts into a longer catalog name ("Party" of
  "Republican Party") gives way to the whole name, which the sentence scan finds.
- Well-known people (``data/actors/people.json``) are one actor under their full name; "Jr." is
  part of a name (``actors.people`` has the rules for surnames).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.analysis.actors.catalog import Catalog, get_catalog, known_aliases, lookup_alias
from app.analysis.actors.claims import (
    Bounds,
    Claim,
    EntityReading,
    fallback_claim,
    read_entity,
    scan_sentence,
)
from app.analysis.actors.given import given_name
from app.analysis.actors.people import (
    Person,
    PersonClaim,
    full_name_words,
    resolve_people,
    surname_mentions,
)
from app.analysis.actors.text import alias_key, fold, person_key
from app.analysis.layout import inline_chrome
from app.analysis.types import (
    ActorAnalysis,
    ActorKind,
    ActorMention,
    ActorRef,
    ActorSentiment,
    EntityMention,
    Sentence,
)

__all__ = ["ActorResolver", "ResolvedActor", "known_aliases", "lookup_alias", "person_key"]

_COUNT_WEIGHT = 0.6
_POSITION_WEIGHT = 0.25
_LEAD_WEIGHT = 0.15
_LEAD_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class ResolvedActor:
    """One canonical actor of an article, before its sentiment is known."""

    key: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...]
    # ordered by position in the text
    mentions: tuple[ActorMention, ...]
    salience: float
    part_of: ActorRef | None = None

    @property
    def sentence_indexes(self) -> tuple[int, ...]:
        """The sentences that mention the actor, in order, each once."""
        return tuple(sorted({m.sentence_index for m in self.mentions}))

    def with_sentiment(self, sentiment: ActorSentiment) -> ActorAnalysis:
        """This actor as the analysis reports it, with the author's sentiment toward it."""
        return ActorAnalysis(
            key=self.key,
            name=self.name,
            kind=self.kind,
            aliases=self.aliases,
            mentions=self.mentions,
            salience=self.salience,
            sentiment=sentiment,
            part_of=self.part_of,
        )


class ActorResolver:
    """Turns an article's entity mentions into canonical actors; tables load on first use."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog:
        """The lookup tables, built on first use and shared by the process."""
        if self._catalog is None:
            self._catalog = get_catalog()
        return self._catalog

    @property
    def version(self) -> str:
        """Identifies the tables' contents, to record with the annotations they produced."""
        return f"actor-tables@{self.catalog.version}"

    def resolve(
        self,
        text: str,
        sentences: Sequence[Sentence],
        entities: Sequence[EntityMention],
        title: str | None = None,
    ) -> list[ResolvedActor]:
        """The article's actors, in order of first appearance; ``title`` (not part of ``text``)
        gives fuller names and lead salience."""
        catalog = self.catalog
        bounds = {s.index: (s.start, s.end) for s in sentences}
        chrome = inline_chrome(text)
        entities = _outside(text, entities, chrome)
        entities = _without_pieces_of_names(catalog, text, sentences, entities)
        entities = _joined_names(catalog, text, entities)
        # PER spans first: their full names tell which mislabelled single words are surnames.
        read = [(e, self._read(text, e, bounds, frozenset())) for e in entities if e.label == "PER"]
        name_words = full_name_words([p for _, reading in read for p in reading.people])
        read += [(e, self._read(text, e, bounds, name_words)) for e in entities if e.label != "PER"]
        covered = bytearray(len(text))
        for start, end in chrome:
            covered[start:end] = b"\x01" * (end - start)
        for entity, reading in read:
            end = min(entity.end, len(text))
            if reading.covered and entity.start < end:
                covered[entity.start : end] = b"\x01" * (end - entity.start)
        claims = [claim for _, reading in read for claim in reading.claims]
        for sentence in sentences:
            span_bounds = (sentence.start, sentence.end)
            claims += scan_sentence(catalog, text, sentence.index, span_bounds, covered)
        people = [p for _, reading in read for p in reading.people]
        claims += _people_claims(text, people, catalog, title or "")
        claims = self._apply_context(text, claims)
        claims += _surname_claims(text, sentences, entities, claims, chrome)
        claims = _one_reading_per_name(_whole_names(text, claims))
        claims = [c for c in claims if not _name_piece(catalog, c)]
        claims = _short_forms(claims)
        return _actors(claims, len(sentences), catalog, title or "")

    def _read(
        self,
        text: str,
        entity: EntityMention,
        bounds: dict[int, Bounds],
        name_words: frozenset[str],
    ) -> EntityReading:
        span_bounds = bounds.get(entity.sentence_index, (0, len(text)))
        return read_entity(self.catalog, text, entity, span_bounds, name_words)

    def _apply_context(self, text: str, claims: list[Claim]) -> list[Claim]:
        """Names like "Georgia" are the country only when the article says which one it is, and
        bare names like "Senate" their catalog actor only where the article's signals say so;
        demonyms like "Indians" name it only when the article also names one of its places,
        leaders or things (the demonyms data file lists them)."""
        kept = []
        for claim in claims:
            bare = self.catalog.bare_context.get(alias_key(claim.written))
            # "Senate" is the US Senate only in an article about US politics
            if claim.entry is not None and bare and not any(s in text for s in bare):
                kept.append(fallback_claim("organization", claim.mention))
                continue
            if claim.match == "demonym":
                context = self.catalog.demonym_context.get(claim.key)
                if context is not None and context.search(text) is None:
                    continue
            signals = self.catalog.needs_context.get(claim.key)
            if signals is None or any(signal in text for signal in signals):
                kept.append(claim)
            elif claim.match == "name":
                kept.append(fallback_claim("place", claim.mention))
        return kept


def _people_claims(
    text: str, people: list[PersonClaim], catalog: Catalog, title: str
) -> list[Claim]:
    found = resolve_people(people, catalog)
    fuller = _fuller_names(text, catalog, [p for p in found if p is not None], title)
    claims = []
    for claim, person in zip(people, found, strict=True):
        if person is not None and _common_word(text, person.name):
            continue
        if person is not None:
            person = fuller.get(person.key, person)
            claims.append(Claim(person.key, person.name, "person", claim.mention, claim.name))
    return claims


def _common_word(text: str, name: str) -> bool:
    """A one-word "person" the article also writes in lower case is a common word capitalised
    at the start of a sentence ("Pot" beside "pot's casual use")."""
    if " " in name or not name.isalpha() or not name[:1].isupper():
        return False
    return re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", text) is not None


def _fuller_names(
    text: str, catalog: Catalog, people: Sequence[Person], title: str = ""
) -> dict[str, Person]:
    """People known only by one word whose full name the text gives where the tagger did not
    see it (the headline, a caption): "Guyger" is "Amber Guyger" when the text writes it so,
    with one first name only. The title counts too, where its capitals cannot tell a name: there
    the first name must be a common given name (`given`), so "Atlantic Fires Williamson" gives no
    "Fires Williamson" and "Concerning Kevin Williamson" no "Concerning Kevin"."""
    fuller: dict[str, Person] = {}
    for person in {p.key: p for p in people}.values():
        if " " in person.name or not person.name[:1].isupper():
            continue
        pattern = rf"(?<![\w.])([A-Z][a-z]+)[ \t]+{re.escape(person.name)}(?![\w-])"
        from_title = [first for first in re.findall(pattern, title) if given_name(first)]
        firsts = {
            first
            for first in [*re.findall(pattern, text), *from_title]
            if _name_word(catalog, first)
        }
        if len(firsts) == 1:
            name = f"{firsts.pop()} {person.name}"
            fuller[person.key] = Person(person_key(name), name)
    return fuller


def _name_word(catalog: Catalog, word: str) -> bool:
    return (
        not catalog.is_title([word])
        and fold(word) not in catalog.function_words
        and catalog.find(word) is None
    )


def _outside(
    text: str, entities: Sequence[EntityMention], chrome: Sequence[tuple[int, int]]
) -> list[EntityMention]:
    """The entities, cut short where a hover link (`layout.inline_chrome`) begins inside them;
    those inside a link are dropped."""
    kept = []
    for entity in entities:
        cut = min((s for s, e in chrome if s < entity.end and entity.start < e), default=None)
        if cut is None:
            kept.append(entity)
        elif entity.start < cut and text[entity.start : cut].strip():
            end = len(text[:cut].rstrip())
            kept.append(replace(entity, text=text[entity.start : end], end=end))
    return kept


def _without_pieces_of_names(
    catalog: Catalog, text: str, sentences: Sequence[Sentence], entities: Sequence[EntityMention]
) -> list[EntityMention]:
    """The entities, without those that cut into a longer catalog name: "Centers for" and
    "Control and Prevention" out of "Centers for Disease Control and Prevention", "Party" out of
    "Republican Party", "D.C." out of "C.D.C."; the sentence scan then finds the whole name."""
    nothing_covered = bytearray(len(text))
    names = [
        (claim.mention.start, claim.mention.end)
        for sentence in sentences
        for claim in scan_sentence(
            catalog, text, sentence.index, (sentence.start, sentence.end), nothing_covered
        )
        if " " in claim.mention.text or claim.mention.text.count(".") >= 2
    ]
    return [
        e
        for e in entities
        if not any(s < e.end and e.start < end and not (e.start <= s and end <= e.end)
                   for s, end in names)
    ]  # fmt: skip


def _joined_names(
    catalog: Catalog, text: str, entities: Sequence[EntityMention]
) -> list[EntityMention]:
    """A person's name the tagger split in two adjacent spans is one: "Julian" (PER) and
    "Zelizer" (ORG), "Rep. Alexandria" (ORG) and "Ocasio-Cortez" (PER). The first is a single
    name word tagged PER, or begins with an abbreviated title ("Rep."); the second one
    capitalised word, tagged PER or ORG, one space after it. Neither is a catalog name, and
    the second is no institution noun ("Obama Administration" stays as it was)."""
    joined: list[EntityMention] = []
    for entity in sorted(entities, key=lambda e: e.start):
        previous = joined[-1] if joined else None
        if previous is not None and _split_name(catalog, text, previous, entity):
            joined[-1] = replace(
                previous,
                text=text[previous.start : entity.end],
                label="PER",
                end=entity.end,
            )
            continue
        joined.append(entity)
    return joined


def _split_name(catalog: Catalog, text: str, first: EntityMention, second: EntityMention) -> bool:
    # (a sentence splitter may have cut after the title's dot: the spans decide)
    if text[first.end : second.start] != " ":
        return False
    head, tail = text[first.start : first.end], text[second.start : second.end]
    # a PER span after a first name may have several words ("Osama" "Bin Laden")
    words = r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2}" if second.label == "PER" else r"[A-Z][\w'’-]+"
    if second.label not in ("PER", "ORG") or not re.fullmatch(words, tail):
        return False
    if "PER" not in (first.label, second.label):
        return False
    if catalog.find(head) is not None or catalog.find(tail) is not None:
        return False
    folded = fold(tail)
    if folded in catalog.institution_words or alias_key(tail) in catalog.name_pieces:
        return False
    titled = re.match(r"[A-Z][a-z]+\.[ \t]", head) is not None and catalog.is_title(
        [head.split(".", 1)[0]]
    )
    single = first.label == "PER" and re.fullmatch(r"[A-Z][a-z]+", head) is not None
    return titled or (single and fold(head) not in catalog.surnames)


def _surname_claims(
    text: str,
    sentences: Sequence[Sentence],
    entities: Sequence[EntityMention],
    claims: list[Claim],
    chrome: Sequence[tuple[int, int]],
) -> list[Claim]:
    """Surnames of the article's full-named people that the tagger missed."""
    people = [Person(c.key, c.name) for c in claims if c.kind == "person"]
    taken = [(e.start, e.end) for e in entities] + [
        (c.mention.start, c.mention.end) for c in claims
    ]
    taken += chrome
    spans = [(s.index, s.start, s.end) for s in sentences]
    return [
        Claim(person.key, person.name, "person", mention, mention.text)
        for person, mention in surname_mentions(text, spans, people, taken)
    ]


def _whole_names(text: str, claims: list[Claim]) -> list[Claim]:
    """A name the catalog does not know, cut from a longer one the article names elsewhere
    ("Beast" where the text reads "The Daily Beast", with "Daily Beast" an actor), is the longer
    one."""
    longer: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.entry is None and claim.kind in ("organization", "place") and " " in claim.name:
            longer.setdefault(claim.name.rsplit(" ", 1)[1], []).append(claim)
    if not longer:
        return claims
    found = []
    for claim in claims:
        start = claim.mention.start
        whole = next(
            (
                other
                for other in longer.get(claim.name, ())
                if claim.entry is None
                and claim.kind == other.kind
                and text[start - len(other.name) + len(claim.name) : claim.mention.end]
                == other.name
            ),
            None,
        )
        found.append(claim if whole is None else replace(claim, key=whole.key, name=whole.name))
    return found


_INITIALS_SKIP = frozenset(["of", "for", "and", "the", "on", "in", "to", "&"])


def _initials(name: str) -> str:
    """ "National Rifle Association" -> "NRA"; "" for a name of fewer than two words."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w.casefold() not in _INITIALS_SKIP]
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return ""
    return "".join(w[0] for w in words)


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w.casefold() for w in re.split(r"[\s-]+", name) if w)


def _short_forms(claims: list[Claim]) -> list[Claim]:
    """An actor the article also names in full is one actor: an acronym the catalog does not
    know ("NRA", "CBO") is the one organisation of the article whose initials it is ("National
    Rifle Association"), and a person known by a surname of several words ("de Blasio",
    "Al-Awlaki") the one full name of the article that ends so ("Bill de Blasio", "Anwar
    al-Awlaki"), and an organisation named by the last word of its name ("the Times") the one
    longer organisation of the article that ends so ("The New York Times"). The short form
    stays an alias."""
    by_initials: dict[str, set[tuple[str, str]]] = {}
    by_tail: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    by_last_word: dict[str, set[tuple[str, str]]] = {}
    for claim in claims:
        if claim.kind == "organization" and claim.name == claim.written:
            initials = _initials(claim.name)
            if len(initials) >= 2:
                by_initials.setdefault(initials, set()).add((claim.key, claim.name))
        if claim.kind == "organization" and " " in claim.name:
            last = claim.name.rsplit(" ", 1)[1]
            by_last_word.setdefault(last.casefold(), set()).add((claim.key, claim.name))
        elif claim.kind == "person":
            words = _name_words(claim.name)
            for size in range(1, len(words)):
                by_tail.setdefault(words[-size:], set()).add((claim.key, claim.name))
    found = []
    for claim in claims:
        owners: set[tuple[str, str]] = set()
        if claim.entry is None and claim.kind == "organization":
            acronym = claim.name.replace(".", "")
            if acronym.isalpha() and acronym.isupper() and 2 <= len(acronym) <= 6:
                owners = by_initials.get(acronym, set())
            elif " " not in claim.name and claim.name[:1].isupper():
                owners = by_last_word.get(claim.name.casefold(), set())
        elif claim.kind == "person":
            owners = by_tail.get(_name_words(claim.name), set())
        owners = {o for o in owners if o[0] != claim.key}
        if len(owners) == 1:
            key, name = owners.pop()
            claim = replace(claim, key=key, name=name, entry=None, match=None)
        found.append(claim)
    return found


def _name_piece(catalog: Catalog, claim: Claim) -> bool:
    """A single word the tagger cut from a longer organisation's name and no longer name of the
    article took ("Business" of "Small Business Administration", "Supreme" of "Supreme Court":
    ``name_pieces`` in ``words.json``) is no actor; the catalog's names are."""
    return (
        claim.entry is None
        and claim.kind in ("organization", "place")
        and " " not in claim.name
        and alias_key(claim.name) in catalog.name_pieces
    )


def _one_reading_per_name(claims: list[Claim]) -> list[Claim]:
    """A name the catalog does not know is one actor in an article: where the tagger read
    "Anchorage" as a place in one sentence and an organisation in another, the reading with
    more mentions takes them all (on a tie, the one read first). A one-word person the article
    gives no full name is one more reading ("Gallup" read as a person once, the polling firm
    three times), and loses a tie."""
    votes: dict[str, dict[str, list[Claim]]] = {}
    for claim in sorted(claims, key=lambda c: (c.mention.start, c.mention.end)):
        kind, _, name = claim.key.partition(":")
        # a one-word person with no full name is one more reading ("Gallup's Lydia Saad")
        person = kind == "person" and " " not in claim.name
        if claim.entry is None and (kind in ("org", "place") or person):
            votes.setdefault(name, {}).setdefault(claim.key, []).append(claim)
    chosen: dict[str, Claim] = {}
    for readings in votes.values():
        if len(readings) > 1 and any(not key.startswith("person:") for key in readings):
            # dicts keep first-seen order and max() keeps the first of equals; on a tie a
            # person with no full name gives way
            winner = max(
                readings.values(), key=lambda group: (len(group), group[0].kind != "person")
            )[0]
            chosen.update(dict.fromkeys(readings, winner))
    if not chosen:
        return claims
    return [
        replace(claim, key=chosen[claim.key].key, name=chosen[claim.key].name,
                kind=chosen[claim.key].kind) if claim.key in chosen else claim
        for claim in claims
    ]  # fmt: skip


def _actors(
    claims: list[Claim], n_sentences: int, catalog: Catalog, title: str = ""
) -> list[ResolvedActor]:
    grouped: dict[str, list[Claim]] = {}
    for claim in sorted(claims, key=lambda c: (c.mention.start, c.mention.end)):
        grouped.setdefault(claim.key, []).append(claim)
    if not grouped:
        return []
    mentions = {key: _unique_mentions(group) for key, group in grouped.items()}
    top = max(len(m) for m in mentions.values())
    sentence_count = n_sentences or 1 + max(
        m.sentence_index for group in mentions.values() for m in group
    )
    surnames = Counter(
        group[0].name.split()[-1] for group in grouped.values() if group[0].kind == "person"
    )
    actors = []
    for key, group in grouped.items():
        first = group[0]
        found = mentions[key]
        # "Dems race to back Clinton": the title's surname is no one's where two people share it
        shared = first.kind == "person" and surnames[first.name.split()[-1]] > 1
        if first.entry is not None:
            aliases = first.entry.aliases
        else:
            kept = {(m.start, m.end) for m in found}
            written = dict.fromkeys(
                c.written
                for c in group
                if c.written.casefold() != first.name.casefold()
                and (c.mention.start, c.mention.end) in kept
            )
            aliases = tuple(written)
        parent = None if first.entry is None else catalog.parent(first.entry)
        actors.append(
            ResolvedActor(
                key=key,
                name=first.name,
                kind=first.kind,
                aliases=aliases,
                mentions=found,
                salience=_salience(
                    found, top, sentence_count, _in_title(title, first, group, found, shared)
                ),
                part_of=None if parent is None else ActorRef(parent.key, parent.name, parent.kind),
            )
        )
    return actors


def _unique_mentions(group: list[Claim]) -> tuple[ActorMention, ...]:
    """Each span once; a span inside a longer one of the same actor ("University" of the
    "Washington University" it was widened to) is that one."""
    seen: dict[tuple[int, int], ActorMention] = {}
    for claim in group:
        seen.setdefault((claim.mention.start, claim.mention.end), claim.mention)
    spans = list(seen)
    return tuple(
        mention
        for (start, end), mention in seen.items()
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)
    )


def _in_title(
    title: str,
    first: Claim,
    group: list[Claim],
    mentions: tuple[ActorMention, ...],
    shared_surname: bool = False,
) -> bool:
    """True when ``title`` names the actor: its name, an alias, a mention's surface, or (a
    person) the last word of the name, as whole words; a surname two of the article's people
    share names neither."""
    if not title:
        return False
    names = {first.name, *(c.written for c in group), *(m.text for m in mentions)}
    if first.entry is not None:
        names.update(first.entry.aliases)
    if shared_surname:
        last = first.name.split()[-1]
        names = {n for n in names if n != last}
    elif first.kind == "person":
        last = first.name.split()[-1]
        if len(last) > 2 and last[:1].isupper():
            names.add(last)
    return any(
        re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", title) is not None
        for name in names
        if len(name) > 1
    )


def _salience(
    mentions: tuple[ActorMention, ...], top: int, n_sentences: int, in_title: bool = False
) -> float:
    first = min(m.sentence_index for m in mentions)
    position = 1.0 if in_title else min(1.0, max(0.0, 1.0 - first / n_sentences))
    lead = 1.0 if in_title or first < _LEAD_SENTENCES else 0.0
    score = _COUNT_WEIGHT * len(mentions) / top + _POSITION_WEIGHT * position + _LEAD_WEIGHT * lead
    return round(score, 4)
