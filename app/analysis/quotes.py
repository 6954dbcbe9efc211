"""Quotations: who said what, and about whom, with the speaker's stance toward each actor named.

Rule-based over the article's sentences and resolved actors (no parser: the bundled models
have none, and the rules are fast):

- **Direct quotations** are the spans `app.analysis.actors.stance.quotations` finds (the
  words inside the marks). Their speaker is read from the cue next to the marks: after them
  (``"...," Lavrov said``, ``"...," said Lavrov``, ``"...," according to Lavrov``) or, failing
  that, before them in the same sentence (``Lavrov said: "..."``, ``Lavrov said the talks
  were "...``, ``Lavrov: "...``).
- **Reported speech**: a sentence without direct quotation whose cue has a speaker (``X said
  (that) ...``, ``according to X, ...``, ``..., X told reporters``): the clause reported.
- **The speaker** is the actor named in the cue; a pronoun (he, she) is the latest person
  named before it outside quotations; a title (the president, the spokesman) is the latest
  person named with that title, else the latest person; an institution's noun (the ministry,
  the White House's statement) the latest organisation or country. A quotation with no cue
  continues the speaker of the speech just before it in the same or the previous paragraph
  (``context``), else its speaker is ``None``. A name in the cue that is no actor of the
  article is kept as ``speaker_name`` with no key.
- **Not speech**: a quotation after "titled", "called", "so-called" and the like, or a short
  one in title case with no cue (a show, a book), is left out.
- **Targets** are the article's actors with a mention inside the quoted words, the speaker
  excepted; the stance model (`app.analysis.stance`) reads the quoted words alone with each as
  target, so the label is the speaker's stance, not the author's.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from app.analysis.actors.given import gender_of
from app.analysis.actors.stance import quotations
from app.analysis.encoder import FloatArray
from app.analysis.stance import Pair
from app.analysis.types import (
    SENTIMENT_LABELS,
    ActorMention,
    Quotation,
    QuoteTarget,
    Sentence,
    SpeakerHow,
)

VERSION = "quotes-rules-2"

_VERBS = (
    "said|says|say|saying|told|tells|wrote|writes|added|adds|stated|states|argued|argues|"
    "explained|explains|noted|notes|declared|declares|insisted|insists|claimed|claims|asked|"
    "asks|replied|replies|tweeted|tweets|posted|continued|continues|warned|warns|recalled|"
    "complained|complains|acknowledged|acknowledges|announced|announces|remarked|testified|"
    "urged|urges|suggested|suggests|predicted|countered|responded|conceded|observed|quipped|"
    "joked|stressed|emphasized|admitted|admits|contended|contends|maintained|maintains|"
    "pointed out|went on|reads|read|concluded|concludes|boasted|vowed|promised|charged|"
    "alleged|alleges|lamented|predicts|wondered|agreed|agrees|echoed|cautioned|commented|"
    "snapped|asserted|asserting|saying|adding|noting|telling|writing|calling|called|responds|"
    "reported|reportedly said|recalls|believes|accused|accusing|described|describing|decried|"
    "blasted|criticized|praised|slammed|ruled|replied|tweeting|arguing|insisting|warning|"
    "pledged|pledges|reminded|reminds|reports|vows|recoiled at|shot back|cited|describes|"
    "calls(?! upon| on| for)"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b|\baccording to\b|\bin a statement\b", re.IGNORECASE)
# Verbs that report a clause without a quotation (reported speech).
_REPORTING = re.compile(
    r"\b(?P<verb>said|says|told (?:\w+ ){0,2}|wrote|writes|argued|argues|claimed|claims|stated|"
    r"insisted|insists|warned|warns|added|noted|explained|announced|acknowledged|contended|"
    r"maintained|suggested|predicted|testified)\b(?: that\b)?",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
_PRONOUNS = {"he": "male", "she": "female", "i": "", "it": "thing"}
# capitalised words that open a phrase without naming anyone
_NOT_NAMES = frozenset(
    [
        "i",
        "he",
        "she",
        "it",
        "we",
        "they",
        "you",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "our",
        "after",
        "before",
        "but",
        "and",
        "or",
        "so",
        "then",
        "when",
        "while",
        "if",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "as",
        "also",
        "later",
        "earlier",
        "meanwhile",
        "however",
        "still",
        "yet",
        "there",
        "here",
        "what",
        "who",
        "officials",
        "some",
        "many",
        "critics",
        "others",
        "experts",
        "analysts",
        "people",
        "state",
        "sources",
        "reports",
        "most",
        "several",
    ]
)
_GENDERED = re.compile(r"\b(?:(he|him|his|himself)|(she|her|hers|herself))\b", re.IGNORECASE)
_TITLES = re.compile(
    r"^(?:the|a|an|this|that|his|her|their)\s+(?:[\w.'’-]+\s+){0,3}?"
    r"(?P<noun>president|spokesman|spokeswoman|spokesperson|senator|minister|secretary|"
    r"governor|congressman|congresswoman|representative|lawmaker|leader|chairman|chairwoman|"
    r"director|ambassador|official|candidate|nominee|mayor|judge|justice|prime minister|"
    r"chancellor|premier|king|queen|ceo|founder|author|lawyer|attorney|aide|adviser|advisor|"
    r"speaker|commissioner|chief|general|pope|ministry|department|agency|company|campaign|"
    r"statement|report|committee|government|administration|office|court|group|organization|"
    r"organisation|party|firm|white house|kremlin|police|union|network)\b",
    re.IGNORECASE,
)
# a name of capitalised words, "of" and "the" between them ("The Korean Central News Agency")
_OWN_NAME = re.compile(
    r"(?:[Tt]he\s+)?(?P<name>[A-Z][\w.'’&-]*(?:\s+(?:of|for|and|the)){0,2}"
    r"(?:\s+[A-Z][\w.'’&-]*)+(?:\s+(?:of|for|and|the)\s+[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*)*)?)",
)
# a document as speaker, from the start of a cue's phrase ("But a court filing Monday says")
_DOCUMENT = re.compile(
    r"\s*(?:(?:but|and|so|yet|also)\s+)?(?:the|a|an|this|that|his|her|its|their)\s+"
    r"(?P<name>(?:[\w.'’-]+\s+){0,3}?(?:report|filing|document|motion|resolution|petition|"
    r"memo|memorandum|lawsuit|complaint|indictment|ad|letter))\b",
    re.IGNORECASE,
)
# a person's title after an organisation's name ("'s executive vice president")
_ROLE = re.compile(
    r"(?:['’]s?)?\s*(?:[\w.-]+\s+){0,3}?(?P<noun>president|senator|minister|secretary|"
    r"governor|leader|chairman|chairwoman|director|ambassador|candidate|nominee|mayor|judge|"
    r"chancellor|premier|king|queen|ceo|founder|chief|general|pope)",
    re.IGNORECASE,
)
# an unnamed spokesperson speaks for an organisation (QUOTES_GUIDELINE.md, NOTES.md 4)
_INSTITUTIONS = {
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ministry",
    "department",
    "agency",
    "company",
    "campaign",
    "statement",
    "report",
    "committee",
    "government",
    "administration",
    "office",
    "court",
    "group",
    "organization",
    "organisation",
    "party",
    "firm",
    "white house",
    "kremlin",
    "police",
    "union",
    "network",
}
_NOT_SPEECH_BEFORE = re.compile(
    r"\b(?:titled|entitled|called|dubbed|named|headlined|so-called|known as|the phrase|"
    r"the slogan|the term|the words|book|film|movie|show|song|documentary|op-ed|column)\W{0,3}$",
    re.IGNORECASE,
)
_BREAKS = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\bGen)(?<!\bSt)"
    r"(?<!\bJr)(?<!\bLt)(?<!\bCol)(?<!\bSgt)(?<!\bNo)(?<!\b[A-Z])(?<!\.[A-Z])[.!?](?=\s|$)"
)
_HONORIFIC = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|President|Senator)\.?\s+)+")
_CONJUNCTION = re.compile(
    r"^(?:and|but|while|as|when|which|who|so|or|because|after|before|if|since|although|though|"
    r"until|once|where|whether|then)\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"[,;:—–(]\s*|\b(?:and|but|while|as|because|when)\s+$")
# words that may open a clause before its subject ("But he said")
_OPENERS = frozenset(["but", "and", "so", "then", "yet", "later", "also", "now", "still", "thus"])
# words before a name that leave it the subject of its clause
_CLAUSE_WORDS = frozenset(["however", "meanwhile", "when", "while", "because", "after"])
# lower-case words of a title before a name ("presidential candidate Mitt Romney")
_ROLE_WORDS = frozenset(["former", "then", "vice", "deputy", "acting", "late", "the"])
_ABBREVIATION = re.compile(r"(?:[A-Z][a-z]{0,3}\.)+|[A-Z]\.")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_PRONOUN_REACH = 900
# lower-case words inside a name phrase ("Secretary of State", "Jr.")
_NAME_LINKS = frozenset(["of", "the", "for", "de", "van", "von", "al", "bin", "jr.", "-"])
# How far a cue may lie from the quotation marks, in characters.
_AFTER_REACH = 260
_BEFORE_REACH = 400


class _Actor(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def mentions(self) -> tuple[ActorMention, ...]: ...


@dataclass(frozen=True, slots=True)
class _Named:
    """An actor's mention, in text order."""

    start: int
    end: int
    actor: int  # index into the article's actors
    before: str  # up to 30 characters before the mention, lower case (titles)


