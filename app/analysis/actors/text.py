"""Text helpers for actor resolution: alias keys, span trimming, tokens and neighbouring words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# "U.S." and "U.S.A." stay one token so that abbreviations match as written.
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\w+")
_NOT_KEY = re.compile(r"[^\w'&+]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_EDGE_JUNK = " \t\r\n,;:!?\"“”«»()[]{}'’‘-–—/*"
_WORD_AFTER = re.compile(r"[ \t]+(\w+)")
_REGION_AFTER = re.compile(r",[ \t]+([A-Z]\w*(?:[ \t]+[A-Z]\w*)?)")
_CAPITALISED = re.compile(r"(?<![\w.])(?:(?:[A-ZÀ-ÖØ-Þ]\.){2,}|[A-ZÀ-ÖØ-Þ]\w*)")
# The next word of a multi-word name: spaces, hyphens or apostrophes between ("Guinea-Bissau",
# "Côte d'Ivoire"), nothing else.
_NEXT_WORD = re.compile(r"[ \t\-‐‑'’]{1,3}((?:[^\W\d_]\.){2,}|\w+)")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text with its offsets."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` ("Türkiye" -> "turkiye")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=8192)
def alias_key(text: str) -> str:
    """The lookup key of a name: folded, dots and punctuation dropped, no leading "the".

    "U.S." and "US" share a key, as do "the United States'" and "United States".
    """
    folded = fold(text).replace(".", "")
    folded = re.sub(r"(?:'s|')(?=\W*$)", "", folded)
    key = _NOT_KEY.sub(" ", folded).strip(" '")
    if key.startswith("the "):
        key = key[4:]
    return key


def person_key(name: str) -> str:
    """Stable key of a person across articles: middle initials dropped; "Jr."/"Sr." kept, as
    Donald Trump Jr. is not his father."""
    parts = alias_key(name).split()
    suffix: list[str] = []
    while len(parts) > 1 and parts[-1] in _SUFFIXES:
        suffix.insert(0, parts.pop())
    if len(parts) > 2:
        parts = [parts[0], *(p for p in parts[1:-1] if len(p) > 1), parts[-1]]
    return "person:" + " ".join([*parts, *suffix])


def name_parts(name: str) -> tuple[list[str], str | None]:
    """The folded words of a person's name without its suffix, and the suffix ("jr") if any."""
    parts = person_key(name).removeprefix("person:").split()
    if len(parts) > 1 and parts[-1] in _SUFFIXES:
        return parts[:-1], parts[-1]
    return parts, None


def is_suffix(word: str) -> bool:
    """True for "Jr.", "Sr", "III" and the like."""
    return alias_key(word) in _SUFFIXES


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to the name itself: no quotes, possessive or leading "the"."""
    while start < end and text[start] in _EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    if end - start > 2 and text[end - 2] in "'’" and text[end - 1] in "sS":
        end -= 2
    if text[start : start + 4].lower() == "the " and end - start > 4:
        start += 4
    return start, end


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, stop)]


def capitalised_words(
    text: str, start: int, end: int, wanted: Container[str] | None = None
) -> Iterator[Token]:
    """The capitalised words of ``text[start:end]`` (those in ``wanted``): where names begin."""
    for match in _CAPITALISED.finditer(text, start, end):
        if wanted is None or match.group() in wanted:
            yield Token(match.group(), match.start(), match.end())


def name_ngrams(text: str, first: Token, longest: int, end: int) -> Iterator[tuple[Token, str]]:
    """``(last word, scan key)`` of the names of up to ``longest`` words from ``first`` on.

    Longest first; words must be joined by spaces, hyphens or apostrophes only. The scan key
    joins the words with single spaces and keeps their case ("Guinea-Bissau" -> "Guinea Bissau").
    """
    words = [first]
    position = first.end
    while len(words) < longest:
        match = _NEXT_WORD.match(text, position, end)
        if match is None:
            break
        words.append(Token(match.group(1), match.start(1), match.end(1)))
        position = match.end()
    for size in range(len(words), 0, -1):
        yield words[size - 1], scan_key(w.text for w in words[:size])


def scan_key(parts: Iterable[str]) -> str:
    """How a name is looked up while scanning: its words, case kept, joined by spaces."""
    return " ".join(parts)


def word_before(text: str, start: int, floor: int) -> str | None:
    """The word right before ``start`` (spaces only between), not looking before ``floor``."""
    # Walked by hand: a regex anchored at the end would be tried at every earlier position.
    gap = start
    while gap > floor and text[gap - 1] in " \t":
        gap -= 1
    begin = gap
    while begin > floor and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        begin -= 1
    return text[begin:gap] if begin < gap < start else None


def word_after(text: str, end: int, ceiling: int) -> str | None:
    """The word right after ``end`` (spaces only between), not looking past ``ceiling``."""
    match = _WORD_AFTER.match(text, end, min(ceiling, end + 40))
    return match.group(1) if match else None


def region_after(text: str, end: int, ceiling: int) -> tuple[str, ...]:
    """The one- and two-word capitalised names after a comma ("Rome, Georgia")."""
    match = _REGION_AFTER.match(text, end, min(ceiling, end + 40))
    if match is None:
        return ()
    words = match.group(1).split()
    return (words[0], " ".join(words)) if len(words) > 1 else (words[0],)
