"""The layout of an article as people paste it: what around the body is not the body.

A text copied from a newspaper reader or a web page carries, around the article, the outlet's
name on a line of its own, the headline, a section label ("OPINION"), pull quotes, bylines
("By Jane Doe", "- Dmitri Trenin"), author notes ("The author is director of ..."), the
outlet's disclaimer ("The views don't necessarily reflect those of ...") and reader chrome
(photo credits, share prompts, video widgets, "Newspapers in English"). `read_layout` names
each of those parts with its character range in the text as received, and reads from them the
fields a client may not have sent: title, authors with their affiliation, outlet, and the marks
of an opinion piece. The Analyzer keeps every part out of the analysed body (`body_sentences`), so
offsets still index the stored text. Hover links pasted inside a sentence are no part (the
sentence is the article's): `inline_chrome` gives their ranges, which name no actor.

The rules are general shapes, not tuned to one source: a part is recognised by its form and
its place (the header before the first prose paragraph, the note paragraphs at the edges), and
anything unsure stays body. Pure text work, about a millisecond an article: ingest runs it too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.analysis.text import (
    Span,
    cruft_rule,
    paragraphs,
    pull_quotes,
    sentence_spans,
    split_sentences,
)
from app.analysis.types import Sentence

PartKind = Literal[
    "outlet", "section", "headline", "pull_quote", "byline", "author_note", "disclaimer", "chrome"
]

# A personal name: 2-4 capitalised words or initials, with the usual particles.
_NAME_WORD = r"(?!(?:The|This|By|And)\b)[A-Z][\w.’'-]*"
_PARTICLE = r"(?:de|del|della|der|di|da|du|van|von|bin|al|la|le|dos|das)"
_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,3}}"
_ROLE_WORDS = (
    r"author|columnist|contributor|editor|writer|correspondent|reporter|journalist|professor|"
    r"fellow|commentator|analyst|host|director|president|chair(?:man|woman)?|founder|head|"
    r"researcher|scholar|lecturer|economist|expert|partner|member|ambassador|minister|"
    r"adviser|advisor|chief|dean|manager|officer|secretary|lawyer|attorney|specialist"
)
_ROLE = re.compile(rf"\b(?:{_ROLE_WORDS})s?\b", re.IGNORECASE)
_DASH_NAME = re.compile(rf"[-—–•*]+\s*(?P<name>{_NAME})(?=\s*$|\s+(?:The|This|is|was)\b|,)")
_BY = re.compile(r"(?:written |story |words )?by:?\s+(?P<names>.+)", re.IGNORECASE)
_NAME_LIST = re.compile(rf"{_NAME}(?:(?:,\s*|,?\s+and\s+|\s*&\s*){_NAME})*")
_READER_CHROME = re.compile(
    r".{0,40}\b(?:listen to (?:this )?article|share this (?:article|story)|"
    r"media playback is unsupported|story highlights)\b.{0,60}",
    re.IGNORECASE,
)
# Video widgets pasted with the text: "JUST WATCHED <clip title> Replay More Videos ... MUST
# WATCH <clip title> 01:17" (CNN), "CLOSE <clip caption> (Sept. 21) AP" (USA Today).
_VIDEO_CHROME = re.compile(r"(?:JUST WATCHED|MUST WATCH|CLOSE)\s+\S.*", re.DOTALL)
# Related links pasted as a paragraph of their own, a space after the parenthesis (POLITICO):
# "( POLITICO's full coverage of the government shutdown)", "( Also on POLITICO: ...)"
_RELATED_LINK = re.compile(r"\([ \t]+[^()\n]{3,200}\)")
# A hover link pasted inside a sentence (The Hill): the name again, glued to the headlines of
# related stories, up to "MORE": "Sen. Bernie Sanders Bernie SandersNew campaign ad ... MORE".
_GLUED_NAME = re.compile(r"\b([A-Z][a-z'’-]{2,})(?=[A-Z0-9][\w'’])")
_HOVER_END = re.compile(r"[^\n]{0,600}?\sMORE\b")
_NOTE_PREFIX = re.compile(r"(?:editor[’']?s note|about the author|note)\s*:\s*", re.IGNORECASE)
_ANONYMOUS_BIO = re.compile(
    r"(?:the|this) (?:author|writer|columnist|contributor)s? (?:is|are|was|has been|serves as)\b",
    re.IGNORECASE,
)
_NAMED_BIO = re.compile(
    rf"(?P<name>{_NAME}),? (?:is|was|has been|serves as) (?:an? |the )?(?:[\w’'-]+ ){{0,5}}?"
    rf"(?:{_ROLE_WORDS})s?\b"
)
_DISCLAIMER = re.compile(
    r"\b(?:views?|opinions?)\b.{0,100}?(?:\b(?:do|does)(?: not|n[’']t) necessarily "
    r"(?:reflect|represent)|\b(?:are|is) (?:solely |entirely )?(?:those of the "
    r"(?:author|writer)s?|the (?:author|writer)s?[’']s? own|(?:their|his|her) own))",
    re.IGNORECASE,
)
_ORG = (
    r"(?:[A-Z][\w.&’'-]*|[A-Z]{2,})(?:\s+(?:(?:of|on|for|and|&|de|du|des|la|in)\s+)?"
    r"(?:the\s+)?[A-Z][\w.&’'-]*)*"
)
_AFFILIATION = re.compile(rf"\b(?:at|of|with|for|from)\s+(?:the\s+)?(?P<org>{_ORG})")
_THOSE_OF = re.compile(
    rf"\b(?:those|views?|opinions?|position|policy) of (?:the\s+)?(?P<org>{_ORG})"
)
# A section label on a line of its own that marks commentary.
_OPINION_LABEL = re.compile(
    r"(?:opinion|commentary|op-?ed|editorial|column|analysis/opinion|opinion contributors?|"
    r"guest (?:essay|column|opinion)|viewpoint|perspective|the big read)s?[\s.:!»›…-]*",
    re.IGNORECASE,
)
_TITLE_LABEL = re.compile(r"(?:opinion|commentary|op-?ed|editorial)\s*[:|]\s*", re.IGNORECASE)
_PUBLICATION = frozenset(
    re.findall(
        r"\w+",
        "daily times post news journal herald tribune guardian telegraph gazette review monitor "
        "chronicle observer express mail star globe press today magazine weekly reuters bloomberg "
        "wire standard independent sun record dispatch examiner inquirer courier bulletin insider "
        "digest spectator economist atlantic week nation online network register",
    )
)
_DATE_LINE = re.compile(
    r"(?:(?:published|updated|posted)\s*:?\s*)?(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|"
    r"\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}|\d{4}-\d{2}-\d{2})(?:[ ,|]+[\w: .|-]{0,30})?",
)
_ROLE_ONLY = re.compile(rf"(?:(?:senior|staff|special|chief|contributing)\s+)*(?:{_ROLE_WORDS})s?")
_ORG_WORDS = _PUBLICATION | frozenset(
    re.findall(
        r"\w+",
        "press agency service institute institution university center centre council "
        "foundation associated group committee college school society association commission "
        "bureau office ministry department corporation company inc ltd",
    )
)
_REPORTED = re.compile(r"\b(?:said|says|told|according)\b")
_DOMAIN = re.compile(r"\w\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
# Header lines are short; longer, punctuated ones are prose and end the header.
_MAX_HEADER_WORDS = 30
_MAX_HEADLINE_WORDS = 25
_PROSE_ENDS = (".", ":", ";", ",", ".”", '."', ".’")
_MAX_NOTE_WORDS = 80


@dataclass(frozen=True, slots=True)
class Part:
    """A recognised piece of layout: ``text[start:end]`` is not the article's body."""

    kind: PartKind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Byline:
    name: str
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    parts: tuple[Part, ...]
    title: str | None = None
    outlet: str | None = None
    authors: tuple[Byline, ...] = ()
    # what says the text is commentary: "section", "title", "author_note", "disclaimer"
    opinion_marks: tuple[str, ...] = ()

    @property
    def excluded(self) -> list[Span]:
        return sorted((p.start, p.end) for p in self.parts)