@dataclass(frozen=True, slots=True)
class _Speaker:
    actor: int | None
    name: str | None
    how: SpeakerHow
    cue: str | None
    at: int = 0  # where a pronoun stands


_NOBODY = _Speaker(None, None, "none", None)


def find(text: str, sentences: Sequence[Sentence], actors: Sequence[_Actor]) -> list[Quotation]:
    """The quotations of an article (in text order) with their speakers and targets, stances
    not yet read (every target neutral until `QuoteStance.read`)."""
    direct = quotations(text, 0, len(text))
    named = sorted(
        (
            _Named(m.start, m.end, a, text[max(0, m.start - 30) : m.start].lower())
            for a, actor in enumerate(actors)
            for m in actor.mentions
        ),
        key=lambda n: n.start,
    )
    outside = [n for n in named if not any(a <= n.start < b for a, b in direct)]
    genders = _genders(text, actors)
    found: list[tuple[int, int, str, _Speaker]] = []
    for a, b in direct:
        if _not_speech(text, a, b):
            continue
        speaker = _after(text, a, b, actors, named, outside)
        if speaker is None:
            speaker = _before(text, a, b, actors, named, outside, direct)
        found.append((a, b, "direct", speaker or _NOBODY))
    for sentence in sentences:
        if any(sentence.start <= b and a <= sentence.end for a, b in direct):
            continue
        reported = _reported(text, sentence, actors, named, outside)
        if reported is not None:
            found.append(reported)
    found.sort(key=lambda f: f[0])
    spelt_out = _spelt_out(text, named)
    out: list[Quotation] = []
    previous: tuple[int, _Speaker] | None = None
    for a, b, kind, speaker in found:
        if previous is not None and _near(text, previous[0], a):
            speechlike = kind != "direct" or _opens_sentence(text, a) or len(text[a:b].split()) >= 8
            # a cue of its own that names nobody ("a survivor said") continues no speech
            uncued = speaker.how == "none" and speaker.cue is None
            if uncued and (speechlike or _same_sentence(text, previous[0], a)):
                speaker = replace(previous[1], how="context", cue=None)
            elif (
                speaker.how == "pronoun"
                and speaker.name not in ("male", "female")
                and _is_person(actors, previous[1])
                and genders.get(previous[1].actor or 0, speaker.name) == speaker.name
            ):
                # "I" after a quoted person is that person more often than the last named
                speaker = replace(speaker, actor=previous[1].actor, name=None)
        if speaker.how == "pronoun" and speaker.name in ("male", "female"):
            speaking = None
            if previous is not None and _is_person(actors, previous[1]):
                speaking = (previous[0], previous[1].actor or 0)
            at = speaker.at if speaker.at < a else a
            speaker = _gendered(text, speaker, actors, outside, genders, at, speaking)
        if speaker.how != "none":
            previous = (b, speaker)
        if speaker.actor in spelt_out:
            speaker = replace(speaker, actor=spelt_out[speaker.actor])
        out.append(_quotation(text, a, b, kind, speaker, actors, named))
    return out


