"""Entity spans that name no actor, and the edges of spans that are not part of the name.

Checked before a span is looked up (a real sentence for each is in tests/analysis/test_junk.py):

- a span with no capital letter ("vapid", "bridge", "senators", "china shop") is a common word,
  unless the catalog writes a name exactly so ("al-Qaeda" has a capital; a lowercase one would
  be listed as written);
- names the catalog lists as no actor ("Ebola", "Obamacare", "C.E.O.");
- party-state tags: "(I-Vt.)", "(R-Ky.)", "D-Calif.", or a state or a party letter tagged alone
  inside one ("D" of "D-N.Y.");
- links and handles: "t.co", "HealthCare.gov", "@espiers", "video.foxnews.com", and a photo
  credit's outlet after a slash ("M.Scott Mahaskey/POLITICO"); a domain written as a name
  ("AL.com") stays the outlet it names;
- street addresses: "1600 Pennsylvania Ave.", "Georgia Avenue";
- the parties of a court case's name: "Plessy v. Ferguson", "Brown v. Board of Education";
- datelines ("(CNN) --") and photo credits ("AP Photos", "Getty Images/AP Photos") of outlets
  the catalog does not know (the catalog's "(AP)" stays the Associated Press, the article's
  source);
- the acronym of a law or a programme the article writes in full ("PPP" of "Paycheck
  Protection Program", "ACA" of "Affordable Care Act");
- a span ending in a lowercase function word ("Centers for") is a broken piece of a longer name.

Edges: lowercase words before a name are dropped ("the journal International Economy"), and so
is one lowercase word after it ("Moderna shares", "Kurtz saga"); a span with more lowercase words
after its name ("Dallas police union") is a description, not a name.
"""

from __future__ import annotations

import re

from app.analysis.actors.catalog import Catalog
from app.analysis.actors.text import alias_key, fold