def version() -> str:
    """Changes whenever these rules (or the cleaning rules they build on) change."""
    digest = hashlib.sha256()
    for name in ("layout.py", "text.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return f"layout@{digest.hexdigest()[:12]}"


def read_layout(text: str) -> Layout:
    """The parts of ``text`` that are layout, and the fields they give."""
    blocks = paragraphs(text)
    parts: dict[int, list[Part]] = {}
    notes: list[tuple[list[Byline], str | None]] = []
    outlet_hints: list[str] = []
    # the article's last paragraph, chrome after it aside: where "Jane Doe is a columnist..." is
    # a note about the author rather than news about someone
    last = len(blocks) - 1
    while last > 0 and cruft_rule(text[blocks[last][0] : blocks[last][1]]) is not None:
        last -= 1
    for i, (start, end) in enumerate(blocks):
        found = _note(text, start, end, edge=i >= last)
        if found is not None:
            parts[i], bylines, bio, hint = found
            notes.append((bylines, bio))
            if hint:
                outlet_hints.append(hint)
            continue
        kind = _chrome_kind(text[start:end])
        if kind is not None:
            parts[i] = [Part(kind, start, end)]
    header = _header(text, blocks, parts)
    for i, part in header.items():
        parts[i] = [part]
    body = [b for i, b in enumerate(blocks) if i not in parts]
    quoted = {(s, e) for s, e in pull_quotes(text, body)}
    for i, block in enumerate(blocks):
        if block in quoted:
            parts[i] = [Part("pull_quote", *block)]
    flat = tuple(sorted((p for group in parts.values() for p in group), key=lambda p: p.start))
    return _fields(text, flat, notes, outlet_hints)


def body_sentences(text: str, layout: Layout | None = None) -> list[Sentence]:
    """`split_sentences` without the sentences that overlap a layout part, numbered from 0."""
    excluded = (layout or read_layout(text)).excluded
    kept = [
        s for s in split_sentences(text) if not any(a < s.end and s.start < b for a, b in excluded)
    ]
    return [Sentence(index=i, start=s.start, end=s.end, text=s.text) for i, s in enumerate(kept)]


def inline_chrome(text: str) -> list[Span]:
    """Hover links pasted inside sentences, as ranges of ``text``: not the article's words,
    though the sentence around them is (so they are not layout parts, which drop sentences)."""
    found: list[Span] = []
    for glued in _GLUED_NAME.finditer(text):
        if found and glued.start() < found[-1][1]:
            continue
        end = _HOVER_END.match(text, glued.end())
        if end is None:
            continue
        # the link repeats the name just written: "Andrew Yang Andrew Yang2020 ..."
        line_start = text.rfind("\n", 0, glued.start()) + 1
        words = list(re.finditer(r"\S+", text[line_start : glued.start()]))[-5:]
        copies = [i for i, w in enumerate(words) if w.group().rstrip(",") == glued.group(1)]
        if copies and copies[-1] + 1 < len(words):
            found.append((line_start + words[copies[-1] + 1].start(), end.end()))
    return found


def _chrome_kind(block: str) -> PartKind | None:
    if _OPINION_LABEL.fullmatch(block):
        return "section"
    if any(p.fullmatch(block) for p in (_READER_CHROME, _VIDEO_CHROME, _RELATED_LINK)):
        return "chrome"
    if _BY.fullmatch(block) and len(block.split()) <= 12 and not block.endswith("."):
        return "byline"
    rule = cruft_rule(block)
    if rule is None:
        return None
    if rule == "legal" and _DISCLAIMER.search(block):
        return "disclaimer"
    if rule == "byline":
        return "byline"
    return "chrome"


def _note(
    text: str, start: int, end: int, *, edge: bool
) -> tuple[list[Part], list[Byline], str | None, str | None] | None:
    """A paragraph made only of a byline, author notes and disclaimers, split into parts.

    Returns (parts, the authors it names, the author note's text, an outlet named by the
    disclaimer).
    A named note ("Jane Doe is a columnist for ...") counts only as the last paragraph, after a
    byline or an "Editor's note:" label, and never with a reporting verb: elsewhere such a
    sentence may well be news.
    """
    block = text[start:end]
    if len(block.split()) > _MAX_NOTE_WORDS:
        return None
    parts: list[Part] = []
    byline: Byline | None = None
    at = start
    if dash := _DASH_NAME.match(text, start, end):
        byline = Byline(_name_case(dash.group("name")))
        parts.append(Part("byline", start, dash.end("name")))
        at = dash.end("name")
    elif (by := _BY.fullmatch(block)) and cruft_rule(block) == "byline":
        names = _byline_names(by.group("names"))
        if names:
            return [Part("byline", start, end)], names, None, None
    bio: str | None = None
    hint: str | None = None
    for s_start, s_end in sentence_spans(text, at, end):
        sentence = text[s_start:s_end]
        lead = _NOTE_PREFIX.match(sentence)
        body = sentence[lead.end() :] if lead else sentence
        named = _NAMED_BIO.match(body) if not _REPORTED.search(body) else None
        placed = edge or byline is not None or lead is not None
        if _ANONYMOUS_BIO.match(body) or (named and placed):
            parts.append(Part("author_note", s_start, s_end))
            bio = bio or body
            if named and byline is None:
                byline = Byline(_name_case(named.group("name")))
        elif _DISCLAIMER.search(sentence):
            parts.append(Part("disclaimer", s_start, s_end))
            if those := _THOSE_OF.search(sentence):
                hint = those.group("org")
        else:
            return None
    if not parts:
        return None
    bylines = [byline] if byline is not None else []
    if all(p.kind == "disclaimer" for p in parts) and cruft_rule(block) is None:
        # a sentence about views inside prose, not an outlet's boilerplate
        return None
    return parts, bylines, bio, hint


def byline_names(names: str) -> list[Byline]:
    """The people a byline names, "By" left off: "Jane Doe and John Roe, Reuters"."""
    return _byline_names(names)


def _byline_names(names: str) -> list[Byline]:
    """ "Jane Doe and John Roe, Reuters" -> both names, each with the affiliation Reuters."""
    pieces = [p.strip() for p in re.split(r",|\||\band\b|&|\bwith\b", names) if p.strip()]
    people: list[str] = []
    affiliation: str | None = None
    for piece in pieces:
        if _ROLE_ONLY.fullmatch(piece.lower()):
            continue
        words = piece.split()
        if len(words) > 2 and words[-1].isupper() and len(words[-1]) > 1:
            # "Leigh Ann Caldwell CNN"
            if affiliation is None and re.fullmatch(_NAME, " ".join(words[:-1])):
                people.append(" ".join(words[:-1]))
                affiliation = words[-1]
            continue
        if re.fullmatch(_NAME, piece) and affiliation is None and not _organisation(piece):
            people.append(piece)
        elif people and re.fullmatch(_ORG, piece):
            affiliation = affiliation or re.sub(r"^special to\s+", "", piece, flags=re.I)
    return [Byline(_name_case(p), affiliation) for p in people]


def _organisation(words: str) -> bool:
    """Whether a capitalised phrase names an organisation ("Associated Press"), not a person."""
    return any(w.lower().strip(".,") in _ORG_WORDS for w in words.split())


def _header(text: str, blocks: list[Span], taken: dict[int, list[Part]]) -> dict[int, Part]:
    """The outlet line, headline and header bylines before the first prose paragraph.

    A headline is believed only with something that shows a header is there: an outlet line or
    a section label above it, a byline, date or note right below it, or Title Case. A first
    paragraph that merely lacks a full stop (a caption, "Story highlights") stays body.
    """
    lead: list[int] = []
    labelled = False
    for i, (start, end) in enumerate(blocks[:8]):
        if i in taken:
            if taken[i][0].kind in ("chrome", "section"):
                labelled = labelled or taken[i][0].kind == "section"
                continue
            break
        line = text[start:end]
        if len(line.split()) > _MAX_HEADER_WORDS or line.endswith(_PROSE_ENDS):
            break
        lead.append(i)
    if not lead or lead[-1] == len(blocks) - 1:
        return {}  # nothing but header lines: a note or a list, not an article with a body
    found: dict[int, Part] = {}
    queue = list(lead)
    if _outlet_like(text, blocks, queue[0], named_only=True):
        i = queue.pop(0)
        found[i] = Part("outlet", *blocks[i])
    while queue and _person_line(_line(text, blocks[queue[0]])):
        i = queue.pop(0)
        found[i] = Part("byline", *blocks[i])
    if queue and not found and _outlet_like(text, blocks, queue[0]):
        i = queue.pop(0)
        found[i] = Part("outlet", *blocks[i])
    bylined = any(p.kind == "byline" for p in found.values())
    if queue and not bylined and _headline_like(_line(text, blocks[queue[0]])):
        below = queue[0] + 1
        headline = _line(text, blocks[queue[0]])
        shown = bool(found or labelled or _TITLE_LABEL.match(headline) or _title_case(headline))
        if below < len(blocks) and below in taken:
            shown = shown or taken[below][0].kind in ("byline", "author_note", "section")
        elif below in queue:
            after = _line(text, blocks[below])
            shown = shown or bool(_DATE_LINE.fullmatch(after) or _person_line(after))
        if shown:
            i = queue.pop(0)
            found[i] = Part("headline", *blocks[i])
    if not found:
        return {}
    for i in queue:
        line = _line(text, blocks[i])
        if _DATE_LINE.fullmatch(line):
            found[i] = Part("chrome", *blocks[i])
        elif _person_line(line):
            found[i] = Part("byline", *blocks[i])
    return found


def _headline_like(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= _MAX_HEADLINE_WORDS and not line.endswith(")")


def _person_line(line: str) -> bool:
    """A line of personal names in mixed case ("Maria Rossi", "Jane Doe and John Roe")."""
    return bool(_NAME_LIST.fullmatch(line)) and not line.isupper() and len(line.split()) <= 16


def _title_case(line: str) -> bool:
    """Most longer words capitalised, as in "Why The Climate Talks Failed Again"."""
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", line) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _line(text: str, span: Span) -> str:
    return text[span[0] : span[1]]


def _outlet_like(text: str, blocks: list[Span], index: int, *, named_only: bool = False) -> bool:
    """A short capitalised first line naming a publication: reads like one, or recurs above
    a headline ("China Daily" ... "those of China Daily")."""
    line = _line(text, blocks[index])
    words = line.split()
    if not words or len(words) > 5 or len(line) > 40 or line[-1] in ".!?,;:":
        return False
    capitalised = all(w[0].isupper() or w.lower() in {"of", "the", "and", "&"} for w in words)
    if not capitalised:
        return False
    named = words[-1].lower().strip(".") in _PUBLICATION or bool(_DOMAIN.search(line))
    if named or named_only:
        return named
    recurs = text.lower().count(line.lower()) > 1
    above_headline = index + 1 < len(blocks) and _headline_like(_line(text, blocks[index + 1]))
    return named or (recurs and above_headline)


def _fields(
    text: str,
    parts: tuple[Part, ...],
    notes: list[tuple[list[Byline], str | None]],
    outlet_hints: list[str],
) -> Layout:
    title = outlet = None
    marks: list[str] = []
    authors: list[Byline] = []
    for part in parts:
        piece = text[part.start : part.end]
        if part.kind == "headline" and title is None:
            label = _TITLE_LABEL.match(piece)
            title = piece[label.end() :] if label else piece
            if label:
                marks.append("title")
        elif part.kind == "outlet" and outlet is None:
            outlet = piece
        elif part.kind == "section":
            marks.append("section")
        elif part.kind == "byline" and not _DASH_NAME.match(piece):
            by = _BY.fullmatch(piece)
            authors += _byline_names(by.group("names") if by else piece)
    authors += [b for bylines, _ in notes for b in bylines]
    if outlet is None and outlet_hints:
        outlet = outlet_hints[0].rstrip(".")
    unique: dict[str, Byline] = {}
    for author in authors:
        # "By USA TODAY" names the outlet, not a person
        if outlet is None or _key(author.name) != _key(outlet):
            unique.setdefault(_key(author.name), author)
    bios = [bio for _, bio in notes if bio]
    for bio in bios:
        named = _NAMED_BIO.match(bio)
        key = _key(named.group("name")) if named else next(iter(unique), "")
        affiliation = _affiliation(bio)
        if key in unique and (named or len(unique) == 1) and unique[key].affiliation is None:
            unique[key] = Byline(unique[key].name, affiliation)
    if bios:
        marks.append("author_note")
    if any(p.kind == "disclaimer" for p in parts):
        marks.append("disclaimer")
    return Layout(
        parts=parts,
        title=title,
        outlet=outlet,
        authors=tuple(unique.values()),
        opinion_marks=tuple(dict.fromkeys(marks)),
    )


def _affiliation(bio: str) -> str | None:
    role = _ROLE.search(bio)
    match = _AFFILIATION.search(bio, role.end() if role else 0)
    return match.group("org").rstrip(".,;") if match else None


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _name_case(name: str) -> str:
    """ "JANE DOE" -> "Jane Doe"; a name in mixed case is kept as printed."""
    return name.title() if name.isupper() else name