def _quotation(
    text: str,
    a: int,
    b: int,
    kind: str,
    speaker: _Speaker,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
) -> Quotation:
    targets: dict[int, None] = {}
    for n in named:
        if a <= n.start and n.end <= b and n.actor != speaker.actor:
            targets.setdefault(n.actor)
    speaking = None if speaker.actor is None else actors[speaker.actor]
    return Quotation(
        start=a,
        end=b,
        kind="direct" if kind == "direct" else "reported",
        cue=speaker.cue,
        speaker_key=None if speaking is None else speaking.key,
        # before the speaker is resolved a pronoun's `name` holds its gender, never a name
        speaker_name=speaking.name
        if speaking is not None
        else (None if speaker.how == "pronoun" else speaker.name),
        how=speaker.how,
        text=text[a:b],
        targets=tuple(
            QuoteTarget(key=actors[t].key, name=actors[t].name, label="neutral", score=0.0)
            for t in targets
        ),
    )


def _spelt_out(text: str, named: Sequence[_Named]) -> dict[int | None, int]:
    """Abbreviations the article spells out, as ``Department of Transportation (DOT)``: the
    short actor to the full one (a speaker is named as fully as the article names it)."""
    out: dict[int | None, int] = {}
    for full, short in itertools.pairwise(named):
        between = text[full.end : short.start]
        closed = text[short.end : short.end + 1] == ")"
        if full.actor != short.actor and closed and re.fullmatch(r"\s*\(", between):
            out.setdefault(short.actor, full.actor)
    return out


def _opens_sentence(text: str, a: int) -> bool:
    """Whether the quotation opening before ``a`` starts a sentence of its own (a quoted
    fragment inside the narration is no continuation of the speech before it)."""
    before = text[max(0, a - 4) : a - 1].rstrip(" \t")
    return not before or before[-1] in '.!?:\n"”'


def _same_sentence(text: str, previous_end: int, start: int) -> bool:
    """Whether a quotation at ``start`` lies in the sentence of the one that ended at
    ``previous_end`` (``X called it "..." and "..."``): one speaker's words."""
    between = text[previous_end + 1 : start - 1]
    if "\n" in between or _SENTENCE_END.search(between):
        return False
    closed = text[previous_end - 1 : previous_end].strip() in (".", "!", "?")
    return not (closed and between.strip()[:1].isupper())


