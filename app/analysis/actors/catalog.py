"""The actor catalog: countries (pycountry plus curated tables), organisations, groups, metonyms.

Built once, on first use, from ``data/actors/*.json`` and pycountry; never at import time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from app.analysis.actors.text import alias_key, fold, person_key, scan_key, tokens
from app.analysis.types import ActorKind

MatchKind = Literal["name", "demonym", "capital", "seat"]

DATA_DIR = Path(__file__).parent.parent / "data" / "actors"
_FILES = (
    "countries",
    "demonyms",
    "capitals",
    "organizations",
    "groups",
    "people",
    "titles",
    "words",
)


def distinctive_name(name: str) -> bool:
    """An organisation's or group's name a sentence scan may look for without the tagger.

    Acronyms ("NATO", "U.N.", "OPEC+"), numbered names ("G7") and names of several words
    ("European Union", "Five Eyes") rarely mean anything else when capitalised. Single words
    ("Congress", "West", "Labour") often do; the data files list the safe ones under "scan".
    """
    letters = name.replace(".", "").replace("+", "").replace("-", "")
    acronym = len(letters) >= 2 and letters.isalnum() and letters.isupper()
    return acronym or any(c.isdigit() for c in name) or len(name.split()) >= 2


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A known actor: stable key, canonical name, kind and its other names."""

    key: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...]
    # the key of the actor this one is part of ("org:white house" -> "country:USA")
    part_of: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogHit:
    """A catalog actor found under one of its names, and how the name refers to it."""

    entry: CatalogEntry
    match: MatchKind


@dataclass(frozen=True, slots=True)
class Catalog:
    """Lookup tables for actor resolution and for the query layer's filters."""

    entries: dict[str, CatalogEntry]
    # alias_key(name) -> hit: names, short forms, abbreviations, demonyms, seats, capitals
    by_alias: dict[str, CatalogHit]
    # ISO codes: folded alpha-3, and alpha-2 as written (upper case)
    codes: dict[str, CatalogEntry]
    # scan_key(name) -> hit, case kept: what a sentence scan may find without the NER model
    scan: dict[str, CatalogHit]
    # first word of a scannable name -> length in words of the longest name starting with it
    scan_first: dict[str, int]
    # folded titles, words joined by spaces, and the longest title in words
    titles: frozenset[str]
    title_words: int
    institution_words: frozenset[str]
    function_words: frozenset[str]
    locatives: frozenset[str]
    # "Rome, Georgia" and "Moscow, Idaho" are American towns, not European capitals
    us_states: frozenset[str]
    # country key -> strings, one of which the article must contain for the country reading
    needs_context: dict[str, tuple[str, ...]]
    # country key -> the whole words, one of which the article must contain for the country's
    # demonyms to name it ("Indians" in an article that never names India)
    demonym_context: dict[str, re.Pattern[str]]
    version: str
    # person_key(full name) -> a well-known person (people.json), and the bare surnames
    # (folded) that mean one of them by default
    people: dict[str, CatalogEntry] = field(default_factory=dict)
    surnames: dict[str, CatalogEntry] = field(default_factory=dict)
    # alias keys of names that are no actor ("Ebola", "C.E.O."), and of AP state abbreviations
    # ("ind" -> "Indiana")
    not_actors: frozenset[str] = frozenset()
    # alias keys of words cut from longer organisation names ("Business", "Supreme")
    name_pieces: frozenset[str] = frozenset()
    state_abbreviations: dict[str, str] = field(default_factory=dict)
    # every catalog name exactly as written: a lowercase span is an actor only if listed here
    written: frozenset[str] = frozenset()
    # alias_key(bare name) -> signals, one of which the article must contain for the name to
    # mean its catalog actor ("Senate" is the US Senate in an article about US politics)
    bare_context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # names a scan looks for written in lower case too ("antifa"), and a pattern finding them
    scan_lower: dict[str, CatalogHit] = field(default_factory=dict)
    lower_names: re.Pattern[str] | None = None
    # country key -> the institution its capital stands for where no other country is named
    # ("another Washington crisis": the US federal government)
    domestic: dict[str, CatalogEntry] = field(default_factory=dict)

    def find(self, text: str) -> CatalogHit | None:
        """The actor ``text`` names (case-insensitive), or None."""
        return self.by_alias.get(alias_key(text))

    def parent(self, entry: CatalogEntry) -> CatalogEntry | None:
        """The actor ``entry`` is part of ("White House" -> "United States"), or None."""
        return None if entry.part_of is None else self.entries[entry.part_of]

    def is_title(self, words: Iterable[str]) -> bool:
        """True when ``words`` spell a title or honorific ("Secretary of State", "Mr")."""
        return " ".join(fold(w) for w in words) in self.titles

    def is_name_word(self, word: str | None) -> bool:
        """True for a capitalised word that can belong to a proper name ("Carnegie", "Latin")."""
        return word is not None and word[:1].isupper() and fold(word) not in self.function_words

    def is_locative(self, word: str | None) -> bool:
        """True for a preposition that makes a following city a place ("in", "at", "near")."""
        return word is not None and fold(word) in self.locatives