_PARTY_TAG = re.compile(r"[DRI][ \t]?-[ \t]?[A-Z][A-Za-z.]*")
_TAG_BEFORE = re.compile(r"[(\[,][ \t]?[DRI][ \t]?-[ \t]?$")
# the party letter of a tag cut from its state: "D" of "D-N.Y."
_TAG_AFTER = re.compile(r"[ \t]?-[ \t]?[A-Z][A-Za-z]*\.")
# A domain written as a name ("AL.com", "Amazon.com") is the outlet or company it names; the
# tagger's piece of a link ("HealthCare" of "HealthCare.gov", "t.co/...") is not.
_LINK = re.compile(r"@|#|/|://|www\.", re.IGNORECASE)
_LINK_AFTER = re.compile(r"\.[a-z]{2,}|/|@")
# "1600 Pennsylvania Ave.", "Georgia Avenue": a street, not the state
_STREET_AFTER = re.compile(
    r"[ \t]+(?:Ave|Avenue|St|Street|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Pkwy|Parkway|"
    r"Hwy|Highway|Pike|Turnpike|Square|Plaza)\b"
)
_PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "der",
        "di",
        "da",
        "du",
        "van",
        "von",
        "bin",
        "ibn",
        "al",
        "el",
        "la",
        "le",
        "dos",
        "das",
        "ter",
        "ten",
    ]
)
_FUNCTION_END = frozenset(
    ["of", "for", "and", "the", "in", "on", "at", "to", "from", "with", "by", "or"]
)
_WORD = re.compile(r"\S+")
# photo credits: "AP Photos", "Getty Images/AP Photos"
_CREDIT_AFTER = re.compile(r"[ \t]+(?:Photos?|Images|Pictures)\b")
# a dateline: "(CNN) --", "WASHINGTON (AP) --" at the start of a paragraph
_DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[A-Z][A-Z.,' \t-]*)?\($")


def not_an_actor(catalog: Catalog, text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` (a trimmed entity span) names no actor at all."""
    span = text[start:end]
    if not any(ch.isupper() for ch in span):
        return span not in catalog.written
    if alias_key(span) in catalog.not_actors:
        return True
    # a plural acronym is a kind of thing, not one actor: "two PACs", "NGOs"
    if _PLURAL_ACRONYM.fullmatch(span) and catalog.find(span) is None:
        return True
    if _PARTY_TAG.fullmatch(span) or _TAG_BEFORE.search(text, max(0, start - 4), start):
        return True
    if span in ("D", "R", "I") and _TAG_AFTER.match(text, end, min(len(text), end + 8)):
        return True
    if street(text, start, end) or court_case(text, start, end):
        return True
    # a case's whole name ("Brown v. Board of Education"), a deal's ("Green New" of "Green New
    # Deal")
    if _CASE_NAME.search(span) or _DEAL_AFTER.match(text, end, min(len(text), end + 6)):
        return True
    if case_name(catalog, text, start, end):
        return True
    # "Israeli/Palestinian" and "U.S./China" are the names they look like
    if catalog.find(span) is not None:
        return False
    if _CREDIT_AFTER.match(text, end, min(len(text), end + 10)) or dateline(text, start, end):
        return True
    if law_acronym(text, span):
        return True
    if _LINK.search(span) or _LINK_AFTER.match(text, end, min(len(text), end + 6)):
        return True
    before = text[max(0, start - 2) : start]
    # "@espiers", "Mahaskey/POLITICO", "video.foxnews.com", "D.C." out of "C.D.C."
    if before[-1:] in ("@", "#", "/") or (before[-1:] == "." and before[:1].isalnum()):
        return True
    words = span.split()
    return len(words) > 1 and words[-1] in _FUNCTION_END


def street(text: str, start: int, end: int) -> bool:
    """True for a name used in a street address ("1600 Pennsylvania Ave.")."""
    return _STREET_AFTER.match(text, end, min(len(text), end + 12)) is not None


_LAW_WORDS = ("Act", "Program", "Programme", "Bill")


def law_acronym(text: str, span: str) -> bool:
    """True for the acronym of a law or a programme the article writes in full ("PPP" beside
    "Paycheck Protection Program", "ACA" beside "Affordable Care Act")."""
    if not (span.isalpha() and span.isupper() and 2 <= len(span) <= 6):
        return False
    lasts = [w for w in _LAW_WORDS if w[0] == span[-1]]
    if not lasts:
        return False
    joint = r"[ \t]+(?:(?:of|for|and|the|on|to)[ \t]+)*"
    words = [rf"{letter}[\w'’-]*" for letter in span[:-1]] + [rf"(?:{'|'.join(lasts)})"]
    return re.search(r"(?<![\w-])" + joint.join(words) + r"(?![\w-])", text) is not None


# "Plessy v. Ferguson", "Brown v. Board of Education": a court case, not its parties
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
_CASE_NAME = re.compile(r"\S[ \t]+v\.?[ \t]+(?:the[ \t]+)?[A-Z]")
_DEAL_AFTER = re.compile(r"[ \t]+Deal\b")
_CASE_AFTER = re.compile(r"[ \t]+(v|vs|versus)\.?[ \t]+(?:the[ \t]+)?[A-Z]")
_CASE_BEFORE = re.compile(r"[A-Z][\w.'’-]*[ \t]+(v|vs|versus)\.?[ \t]+(?:the[ \t]+)?$")
# "vs." names a case only where the text says it is one: "the 1954 Supreme Court decision,
# Brown vs. the Board of Education" (not "Trump vs. Clinton")
_LEGAL = re.compile(r"\b(?:[Cc]ourt|decision|ruling|case|lawsuit|suit|precedent)\b")


def court_case(text: str, start: int, end: int) -> bool:
    """True for a party's name in a court case's name ("Plessy" of "Plessy v. Ferguson",
    "Board of Education" of "Brown vs. the Board of Education")."""
    after = _CASE_AFTER.match(text, end, min(len(text), end + 16))
    before = _CASE_BEFORE.search(text, max(0, start - 50), start)
    found = after or before
    if found is None:
        return False
    return found.group(1) == "v" or _legal_near(text, start, end)


def case_name(catalog: Catalog, text: str, start: int, end: int) -> bool:
    """True for a single word that the article writes elsewhere as a party of a court case and
    never after a first name: "The Brown decision", "in Brown" beside "Brown v. Board of
    Education". Names the catalog knows ("Trump" of "Trump v. Hawaii") are kept."""
    word = text[start:end]
    if not word.isalpha() or not word[:1].isupper() or catalog.find(word) is not None:
        return False
    if fold(word) in catalog.surnames:
        return False
    name = re.escape(word)
    firsts = re.findall(rf"\b([A-Z][a-z]+)[ \t]+{name}\b", text)
    if any(fold(first) not in catalog.function_words for first in firsts):
        return False
    for party in re.finditer(rf"(?<![\w.]){name}(?![\w-])", text):
        if party.start() != start and court_case(text, party.start(), party.end()):
            return True
    return False


def _legal_near(text: str, start: int, end: int) -> bool:
    return _LEGAL.search(text, max(0, start - 80), min(len(text), end + 80)) is not None


def dateline(text: str, start: int, end: int) -> bool:
    """True for the outlet of a dateline ("(CNN) --", "WASHINGTON (AP) --")."""
    if text[end : end + 1] != ")":
        return False
    return _DATELINE_BEFORE.search(text, max(0, start - 40), start) is not None


def name_edges(catalog: Catalog, text: str, start: int, end: int) -> tuple[int, int] | None:
    """``[start, end)`` without the lowercase words around the name; None for a description.
    "administration", "government" and the like stay: "the Biden administration" is Biden."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    first, last = 0, len(words)
    while first < last and _common(text, *words[first]):
        first += 1
    trailing = 0
    while (
        last > first
        and _common(text, *words[last - 1])
        and text[slice(*words[last - 1])] not in catalog.institution_words
    ):
        last -= 1
        trailing += 1
    if first >= last or trailing > 1:
        return None
    return words[first][0], words[last - 1][1]


def _common(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    return word.isalpha() and word.islower() and len(word) > 2 and word not in _PARTICLES