def _is_person(actors: Sequence[_Actor], speaker: _Speaker) -> bool:
    return speaker.actor is not None and actors[speaker.actor].kind == "person"


def _not_speech(text: str, a: int, b: int) -> bool:
    """Titles, terms and slogans: named as such before the marks, or short in title case with
    no speech cue around them."""
    if _NOT_SPEECH_BEFORE.search(text, max(0, a - 41), a - 1):
        return True
    words = re.findall(r"[A-Za-z][\w'’-]*", text[a:b])
    if not words or len(words) > 8:
        return False
    capitalised = sum(w[0].isupper() for w in words if len(w) > 3)
    long_words = sum(len(w) > 3 for w in words)
    if not long_words or capitalised != long_words:
        return False
    # a programme appeared on ('said on CNN's "State of the Union."'), or a name used as a
    # modifier ('"Fox and Friends" hosts'): a title, whatever verb is near
    if re.search(r"(?:\bon\s+(?:[\w.]+['’]s\s+)?|['’]s\s+)\W?$", text[max(0, a - 30) : a]):
        return True
    if text[b - 1 : b].isalnum() and re.match(r"[\"”]\s+[a-z]", text[b : b + 4]):
        return True
    if not _VERB.search(text, b, b + 40):
        return not _VERB.search(text, max(0, a - 40), a)
    return False


def _near(text: str, previous_end: int, start: int) -> bool:
    """Whether a quotation at ``start`` continues the speech that ended at ``previous_end``:
    the same or the next paragraph."""
    return len(_BREAKS.findall(text, previous_end, start)) <= 1


def _after(
    text: str,
    a: int,
    b: int,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
) -> _Speaker | None:
    """The cue just after the closing mark: ``"...," X said`` or ``"...," said X``."""
    start = b + 1
    end = min(len(text), start + _AFTER_REACH)
    for stop in (
        text.find('"', start, end),
        text.find("“", start, end),
        text.find("\n", start, end),
    ):
        if stop != -1:
            end = min(end, stop)
    window = text[start:end]
    ended = _SENTENCE_END.search(window)
    # `"Quote." He said more` is a new sentence: only a cue in the quote's own sentence counts,
    # and a quotation ending in . ! ? ends its sentence unless a comma-less cue follows at once.
    dash = re.match(r"\s*[—–]\s*", window)
    if dash is not None:  # "..." — Tom Gara, BuzzFeed
        stop = window.find(",", dash.end())
        stop = len(window) if stop == -1 else stop
        return _phrase(text, start + dash.end(), start + stop, "—", actors, named, outside, a)
    sentence_end = ended.start() if ended else len(window)
    verb = _VERB.search(window, 0, sentence_end)
    if verb is None:
        return None
    head = window[: verb.start()].strip(" ,—–-")
    according = _ACCORDING.search(window, verb.start(), sentence_end)
    if head and according is not None:  # "...," to cut spending, according to the White House
        return _phrase(
            text,
            start + according.end(),
            start + sentence_end,
            "according to",
            actors,
            named,
            outside,
            a,
        )
    if _CONJUNCTION.match(head):
        return None
    # a long head is a name with its description ("X, the ministry's spokesman, said"), never
    # a new clause ("The minister left. Later she said")
    named_first = any(start <= n.start < start + 25 for n in named)
    if len(head.split()) > (40 if named_first else 4):
        return None
    rest = window[verb.end() : sentence_end]
    opens_next = ended is None and end < len(text) and text[end] in '"“'
    if re.match(r"\s+that\b", rest) or (opens_next and not rest.strip(" :")):
        # `"...," X said that CLAUSE` and `X recoiled at "..."` introduce other words
        return None
    if head and text[a:b].rstrip()[-1:] in ".!?" and not _name_like(head):
        return None  # `"... ." After Landrieu called for a vote`: a sentence of its own
    tail_start, tail_end = start + verb.end(), start + sentence_end
    cue = verb.group(0).lower()
    if head:
        return _phrase(text, start, start + verb.start(), cue, actors, named, outside, a)
    if not text[tail_start:tail_end].strip(" ,:—–-\n"):
        return None  # `"...," noting "..."`: the speaker is the sentence's subject, before
    return _phrase(text, tail_start, tail_end, cue, actors, named, outside, a)


def _name_like(head: str) -> bool:
    """Whether a cue's words before its verb read as a speaker's name, however long ("he",
    "Foreign Minister Sergei Lavrov"), not a clause of their own."""
    words = head.split()
    if len(words) <= 2:
        return True
    return all(w[0].isupper() or w.lower() in _NAME_LINKS for w in words)


