"""People: titles stripped from names, and short mentions attached to the article's full names.

Rules, in order:

- A person's key is ``person:`` plus the folded full name without middle initials or Jr/Sr, so
  the same full name is the same actor across articles.
- Leading titles and honorifics are stripped ("US Secretary of State Antony Blinken" ->
  "Antony Blinken"); a country or organisation written before a title ("Russian Foreign
  Minister") is kept as a mention of that actor.
- A one-word mention ("Lavrov", "Biden's", "Xi") attaches to a full name of the same article
  whose last word, else first word, it is; when several full names share it, to the nearest one
  mentioned before it, else the one named most. A surname that names a well-known person by
  default (``people.json``: "Trump", "Obama") is that person, even where the article names a
  relative ("Ivanka Trump ... President Trump"), unless a woman's honorific ("Ms. Trump") points
  to another full name of the article. A woman's honorific never takes a full name whose first
  name is a man's (`given`): "Mrs. Clinton" after "President Bill Clinton" is Hillary Clinton.
  With no full name it is its own person (or the default).
- "Jr." and "Sr." are part of the name: "Trump Jr." attaches to "Donald Trump Jr.", never to
  his father, and a bare "Trump" never to the son.
- Well-known people are one actor across articles under their catalog name ("Donald J. Trump"
  is Donald Trump).
- "the Biden administration" (and government, campaign, regime ...) is a mention of Biden.
- Once a full name is in the article, its surname written elsewhere in the content, capitalised,
  is a mention of that person even where the tagger missed it ("Biden and his team"), unless
  the article also uses the word in lower case (a common word: "bush", "power"), another
  entity or actor mention covers it, or two of the article's full names share that surname.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.analysis.actors.catalog import Catalog, CatalogEntry, CatalogHit
from app.analysis.actors.given import gender
from app.analysis.actors.text import Token, fold, is_suffix, name_parts, person_key, tokens
from app.analysis.types import ActorMention

_PREFIX_WORDS = 4
_WOMAN = re.compile(r"\b(?:Ms|Mrs|Miss|Madam|Lady|Dame)\.?\s+$")
# "Donald Trump Jr.", "John Smith, Sr.", "Henry Ford II": the suffix belongs to the name
_SUFFIX_AFTER = re.compile(r",?[ \t]+(?:Jr|Sr)\b\.?|[ \t]+(?:II|III|IV)\b")


@dataclass(frozen=True, slots=True)
class PersonClaim:
    """A mention of a person, before it is attached to the article's full names."""

    name: str
    mention: ActorMention
    # a lone title ("President", or "King" as in Steve King): a person only as a known surname
    bare_title: bool = False
    # after "Ms.", "Mrs." and the like: not a man known by the same surname
    woman: bool = False


@dataclass(frozen=True, slots=True)
class PersonSpan:
    """A PER span split into the name itself and the actors written before its title."""

    core: tuple[int, int] | None
    prefixes: tuple[tuple[CatalogHit, int, int], ...]
    bare_title: bool = False


@dataclass(frozen=True, slots=True)
class Person:
    """The actor a person mention was attached to."""

    key: str
    name: str


def split_person_span(catalog: Catalog, text: str, start: int, end: int) -> PersonSpan:
    """Strip titles, prefixed actors and a trailing institution word from a PER span."""
    words = tokens(text, start, end)
    first = 0
    prefixes: list[tuple[CatalogHit, int, int]] = []
    while first < len(words):
        # Never the last word: "King" alone may be Steve King's surname.
        size = _title_at(catalog, words[:-1], first)
        if size:
            first += size
            continue
        prefix = _actor_before_title(catalog, text, words, first)
        if prefix is None:
            break
        hit, size = prefix
        prefixes.append((hit, words[first].start, words[first + size - 1].end))
        first += size
    last = len(words) - institution_suffix(catalog, words[first:])
    if first >= last:
        return PersonSpan(None, tuple(prefixes))
    bare_title = last - first == 1 and catalog.is_title([words[first].text])
    return PersonSpan((words[first].start, words[last - 1].end), tuple(prefixes), bare_title)


def institution_suffix(catalog: Catalog, words: Sequence[Token]) -> int:
    """How many trailing words name a government or team ("administration", "White House")."""
    for size in (2, 1):
        if len(words) > size and (
            " ".join(fold(w.text) for w in words[-size:]) in catalog.institution_words
        ):
            return size
    return 0