@cache
def get_catalog() -> Catalog:
    """The process-wide catalog, built on first use."""
    return _Builder().build()


def lookup_alias(text: str) -> tuple[str, str, ActorKind] | None:
    """``(key, name, kind)`` of the catalog actor a user's filter text names, or None.

    Accepts names, short forms, abbreviations, demonyms, seats of government ("Kremlin"), ISO
    alpha-3 codes, alpha-2 codes written in capitals, and catalog keys themselves. Capital
    cities are not accepted: "Moscow" as a filter may mean the city.
    """
    catalog = get_catalog()
    cleaned = text.strip()
    entry = catalog.entries.get(cleaned)
    if entry is None:
        hit = catalog.find(cleaned)
        if hit is not None and hit.match != "capital":
            entry = hit.entry
    if entry is None:
        entry = catalog.codes.get(cleaned if len(cleaned) == 2 else fold(cleaned))
    return None if entry is None else (entry.key, entry.name, entry.kind)


def known_aliases(key: str) -> tuple[str, ...]:
    """Other names of a catalog actor (ISO codes, short forms, abbreviations); () if unknown."""
    entry = get_catalog().entries.get(key)
    return () if entry is None else entry.aliases


class _Builder:
    """Assembles a Catalog; later registrations never override earlier ones."""

    def __init__(self) -> None:
        self.data = {name: _load(name) for name in _FILES}
        self.entries: dict[str, CatalogEntry] = {}
        self.by_alias: dict[str, CatalogHit] = {}
        self.scan: dict[str, CatalogHit] = {}
        self.codes: dict[str, CatalogEntry] = {}
        self.people: dict[str, CatalogEntry] = {}
        self.surnames: dict[str, CatalogEntry] = {}
        self.bare_context: dict[str, tuple[str, ...]] = {}
        self.scan_lower: dict[str, CatalogHit] = {}

    def build(self) -> Catalog:
        countries = self._countries()
        sections: tuple[tuple[ActorKind, str], ...] = (
            ("organization", "organizations"),
            ("group", "groups"),
        )
        for kind, section in sections:
            for item in self.data[section][section]:
                bare = item.get("bare", {})
                entry = CatalogEntry(
                    item["key"],
                    item["name"],
                    kind,
                    (*item["aliases"], *bare.get("names", ())),
                    item.get("part_of"),
                )
                self.entries.setdefault(entry.key, entry)
                scan_too = frozenset(item.get("scan", ()))
                for name in (entry.name, *entry.aliases):
                    scan = name in scan_too or distinctive_name(name)
                    self._add(name, CatalogHit(entry, "name"), strict=True, scan=scan)
                for adjective in item.get("adjectives", ()):
                    self._add(adjective, CatalogHit(entry, "demonym"), strict=True, scan=False)
                for name in bare.get("names", ()):
                    self.bare_context[alias_key(name)] = tuple(bare["needs"])
        for entry, curated, _ in countries:
            self._add_entry(entry, curated, strict=True, scan=True)
        for entry, _, iso in countries:
            self._add_entry(entry, iso, strict=False, scan=True)
        demonyms: dict[str, list[str]] = self.data["demonyms"]["demonyms"]
        for code, forms in demonyms.items():
            for form in forms:
                self._add(form, CatalogHit(self._entry(f"country:{code}"), "demonym"), True, True)
        for match in ("seats", "capitals"):
            places: dict[str, list[str]] = self.data["capitals"][match]
            for key, names in places.items():
                hit = CatalogHit(self._entry(key), "seat" if match == "seats" else "capital")
                for name in names:
                    self._add(name, hit, strict=True, scan=True)
        self._people()
        for entry in self.entries.values():
            if entry.part_of is not None and entry.part_of not in self.entries:
                raise ValueError(f"{entry.key} is part of unknown actor {entry.part_of}")
        return self._catalog()

    def _people(self) -> None:
        """Well-known people: looked up by their full names' person keys, never scanned."""
        for item in self.data["people"]["people"]:
            entry = CatalogEntry(item["key"], item["name"], "person", tuple(item["aliases"]))
            for name in (entry.name, *entry.aliases):
                known = self.people.setdefault(person_key(name), entry)
                if known.key != entry.key:
                    raise ValueError(f"{name!r} names both {known.key} and {entry.key}")
            for short in ([item["surname"]] if item.get("surname") else []) + item.get("short", []):
                self.surnames[fold(short)] = entry

    def _countries(self) -> list[tuple[CatalogEntry, tuple[str, ...], tuple[str, ...]]]:
        """Each country with its curated names (which must not clash) and its ISO names."""
        import pycountry

        table = self.data["countries"]
        names: dict[str, str] = table["names"]
        curated: dict[str, list[str]] = table["aliases"]
        excluded = set(table["exclude"])
        rows: list[dict[str, str | None]] = [
            {
                "alpha_3": c.alpha_3,
                "alpha_2": c.alpha_2,
                "name": c.name,
                "common_name": getattr(c, "common_name", None),
                "official_name": getattr(c, "official_name", None),
            }
            for c in pycountry.countries
            if c.alpha_3 not in excluded
        ]
        rows.extend(table["extra"])
        countries = []
        for row in rows:
            code = str(row["alpha_3"])
            iso = tuple(
                _drop_the(str(row[f]))
                for f in ("name", "common_name", "official_name")
                if row.get(f)
            )
            name = names.get(code) or row.get("common_name") or str(row["name"])
            own = (name, *curated.get(code, ()))
            aliases = tuple(_unique(a for a in (*iso, *own[1:], *_codes(row)) if a != name))
            entry = CatalogEntry(f"country:{code}", name, "country", aliases)
            countries.append((entry, own, iso))
            self.codes.setdefault(fold(code), entry)
            self.codes.setdefault(str(row["alpha_2"]), entry)
        return countries

    def _add_entry(
        self, entry: CatalogEntry, names: Iterable[str], *, strict: bool, scan: bool
    ) -> None:
        self.entries.setdefault(entry.key, entry)
        for name in names:
            self._add(name, CatalogHit(entry, "name"), strict, scan)

    def _add(self, name: str, hit: CatalogHit, strict: bool, scan: bool) -> None:
        key = alias_key(name)
        known = self.by_alias.setdefault(key, hit)
        if strict and known.entry.key != hit.entry.key:
            raise ValueError(f"{name!r} names both {known.entry.key} and {hit.entry.key}")
        # Comma forms ("Korea, Republic of") are ISO list order, never running text.
        if scan and name[:1].isupper() and "," not in name and "(" not in name:
            self.scan.setdefault(scan_key(t.text for t in tokens(name)), hit)
        elif scan and name.islower():
            self.scan_lower.setdefault(name, hit)

    def _entry(self, key: str) -> CatalogEntry:
        if key not in self.entries:
            raise ValueError(f"metonym or demonym for unknown actor {key}")
        return self.entries[key]

    def _catalog(self) -> Catalog:
        scan_first: dict[str, int] = {}
        for name in self.scan:
            words = name.split(" ")
            scan_first[words[0]] = max(scan_first.get(words[0], 0), len(words))
        titles = frozenset(" ".join(fold(t.text) for t in tokens(t)) for t in _titles(self.data))
        return Catalog(
            entries=self.entries,
            by_alias=self.by_alias,
            codes=self.codes,
            scan=self.scan,
            scan_first=scan_first,
            titles=titles,
            title_words=max(len(t.split(" ")) for t in titles),
            institution_words=frozenset(fold(w) for w in self.data["titles"]["institution_words"]),
            function_words=frozenset(self.data["words"]["function_words"]),
            locatives=frozenset(self.data["words"]["locatives"]),
            us_states=_us_states(),
            needs_context={
                f"country:{code}": tuple(signals)
                for code, signals in self.data["countries"]["needs_context"].items()
            },
            demonym_context={
                f"country:{code}": re.compile(
                    r"\b(?:" + "|".join(re.escape(signal) for signal in signals) + r")\b"
                )
                for code, signals in self.data["demonyms"]["needs_context"].items()
            },
            version=_version(),
            people=self.people,
            surnames=self.surnames,
            not_actors=frozenset(alias_key(n) for n in self.data["words"]["not_actors"]),
            name_pieces=frozenset(alias_key(n) for n in self.data["words"]["name_pieces"]),
            state_abbreviations={
                alias_key(short): name
                for short, name in self.data["words"]["us_state_abbreviations"].items()
            },
            written=frozenset(
                name for entry in self.entries.values() for name in (entry.name, *entry.aliases)
            ),
            bare_context=self.bare_context,
            scan_lower=self.scan_lower,
            lower_names=re.compile(
                r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(self.scan_lower))) + r")(?![\w-])"
            )
            if self.scan_lower
            else None,
            domestic={
                country: self._entry(institution)
                for country, institution in self.data["capitals"].get("domestic", {}).items()
            },
        )


def _load(name: str) -> dict[str, Any]:
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _titles(data: dict[str, dict[str, Any]]) -> list[str]:
    titles: list[str] = data["titles"]["titles"]
    return titles


def _codes(row: dict[str, str | None]) -> tuple[str, ...]:
    return tuple(str(row[f]) for f in ("alpha_2", "alpha_3") if row.get(f))


def _drop_the(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


def _unique(names: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for name in names:
        if name not in seen:
            seen.add(name)
            yield name


def _us_states() -> frozenset[str]:
    import pycountry

    # pycountry's own annotations leave this lookup untyped.
    database: Any = pycountry.subdivisions
    return frozenset(str(s.name) for s in database.get(country_code="US") if s.type == "State")


def _version() -> str:
    """Digest of the tables and the pycountry release, recorded as the resolver's version."""
    from importlib.metadata import version as package_version

    digest = hashlib.sha256(package_version("pycountry").encode())
    for name in _FILES:
        digest.update((DATA_DIR / f"{name}.json").read_bytes())
    return digest.hexdigest()[:12]