def _before(
    text: str,
    a: int,
    b: int,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
    direct: Sequence[tuple[int, int]],
) -> _Speaker | None:
    """The cue before the opening mark, in the quotation's sentence: ``X said: "..."``,
    ``X said the talks were "..."``, ``according to X, "..."``, ``X: "..."``."""
    end = a - 1
    start = max(0, end - _BEFORE_REACH)
    for _, qb in direct:  # not across an earlier quotation
        if start <= qb < end:
            start = qb + 1
    window = text[start:end]
    last_end = None
    for m in _SENTENCE_END.finditer(window):
        last_end = m.end()
    if "\n" in window[last_end or 0 :]:
        last_end = window.rindex("\n") + 1
    offset = start + (last_end or 0)
    window = text[offset:end]
    if window.rstrip().endswith(":") and not _VERB.search(window):
        colon = offset + window.rstrip().rindex(":")
        speaker = _phrase(text, offset, colon, ":", actors, named, outside, a, nearest=True)
        return speaker if speaker.how == "explicit" else None
    verbs = list(_VERB.finditer(window))
    if not verbs:
        return None
    verb = verbs[-1]
    cue = verb.group(0).lower()
    if cue == "according to":
        clause = re.search(r"[,;]", window[verb.end() :])
        stop = offset + verb.end() + (clause.start() if clause else len(window) - verb.end())
        return _phrase(text, offset + verb.end(), stop, cue, actors, named, outside, a)
    head = window[: verb.start()]
    if not head.strip():  # Said X, "..."
        return _phrase(text, offset + verb.end(), end, cue, actors, named, outside, a)
    if cue.endswith("ing"):  # X attacked Y on Monday, saying "...": the sentence's subject
        opener = _opener(text, offset, offset + verb.start(), actors, named, outside, cue)
        if opener is not None:
            return opener
    # a pair of dashes holds an apposition ("X — a fundraiser — threw"); one dash a new clause
    masked = re.sub(r"[—–][^—–;]*[—–]", lambda m: " " * len(m.group(0)), head)
    cut = max((m.end() for m in re.finditer(r"[;—–]", masked)), default=0)
    return _subject(text, offset + cut, offset + verb.start(), cue, actors, named, outside, a)


def _opener(
    text: str,
    start: int,
    end: int,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
    cue: str,
) -> _Speaker | None:
    """The first person a sentence names in ``text[start:end]``, by name or by he/she: the
    subject a participle cue (``..., saying``) reports for."""
    people = [n for n in named if start <= n.start < end and actors[n.actor].kind == "person"]
    pronoun = re.search(r"\b(?:he|she)\b", text[start:end], re.IGNORECASE)
    if pronoun is not None and (not people or start + pronoun.start() < people[0].start):
        gender = _PRONOUNS[pronoun.group(0).lower()]
        return _pronoun(actors, outside, start + pronoun.start(), cue, gender)
    if people:
        return _Speaker(people[0].actor, None, "explicit", cue)
    return None


def _subject(
    text: str,
    start: int,
    end: int,
    cue: str,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
    quote_start: int,
) -> _Speaker:
    """The subject of the clause ``text[start:end]`` that ends at its speech verb: the part
    after the last comma ("In response, she"; "Interviewed on CNN, Graham"), or before an
    apposition ("Brian Cook, an agency spokesman,"; "X, who ..., also"); who's antecedent."""
    head = text[start:end]
    who = re.search(r"\b(?:who|which)\s*$", head)
    if who is not None:  # "McCain, a former prisoner of war who said"
        return _phrase(
            text,
            start,
            start + who.start(),
            cue,
            actors,
            named,
            outside,
            quote_start,
            nearest=True,
        )
    parts = [(m.start(), m.end()) for m in re.finditer(r"[^,]+", head) if m.group(0).strip()]
    people = [_names_person(text, start + p, start + q, actors, named) for p, q in parts]
    for i in range(len(parts) - 1, -1, -1):
        part = head[parts[i][0] : parts[i][1]].strip()
        first = part.split()[0]
        described = first[0].islower() and first.lower() not in _PRONOUNS
        if any(people[:i]) and (described or not people[i]):
            continue
        return _phrase(
            text,
            start + parts[i][0],
            start + parts[i][1],
            cue,
            actors,
            named,
            outside,
            quote_start,
            subject=True,
        )
    return _phrase(text, start, end, cue, actors, named, outside, quote_start, subject=True)