def resolve_people(
    claims: Sequence[PersonClaim], catalog: Catalog | None = None
) -> list[Person | None]:
    """The person each claim refers to, in the order of ``claims``; None for a lone title.

    ``catalog`` gives the well-known people (their names and default surnames)."""
    people = catalog.people if catalog is not None else {}
    surnames = catalog.surnames if catalog is not None else {}
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    by_last: dict[str, list[tuple[int, str]]] = {}
    by_first: dict[str, list[tuple[int, str]]] = {}
    by_suffixed: dict[str, list[tuple[int, str]]] = {}
    for claim in sorted(claims, key=lambda c: c.mention.start):
        words, suffix = name_parts(claim.name)
        if len(words) < 2:
            continue
        key, name = _full_person(claim.name, people)
        names.setdefault(key, name)
        counts[key] += 1
        start = claim.mention.start
        if suffix is not None:
            by_suffixed.setdefault(f"{words[-1]} {suffix}", []).append((start, key))
            continue
        by_last.setdefault(words[-1], []).append((start, key))
        by_first.setdefault(words[0], []).append((start, key))
    found_people: list[Person | None] = []
    for claim in claims:
        words, suffix = name_parts(claim.name)
        position = claim.mention.start
        if len(words) >= 2:
            key, name = _full_person(claim.name, people)
            found_people.append(Person(key, names.get(key, name)))
            continue
        if suffix is not None:
            found = by_suffixed.get(f"{words[0]} {suffix}", [])
            key = _pick(found, position, counts) if found else person_key(claim.name)
            found_people.append(Person(key, names.get(key, claim.name)))
            continue
        word = words[0] if words else ""
        default = surnames.get(word)
        found = by_last.get(word) or by_first.get(word) or []
        if claim.woman and default is not None:
            found = [(start, key) for start, key in found if key != default.key]
            default = None
        if claim.woman:
            # "Mrs. Clinton" after "President Bill Clinton" is not Bill
            women = [(s, key) for s, key in found if gender(names[key].split()[0]) != "male"]
            found = women or found
        if default is not None:
            found_people.append(Person(default.key, default.name))
        elif found:
            key = _pick(found, position, counts)
            found_people.append(Person(key, names[key]))
        elif claim.bare_title:
            found_people.append(None)
        else:
            found_people.append(Person(person_key(claim.name), claim.name))
    return found_people


def _full_person(name: str, people: dict[str, CatalogEntry]) -> tuple[str, str]:
    """The key and canonical name of a full name: the catalog's for a well-known person."""
    key = person_key(name)
    entry = people.get(key)
    return (entry.key, entry.name) if entry is not None else (key, name)


def full_name_words(claims: Sequence[PersonClaim]) -> frozenset[str]:
    """First and last words of the full names claimed, to recognise mis-labelled surnames."""
    found: set[str] = set()
    for claim in claims:
        words, _ = name_parts(claim.name)
        if len(words) >= 2:
            found.update((words[0], words[-1]))
    return frozenset(found)


def _pick(found: list[tuple[int, str]], position: int, counts: Counter[str]) -> str:
    """The most recent full name before ``position``, else the one named most (first of equals)."""
    before = [key for start, key in found if start <= position]
    if before:
        return before[-1]
    order = list(dict.fromkeys(key for _, key in found))
    return max(order, key=lambda key: counts[key])


def suffix_end(text: str, end: int) -> int:
    """Where a person's name ending at ``end`` really ends: after a following "Jr." or "III",
    and after the dot of its own "Jr"."""
    match = _SUFFIX_AFTER.match(text, end, min(len(text), end + 6))
    if match:
        return match.end()
    if text[end : end + 1] == "." and re.search(r"\b(?:Jr|Sr)$", text[max(0, end - 3) : end]):
        return end + 1
    return end


def woman_before(text: str, start: int) -> bool:
    """True when "Ms.", "Mrs." or the like is written right before ``start``."""
    return _WOMAN.search(text, max(0, start - 8), start) is not None


def _title_at(catalog: Catalog, words: Sequence[Token], first: int) -> int:
    longest = min(catalog.title_words, len(words) - first)
    for size in range(longest, 0, -1):
        if catalog.is_title(w.text for w in words[first : first + size]):
            return size
    return 0


def _actor_before_title(
    catalog: Catalog, text: str, words: Sequence[Token], first: int
) -> tuple[CatalogHit, int] | None:
    """A country or organisation written before a title ("Russian" Foreign Minister ...)."""
    # Not followed by a title, the name is part of the person's own ("Georgia Smith").
    longest = min(_PREFIX_WORDS, len(words) - first - 1)
    for size in range(longest, 0, -1):
        hit = catalog.find(text[words[first].start : words[first + size - 1].end])
        named = hit is not None and hit.match in ("name", "demonym")
        if named and hit is not None and _title_at(catalog, words, first + size):
            return hit, size
    return None


def surname_mentions(
    text: str,
    sentences: Sequence[tuple[int, int, int]],
    people: Sequence[Person],
    taken: Sequence[tuple[int, int]],
) -> list[tuple[Person, ActorMention]]:
    """Capitalised surnames of the article's full-named ``people`` that nothing else claimed.

    ``sentences`` are ``(index, start, end)`` of the content sentences (cruft is never swept);
    ``taken`` are the spans of every entity and actor mention already found.
    """
    by_surname: dict[str, list[Person]] = {}
    for person in {p.key: p for p in people}.values():
        words = [w for w in person.name.split() if not is_suffix(w)]
        if len(person.name.split()) != len(words):
            continue  # "Trump" alone is never the son
        if len(words) >= 2 and len(words[-1]) > 2 and words[-1][0].isupper():
            by_surname.setdefault(words[-1], []).append(person)
    found: list[tuple[Person, ActorMention]] = []
    occupied = sorted(taken)
    for surname, owners in by_surname.items():
        if len(owners) > 1 or re.search(rf"\b{re.escape(surname.lower())}\b", text):
            continue
        pattern = re.compile(rf"(?<![\w-]){re.escape(surname)}(?![\w-])")
        for index, start, end in sentences:
            for match in pattern.finditer(text, start, end):
                if not any(s < match.end() and match.start() < e for s, e in occupied):
                    mention = ActorMention(surname, "PER", match.start(), match.end(), index)
                    found.append((owners[0], mention))
    return found