def _reported(
    text: str,
    sentence: Sentence,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
) -> tuple[int, int, str, _Speaker] | None:
    """Reported speech in a sentence with no direct quotation: ``X said (that) CLAUSE``,
    ``according to X, CLAUSE``, ``CLAUSE, according to X``, ``CLAUSE, X said``."""
    s, e = sentence.start, sentence.end
    body = text[s:e].rstrip(" .")
    accord = _ACCORDING.search(body)
    if accord is not None:
        if accord.start() <= 2:  # According to X, CLAUSE
            comma = body.find(",", accord.end())
            if comma == -1:
                return None
            speaker = _phrase(
                text, s + accord.end(), s + comma, "according to", actors, named, outside, s
            )
            span = (s + comma + 1, s + len(body))
        else:  # CLAUSE, according to X
            speaker = _phrase(
                text, s + accord.end(), s + len(body), "according to", actors, named, outside, s
            )
            span = (s, s + accord.start())
    else:
        verb = _REPORTING.search(body)
        if verb is None:
            return None
        tail = body[verb.end() :].strip()
        head = body[: verb.start()]
        # "wrote about", "told of"; not "said on Sunday's show that"
        if re.match(r"(?:about|of|for|with)\b|(?:in|on)\b(?!(?:\W+\w+){0,7}\W+that\b)", tail):
            return None
        if len(tail.split()) >= 4 and len(head.split()) <= 8:  # X said (that) CLAUSE
            speaker = _phrase(
                text,
                s,
                s + verb.start(),
                verb.group("verb").strip().lower(),
                actors,
                named,
                outside,
                s,
                nearest=True,
            )
            span = (
                s + verb.end() + (len(body[verb.end() :]) - len(body[verb.end() :].lstrip())),
                s + len(body),
            )
            that = re.match(r"(?:in|on)\b(?:\W+\w+){0,7}?\W+that\s+", tail)
            if that is not None:  # said on Sunday's show that CLAUSE
                span = (span[0] + that.end(), span[1])
        elif len(tail.split()) >= 4 and head.rstrip().endswith(",") and tail[0].islower():
            # X, a professor at Y, says CLAUSE
            speaker = _subject(
                text,
                s,
                s + verb.start(),
                verb.group("verb").strip().lower(),
                actors,
                named,
                outside,
                s,
            )
            if speaker.how != "explicit":
                return None
            span = (s + verb.end() + len(body[verb.end() :]) - len(tail), s + len(body))
        elif len(tail.split()) <= 3 and head.rstrip().endswith(","):  # CLAUSE, X said
            comma = head.rstrip().rindex(",")
            speaker = _phrase(
                text,
                s + comma + 1,
                s + verb.start(),
                verb.group("verb").strip().lower(),
                actors,
                named,
                outside,
                s,
            )
            if speaker.how == "none":
                speaker = _phrase(
                    text,
                    s + verb.end(),
                    s + len(body),
                    verb.group("verb").strip().lower(),
                    actors,
                    named,
                    outside,
                    s,
                )
            span = (s, s + comma)
        else:
            return None
    if speaker.how not in ("explicit", "title", "pronoun") or span[1] - span[0] < 15:
        return None
    return (span[0], span[1], "reported", speaker)


def _phrase(
    text: str,
    start: int,
    end: int,
    cue: str,
    actors: Sequence[_Actor],
    named: Sequence[_Named],
    outside: Sequence[_Named],
    quote_start: int,
    nearest: bool = False,
    subject: bool = False,
) -> _Speaker:
    """Who ``text[start:end]`` (the words of a cue beside its verb) names as the speaker."""
    document = _DOCUMENT.match(text, start, end)
    if document is not None:  # "the CGI document, which describes": named as the article does
        return _Speaker(None, document.group("name"), "title", cue)
    inside = [n for n in named if start <= n.start and n.end <= end]
    if inside:
        role = _ROLE.fullmatch(text[inside[-1].end : end].rstrip(" ,:—–-\n"))
        people = any(actors[n.actor].kind == "person" for n in inside)
        if role is not None and not people:  # "The National Rifle Association's president"
            return _salient(actors, outside, start, cue)
        return _Speaker(_pick(text, inside, actors, nearest, subject), None, "explicit", cue)
    phrase = text[start:end].strip(" ,:—–-\n")
    words = phrase.split()
    nearest = nearest or subject
    if nearest and words:
        words = words[-6:]
        phrase = " ".join(words)
    if not words:
        return _NOBODY
    last = words[-1].lower() if nearest else words[0].lower()
    opening = len(words) <= 1 or words[-2].lower().rstrip(",") in _OPENERS
    if (not nearest or opening) and last in _PRONOUNS:
        return _pronoun(actors, outside, start, cue, _PRONOUNS[last])
    surname = _surname(words[-1] if nearest else words[0], actors)
    if surname is not None and (not nearest or opening):
        return _Speaker(surname, None, "explicit", cue)
    own = _OWN_NAME.fullmatch(phrase)
    if own is not None:  # "The Korean Central News Agency called": a name the model missed
        return _Speaker(None, own.group("name"), "explicit", cue)
    title = _TITLES.search(" ".join(words[-6:]) if nearest else phrase)
    if title is not None:
        noun = title.group("noun").lower()
        if noun not in _INSTITUTIONS and re.match(r"(?:an?|one)\s", phrase, re.IGNORECASE):
            return _Speaker(None, None, "none", cue)  # "a senior official said": unnamed
        return _title(text, noun, actors, outside, start, cue)
    proper = re.findall(r"\b[A-Z][a-z'’.-]+(?:\s+[A-Z][a-z'’.-]+)*", phrase)
    if proper and len(words) <= 6:
        found = proper[-1] if nearest else proper[0]
        name = _HONORIFIC.sub("", found).strip()
        # one capitalised word is a name only after an honorific ("Mr. Schriefer"), else it
        # is as likely the start of a phrase ("Intelligence officials", "Another aide")
        is_name = len(name.split()) > 1 or name != found
        if is_name and name.split()[0].lower() not in _NOT_NAMES:
            return _Speaker(None, name, "explicit", cue)
    return _NOBODY


def _names_person(
    text: str, start: int, end: int, actors: Sequence[_Actor], named: Sequence[_Named]
) -> bool:
    """Whether ``text[start:end]`` names a person: a mention, a known last name or he/she."""
    if any(start <= n.start < end and actors[n.actor].kind == "person" for n in named):
        return True
    words = text[start:end].split()
    return any(w.lower() in ("he", "she") or _surname(w, actors) is not None for w in words)


def _surname(word: str, actors: Sequence[_Actor]) -> int | None:
    """The person whose name ends with ``word`` ("Graham"), when the entity model missed this
    mention of them and only one of the article's people has that last name."""
    word = word.strip(",.:;")
    if not word[:1].isupper() or word.lower() in _NOT_NAMES:
        return None
    people = [
        a
        for a, actor in enumerate(actors)
        if actor.kind == "person" and len(actor.name.split()) > 1 and actor.name.split()[-1] == word
    ]
    return people[0] if len(people) == 1 else None


def _pick(
    text: str, inside: Sequence[_Named], actors: Sequence[_Actor], nearest: bool, subject: bool
) -> int:
    """The speaker among the actors named in a cue's phrase: a clause's subject (its first
    person, else the last name before the verb), the name nearest the verb, or the head of a
    name phrase ("White House budget chief Mick Mulvaney": its last person before a comma)."""
    people = [n for n in inside if actors[n.actor].kind == "person"]
    if subject:
        return (people or inside[-1:])[0].actor
    if nearest:
        return inside[-1].actor
    comma = text.find(",", inside[0].end)
    segment = [n for n in inside if comma == -1 or n.start < comma]
    persons = [n for n in segment if actors[n.actor].kind == "person"]
    return (persons or segment)[-1].actor


def _pronoun(
    actors: Sequence[_Actor], outside: Sequence[_Named], before: int, cue: str, gender: str
) -> _Speaker:
    """He, she, I: the latest person named before the cue outside quotations (the gender is
    checked by `_gendered` once the article's speakers are known); it: the latest
    organisation or country. ``name`` carries the pronoun's gender until then."""
    kinds = ("organization", "country") if gender == "thing" else ("person",)
    for n in reversed(outside):
        if n.start < before and actors[n.actor].kind in kinds:
            return _Speaker(n.actor, gender or None, "pronoun", cue, before)
    return _Speaker(None, None, "none", cue)


def _gendered(
    text: str,
    speaker: _Speaker,
    actors: Sequence[_Actor],
    outside: Sequence[_Named],
    genders: dict[int, str],
    before: int,
    speaking: tuple[int, int] | None,
) -> _Speaker:
    """``speaker`` (a he or she) as the latest person before ``before``, not known to be of the
    other gender, who was the subject of their clause or the speaker of the quotation before
    (``speaking``: where it ended, who spoke), within the last paragraphs; else the latest
    such person named at all."""
    fits = [
        (n.start, n.actor, _subject_like(text, n.start))
        for n in outside
        if n.start < before
        and actors[n.actor].kind == "person"
        and genders.get(n.actor, speaker.name) == speaker.name
    ]
    if (
        speaking is not None
        and speaking[0] < before
        and genders.get(speaking[1], speaker.name) == speaker.name
    ):
        fits = sorted([*fits, (speaking[0], speaking[1], True)])
    if not fits:
        return replace(speaker, name=None)
    reach = max(before - _PRONOUN_REACH, 0)
    breaks = [m.start() for m in _PARAGRAPH.finditer(text, reach, before)]
    if len(breaks) > 2:
        reach = breaks[-3]
    near = [f for f in fits if f[0] >= reach]
    subjects = [f for f in near if f[2]]
    # one known to be of that gender before one whose gender the article does not show
    known = [f for f in near if genders.get(f[1]) == speaker.name]
    for chosen in ([f for f in subjects if f in known], subjects, known):
        if chosen:
            return replace(speaker, actor=chosen[-1][1], name=None)
    return replace(speaker, actor=fits[-1][1], name=None)


def _subject_like(text: str, start: int) -> bool:
    """Whether the name at ``start`` opens its clause (at a sentence's or line's start, after a
    comma or a conjunction, after titles: "But Democratic Sen. Chris Coons"), as a subject
    does; not after a preposition or a verb ("with Sen. John Hoeven", "criticized Romney")."""
    words = text[max(0, start - 80) : start].split(" ")
    for word in reversed(words):
        if not word:
            continue
        if word[-1:] in '.!?:;,\n"”“' and not _ABBREVIATION.fullmatch(word):
            return True
        bare = word.strip("(").lower()
        if "\n" in word or bare in _OPENERS or bare in _CLAUSE_WORDS:
            return True
        if word[:1].isupper() or bare in _ROLE_WORDS:
            continue
        return False
    return True


def _genders(text: str, actors: Sequence[_Actor]) -> dict[int, str]:
    """Each person's gender as the article suggests it: a common given name, Mr./Mrs./Ms.
    before a mention and the first he/his/him or she/her after it (within 120 characters);
    the majority, if any."""
    out: dict[int, str] = {}
    people = sorted(m.start for actor in actors if actor.kind == "person" for m in actor.mentions)
    for a, actor in enumerate(actors):
        if actor.kind != "person":
            continue
        given = gender_of(actor.name)
        votes = 0 if given is None else 3 if given == "male" else -3
        for m in actor.mentions:
            title = text[max(0, m.start - 5) : m.start]
            votes += 2 if "Mr." in title else -2 if ("Mrs." in title or "Ms." in title) else 0
            found = _GENDERED.search(text, m.end, m.end + 120)
            # a pronoun after another person's name may be theirs, and the one in a cue after
            # a quotation ("...," she said) is whoever spoke
            if (
                found is not None
                and not any(m.end <= p < found.start() for p in people)
                and not re.search(
                    r"[\"”][,.]?\s*$", text[max(0, found.start() - 4) : found.start()]
                )
            ):
                votes += 1 if found.group(1) else -1
        if votes:
            out[a] = "male" if votes > 0 else "female"
    return out


def _salient(
    actors: Sequence[_Actor], outside: Sequence[_Named], before: int, cue: str
) -> _Speaker:
    """An office named through an organisation ("the Republican presidential nominee", "the
    NRA's executive vice president"): the person the article has named most often so far."""
    counts: dict[int, int] = {}
    for n in outside:
        if n.start < before and actors[n.actor].kind == "person":
            counts[n.actor] = counts.get(n.actor, 0) + 1
    if not counts:
        return _NOBODY
    return _Speaker(max(counts, key=lambda a: counts[a]), None, "title", cue)


def _title(
    text: str,
    noun: str,
    actors: Sequence[_Actor],
    outside: Sequence[_Named],
    before: int,
    cue: str,
) -> _Speaker:
    """The president, the spokesman: the latest person named with that title before the cue,
    else the latest person; an institution's noun: the latest organisation or country named
    with that noun ("a spokesperson for DOT", "X posted a statement"), else the latest one."""
    earlier = [n for n in outside if n.start < before]
    if noun in _INSTITUTIONS:
        bodies = [n for n in earlier if actors[n.actor].kind in ("organization", "country")]
        speaks_for = re.compile(rf"{noun}\s+(?:for|of|at)\s+(?:the\s+)?$", re.IGNORECASE)
        has = re.compile(rf"(?:['’]s?)?\s+(?:[\w-]+\s+){{0,2}}?{noun}\b", re.IGNORECASE)
        with_noun = [
            n
            for n in bodies
            if speaks_for.search(text, max(0, n.start - 30), n.start)
            or has.match(text, n.end, n.end + 30)
        ]
        chosen = (with_noun or bodies)[-1:]
        if chosen:
            return _Speaker(chosen[0].actor, None, "title", cue)
        return _Speaker(None, None, "none", cue)
    people = [n for n in earlier if actors[n.actor].kind == "person"]
    titled = [n for n in people if noun in n.before]
    chosen = (titled or people)[-1:] if (titled or people) else []
    if not chosen:
        return _Speaker(None, None, "none", cue)
    return _Speaker(chosen[0].actor, None, "title", cue)


class _PairModel(Protocol):
    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair: ...
    def probabilities(self, pairs: Sequence[Pair]) -> FloatArray: ...


class QuoteStance:
    """The speaker's stance toward each target of a batch's quotations, in one model call."""

    def __init__(self, model: _PairModel) -> None:
        self.model = model

    def read(
        self,
        texts: Sequence[str],
        found: Sequence[Sequence[Quotation]],
        actors: Sequence[Sequence[_Actor]],
    ) -> list[list[Quotation]]:
        """``found`` with each target's label, score and probabilities from the stance model."""
        pairs: list[Pair] = []
        for text, quotes, article_actors in zip(texts, found, actors, strict=True):
            by_key = {a.key: a for a in article_actors}
            for q in quotes:
                words = text[q.start : q.end]
                for t in q.targets:
                    spans = [
                        (m.start - q.start, m.end - q.start)
                        for m in by_key[t.key].mentions
                        if q.start <= m.start and m.end <= q.end
                    ]
                    pairs.append(self.model.pair(t.name, words, spans))
        rows = iter(self.model.probabilities(pairs))
        out: list[list[Quotation]] = []
        for quotes in found:
            read = []
            for q in quotes:
                targets = []
                for t in q.targets:
                    row = next(rows)
                    targets.append(
                        replace(
                            t,
                            label=SENTIMENT_LABELS[int(np.argmax(row))],
                            score=round(float(row[2] - row[0]), 4),
                        )
                    )
                read.append(replace(q, targets=tuple(targets)))
            out.append(read)
        return out
