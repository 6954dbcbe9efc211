"""Text cleaning and sentence splitting, with offsets into the text as received.

An article arrives with newspaper-reader and web-page cruft around its content: photo credits,
mastheads, bylines, author notes, newsletter and share prompts, copyright lines and pull quotes.
`content_spans` finds the paragraphs that are the article itself and `split_sentences` cuts them
into sentences. Nothing is ever rewritten: every span is a ``(start, end)`` slice of the input,
so downstream offsets stay valid for the stored text.

The rules are deliberately conservative: a paragraph is dropped only when it is short and matches
a known cruft shape, so real prose is kept even when a rule would be tempted by it.
A regex splitter is used rather than pysbd: pysbd took ~40 ms per AllSides article for the
splitting alone; cleaning plus splitting here takes ~2 ms of CPU, and with the abbreviation rules
below it splits news prose as well.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from app.analysis.types import Sentence

# The downstream models read 256 wordpieces. A "piece" here is a word or a punctuation mark, a
# lower bound on wordpieces; 180 of them, and at most 800 characters, kept every prose sentence
# of 6,000 AllSides articles under 256 wordpieces (only digit-dense tables went over, which the
# encoder still windows). Normal prose sentences of up to ~150 words are left whole.
MAX_SENTENCE_PIECES = 180
MAX_SENTENCE_CHARS = 800

# Only paragraphs this short are ever judged by the boilerplate rules.
_SHORT_WORDS = 60

Span = tuple[int, int]

_WORD = re.compile(r"\S+")
_PIECE = re.compile(r"\w+|[^\w\s]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_EMAIL_OR_URL = re.compile(r"\S+@\S+\.\w+|https?://|www\.\S+|\.com\b", re.IGNORECASE)

_CONTACT = re.compile(
    r"(?:contact|send|e-?mail|write|visit|got a tip|for licensing|tips?:)\b", re.IGNORECASE
)
# Whole-paragraph labels and widgets that a page shows around an article.
_LABEL = re.compile(
    r"(?:advertisement(?: continue reading the main story)?|ad|story continue[sd](?: below)?|"
    r"continue reading(?: below| the main story)?|photo|photos|video|image|print|email|e-mail|"
    r"twitter|facebook|whatsapp|youtube|linkedin|pinterest|reddit|pocket|share|close|loading|"
    r"link copied|more on this|read more|related|recommended|watch|listen|see also|also see|"
    r"more|latest|urgent|trending|next|previous|sign up|subscribe|newsletter sign-?up|"
    r"opinion contributors?|analysis/opinion|special (?:for|to) [\w ]{2,30}|\d+ "
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago|"
    r"(?:next|prev) image \d+ of \d+|slideshow \(\d+ images?\)|"
    r"this article is more than \d+ \w+ old|newspapers (?:in|from) [\w ,.&'-]{2,40})"
    r"[\s.:!»›…-]*",
    re.IGNORECASE,
)
# Prompts to act (sign up, follow, click, share, donate), judged only on short paragraphs.
# Each "anywhere" family is only searched when one of its cheap substring hints is present.
_PROMPT_START = re.compile(
    r"(?:click (?:here|for)|follow (?:us|me|@)|(?:join|like) us on|share (?:this|on)|"
    r"(?:read|watch|listen|see) (?:more|also|next|now|the full)\b.{0,40}:|"
    r"visit [\w’' ]{2,40} homepage)\b",
    re.IGNORECASE,
)
_PROMPT_HINTS = (
    "sign", "subscri", "newsletter", "inbox", "click", " on twitter", " on facebook",
    " on instagram", "app", "enjoyed", "liked", "value", "donat", "journalism", "read or share",
)  # fmt: skip
_PROMPT_ANY = re.compile(
    r"\bsign(?:ing)? up\b.{0,80}\b(?:newsletters?|inbox|e-?mails?|alerts?)\b|"
    r"\bsign(?:ing)? up (?:here|today|now|to receive)\b|"
    r"\bsubscribe\b.{0,60}\b(?:newsletters?|here|today|now|inbox|podcast|channel)\b|"
    r"\bnewsletters?\b.{0,60}\bsign(?:ing)?[- ]up\b|"
    r"\b(?:delivered|straight|sent|right) (?:\w+ )?to your inbox\b|\bmeet your inbox\b|"
    r"\bclick here (?:to|for)\b|\bclick here\W*$|\bclick (?:to|for) more\b|"
    r"\bfollow (?:us|me|him|her|them|[A-Z][\w.]*(?: [A-Z][\w.]*)?) on "
    r"(?:twitter|facebook|instagram)|"
    r"\bdownload (?:the|our) [\w ]{0,30}\bapp\b|\bget the [\w ]{0,30}\bapp\b|"
    r"\bif you (?:enjoyed|liked|value) (?:this|our)\b|"
    r"\b(?:donate (?:now|today|here)|make a (?:one-time |tax-deductible )?donation to support)\b|"
    r"\bsupport (?:our|independent|[\w’']+[’']s) (?:[\w-]+ )?journalism\b|"
    r"\bread or share this story\b",
    re.IGNORECASE,
)
# Copyright, licensing, reprint and disclaimer lines, judged only on paragraphs of <= 40 words.
_LEGAL_START = re.compile(
    r"(?:copyright|©|\(c\)\s*\d{4}|(?:the )?(?:views|opinions) expressed\b.{0,60}"
    r"\b(?:own|necessarily)\b|this is a rush transcript)",
    re.IGNORECASE,
)
_LEGAL_HINTS = ("reserved", "reprint", "necessarily", "without charge", "rush deadline")
_LEGAL_ANY = re.compile(
    r"\ball rights reserved\b|\breprint permission\b|"
    r"\b(?:do|does)(?: not|n'?t|n’t) necessarily (?:reflect|represent) (?:the )?"
    r"(?:views|opinions|those|position|policy|policies)\b|"
    r"\bavailable without charge to any eligible news publisher\b|"
    r"\btranscripts? (?:is|are) created on a rush deadline\b",
    re.IGNORECASE,
)
# Credit lines: agency contributions, photo and caption credits.
_CREDIT = re.compile(
    r"(?:[\w.’' -]{0,80} contributed (?:reporting )?to this (?:report|story|article)|"
    r"contributing:|(?:photo|image|picture|illustration|graphic|video)s? ?(?:credit|copyright|"
    r"by|:)|\((?:photo|image|credit)s?\b|enlarge this image|toggle caption|"
    r"\(?(?:reuters|ap|afp|getty) photo\b|this (?:article|story) (?:is based in part on wire|"
    r"has been updated|was originally published|first appeared)|editor[’']?s note:?$)",
    re.IGNORECASE,
)
# A credit wrapped in the "??" a reader app leaves for an unrenderable icon, or a caps credit
# such as "JIN DING / CHINA DAILY" or "(Jonathan Ernst/Reuters)".
_SIGNOFF = re.compile(r"^[-—–]\s*[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}$")
_CAPS_CREDIT = re.compile(r"^\?\?.*\?\?$|^[^a-z]{3,80} ?/ ?[^a-z]{2,60}$")
_PAREN_CREDIT = re.compile(r"^\([^()]{2,80}/[^()]{2,80}\)$|^\[[\w -]{1,30}\]$")
# "By Jane Doe and John Roe, Agency" on a line of its own.
_BYLINE = re.compile(
    r"^by:?\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}"
    r"(?:(?:,|\s+and|\s+with)\s+[\w.’'()@ -]+)*$",
    re.IGNORECASE,
)
# Author notes: "- Dmitri Trenin The author is ...", "The writer is ...", and at the end of an
# article "George Will is a Pulitzer Prize-winning syndicated columnist."
_ROLE = (
    r"(?:is|was|are) (?:an? |the )?(?:[\w-]+ ){0,4}(?:author|columnist|contributor|editor|"
    r"writer|correspondent|reporter|journalist|professor|fellow|commentator|analyst|host)s?\b"
)
_NAME = r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){1,3}"
_AUTHOR_NOTE = re.compile(
    rf"^[-—–•*]+\s*{_NAME}\b.{{0,120}}?\b(?:[Tt]he (?:author|writer)s? (?:is|are|was)|{_ROLE})"
)
# No honorific first: "Mr. Smith is the author of the bill" is news, not a blurb.
_EDGE_NOTE = re.compile(
    rf"(?!(?:Mr|Mrs|Ms|Sen|Rep|Gov|Gen|President|Senator|Judge|Justice)\b){_NAME} {_ROLE}|"
    r"The (?:author|writer) is\b"
)
# Datelines glued to the first sentence: "WASHINGTON (Reuters) - ", "New York (CNN) -- ".
# (Patterns used with ``match(text, pos)`` have no "^": it would anchor at the text's start.)
_DATELINE = re.compile(
    r"(?:[A-Z][\w.’',]*(?:\s+(?:[A-Z][\w.’',]*|and|of))*\s*)?"
    r"\((?:AP|Reuters|CNN|AFP|UPI|Bloomberg|CNBC|NPR|Xinhua|dpa|TheBlaze)\)\s*(?:[-—–]+\s*)?|"
    r"[A-Z][A-Z.’']+(?:[ ,]+[A-Z][A-Za-z.’']+){0,3}\s+[-—–]{1,2}\s+(?=[A-Z“\"])",
)


def _word_set(words: str) -> frozenset[str]:
    """The space-separated words of ``words``."""
    return frozenset(words.split())


# Abbreviations that are never the end of a sentence (they precede what they qualify).
_NEVER_END = _word_set(
    "Mr Mrs Ms Messrs Mmes Dr Drs Prof Sen Sens Rep Reps Gov Govs Gen Gens Lt Col Maj Capt Cmdr "
    "Cdr Adm Sgt Cpl Pvt Rev Fr Hon Pres Supt Atty Amb Sec Msgr Mt Ft vs v Vs cf e.g i.e"
)
# Abbreviations that may end a sentence: they do only when a typical sentence opener follows.
_MAYBE_END = _word_set(
    "Jr Sr St Ave Blvd Rd Inc Corp Co Ltd Bros Mfg etc al Jan Feb Mar Apr Jun Jul Aug Sep "
    "Sept Oct Nov Dec No Nos Vol Fig Dept Univ Assn approx est Rs Sq Pt"
)
_OPENERS = _word_set(
    "The A An But And Or So Yet He She It They We I You His Her Its Their Our My Your This That "
    "These Those There Here In On At For If When While As After Before Since Although Though "
    "Because Now Then Still However Meanwhile Also Some Many Most Other Others One No Not What "
    "Why How Who Where Which Even Just Last Next According Instead Indeed Moreover Furthermore "
    "Today Yesterday Such Both Each Every All Any To With By From Under Over During Despite Unlike "
    "Like Asked Did Does Do Is Are Was Were Will Would Can Could Should Has Have Had Let Yes Only "
    "Already Later Earlier Officials Critics Nor Until Once Whether"
)
_INITIAL_OR_ACRONYM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_TERMINATOR = re.compile(r"(?:[.!?]+|…)[”\"’'»)\]]*(?=\s)")
_OPENING = "“\"‘'«([¿¡"
_CLOSING = "”\"’'»)]"
_SOFT_BREAK_END = tuple('.!?:;”"’)]…')


def split_sentences(text: str) -> list[Sentence]:
    """Content sentences of ``text``, numbered from 0; cruft is never a sentence.

    A paragraph break always ends a sentence. A sentence of more than `MAX_SENTENCE_PIECES` words
    and punctuation marks, or `MAX_SENTENCE_CHARS` characters, is cut into windows at a
    semicolon, comma, dash or space, so no downstream model truncates it.
    """
    spans: list[Span] = []
    for start, end in content_spans(text):
        for s_start, s_end in _sentence_spans(text, start, end):
            if _LETTER_OR_DIGIT.search(text, s_start, s_end):
                spans.extend(_windows(text, s_start, s_end))
    return [Sentence(index=i, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans)]


def content_spans(text: str) -> list[Span]:
    """The paragraphs of ``text`` that are the article's content, as trimmed ``(start, end)``.

    Dropped: widgets and labels ("Advertisement", "Read more:", "3 years ago"), prompts (sign
    up, follow us, click here, donate), copyright and disclaimer lines, photo and contribution
    credits, lone bylines, author notes, separators, a header of short masthead/label lines, and
    pull quotes (a paragraph repeated inside a longer one, or an exact repeat further down: the
    earlier copy goes). A dateline glued to the first paragraph ("WASHINGTON (AP) — ") is cut.
    """
    blocks = [b for b in _paragraphs(text) if _cruft_rule(text[b[0] : b[1]]) is None]
    blocks = _drop_header(text, blocks)
    blocks = _drop_pull_quotes(text, blocks)
    blocks = _drop_edge_notes(text, blocks)
    if blocks:
        start, end = blocks[0]
        match = _DATELINE.match(text, start, end)
        if match and match.end() < end:
            blocks[0] = (match.end(), end)
    return blocks


def _paragraphs(text: str) -> Iterator[Span]:
    """Trimmed non-empty lines; a line that continues a wrapped sentence joins the one before."""
    current: Span | None = None
    for match in re.finditer(r"[^\n]+", text):
        start, end = _trim(text, match.start(), match.end())
        if start >= end:
            continue
        if current is not None:
            previous = text[current[0] : current[1]]
            # A single newline before a lowercase word inside an unfinished sentence is a wrap.
            wrapped = (
                text.count("\n", current[1], start) == 1
                and not previous.endswith(_SOFT_BREAK_END)
                and text[start].islower()
            )
            if wrapped:
                current = (current[0], end)
                continue
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _cruft_rule(block: str) -> str | None:
    """The name of the cruft rule a paragraph matches (see `content_spans`), or None."""
    if not _LETTER_OR_DIGIT.search(block):
        return "separator"
    if _LABEL.fullmatch(block):
        return "label"
    words = len(block.split())
    if words > _SHORT_WORDS:
        return None
    low = block.lower()
    if _PROMPT_START.match(block) or (_hinted(low, _PROMPT_HINTS) and _PROMPT_ANY.search(block)):
        return "prompt"
    if words <= 40 and (
        _LEGAL_START.match(block) or (_hinted(low, _LEGAL_HINTS) and _LEGAL_ANY.search(block))
    ):
        return "legal"
    if _CREDIT.match(block):
        return "credit"
    if words <= 15 and (_CAPS_CREDIT.match(block) or _PAREN_CREDIT.match(block)):
        return "credit"
    if words <= 12 and not block.endswith((".", "!", "?")) and _BYLINE.match(block):
        return "byline"
    if block[0] in "-—–•*" and (_AUTHOR_NOTE.match(block) or _SIGNOFF.match(block)):
        return "author note"
    if words <= 25 and _CONTACT.match(block) and _EMAIL_OR_URL.search(block):
        return "contact"
    return None


def _hinted(lowered: str, hints: tuple[str, ...]) -> bool:
    """Whether any hint occurs in the lower-cased paragraph (a cheap gate before a regex)."""
    return any(hint in lowered for hint in hints)


def _drop_edge_notes(text: str, blocks: list[Span]) -> list[Span]:
    """Drop author notes that only count as such at the edges of an article.

    "The author is ..." within the first four paragraphs or the last two, and "Jane Doe is a
    columnist ..." as one of the last two: elsewhere such a sentence may well be content.
    """
    last = len(blocks) - 2
    return [
        (start, end)
        for i, (start, end) in enumerate(blocks)
        if not (
            len(text[start:end].split()) <= _SHORT_WORDS
            and (match := _EDGE_NOTE.match(text, start, end))
            and (i >= last or (i < 4 and match.group().startswith("The ")))
        )
    ]


def _drop_header(text: str, blocks: list[Span]) -> list[Span]:
    """Drop leading short lines that are mastheads, bylines or labels, not the headline.

    A header line has at most five words and no sentence punctuation. It goes when it is in
    capitals ("USA TODAY"), ends with a colon ("ANALYSIS/OPINION:"), or is title-cased and either
    reappears later in the text (the outlet name, "China Daily") or sits next to a header line
    that went (a byline above a masthead). A longer or sentence-cased line ends the header.
    """
    header: list[int] = []
    for i, (start, end) in enumerate(blocks[:4]):
        line = text[start:end]
        if len(line.split()) > 5 or line.endswith((".", "!", "?", ",")):
            break
        header.append(i)
    drop: set[int] = set()
    for i in header:
        line = text[blocks[i][0] : blocks[i][1]]
        letters = [c for c in line if c.isalpha()]
        caps = bool(letters) and all(c.isupper() for c in letters) and len(line) > 2
        outlet = _title_case(line) and text.lower().count(line.lower()) > 1
        if caps or outlet or line.endswith(":"):
            drop.add(i)
    for i in header:
        near = {i - 1, i + 1} & drop
        if i not in drop and near and _title_case(text[blocks[i][0] : blocks[i][1]]):
            drop.add(i)
    return [b for i, b in enumerate(blocks) if i not in drop]


def _title_case(line: str) -> bool:
    """Every word capitalised, allowing a few connectors: "Richard Wolf", "The Arizona Republic"."""
    words = [w for w in re.split(r"[\s/&,]+", line) if w]
    connectors = {"and", "of", "the", "for", "de", "van", "von"}
    return bool(words) and all(w[0].isupper() or w in connectors for w in words)


def _normalise(passage: str) -> str:
    """Lower-cased, quote-unified, whitespace-collapsed text, trimmed of edge punctuation."""
    passage = passage.lower().replace("’", "'").replace("‘", "'")
    passage = passage.replace("“", '"').replace("”", '"')
    return " ".join(passage.split()).strip(" .,;:!?\"'…-—–")


def _drop_pull_quotes(text: str, blocks: list[Span]) -> list[Span]:
    """Drop a paragraph of 8+ words repeated inside a longer one, or exactly, further down."""
    normal = [_normalise(text[s:e]) for s, e in blocks]
    joined = "\n".join(normal)
    starts: list[int] = []
    at = 0
    for passage in normal:
        starts.append(at)
        at += len(passage) + 1
    keep: list[Span] = []
    for i, block in enumerate(blocks):
        quote = normal[i]
        repeated = False
        if quote.count(" ") >= 7:
            found = joined.find(quote)
            while found >= 0 and not repeated:
                # which paragraph the occurrence lies in; an earlier identical copy does not count
                j = bisect_right(starts, found) - 1
                whole = found == starts[j] and len(normal[j]) == len(quote)
                repeated = j != i and (not whole or j > i)
                found = joined.find(quote, found + 1)
        if not repeated:
            keep.append(block)
    return keep


def _sentence_spans(text: str, start: int, end: int) -> Iterator[Span]:
    """Split one paragraph into sentences at terminators that open a new sentence."""
    begin = start
    for match in _TERMINATOR.finditer(text, start, end):
        if _is_boundary(text, match, start, end):
            yield _trim(text, begin, match.end())
            begin = match.end()
    last = _trim(text, begin, end)
    if last[0] < last[1]:
        yield last


def _is_boundary(text: str, match: re.Match[str], start: int, end: int) -> bool:
    """Whether the terminator in ``match`` ends a sentence, judged by its neighbours."""
    nxt = match.end()
    while nxt < end and text[nxt].isspace():
        nxt += 1
    if nxt >= end:
        return False
    first = nxt
    while first < end and text[first] in _OPENING:
        first += 1
    if first < end and text[first].islower():
        return False
    following = _WORD.match(text, first, end)
    next_word = following.group().rstrip(",;:") if following else ""
    opens_with_quote = first > nxt
    punct = match.group().rstrip(_CLOSING)
    if punct == "…" or punct.startswith(".."):
        return next_word in _OPENERS or opens_with_quote
    if punct != ".":
        return True
    word_start = match.start()
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    token = text[word_start : match.start()].lstrip(_OPENING)
    if token in _NEVER_END or (token.isdigit() and word_start == start):
        # a title, or the number of a list item ("2. The Clintons ...")
        return False
    if token in _MAYBE_END or _INITIAL_OR_ACRONYM.fullmatch(token):
        return next_word in _OPENERS or opens_with_quote
    return True


def _windows(text: str, start: int, end: int) -> Iterator[Span]:
    """Cut an over-long sentence into windows, preferring ``;`` then ``,`` then a dash or space."""
    if end - start <= MAX_SENTENCE_PIECES:
        yield start, end
        return
    while True:
        limit = min(end, start + MAX_SENTENCE_CHARS)
        pieces = list(_PIECE.finditer(text, start, limit))
        if len(pieces) > MAX_SENTENCE_PIECES:
            limit = pieces[MAX_SENTENCE_PIECES - 1].end()
        if limit >= end:
            yield start, end
            return
        floor = start + (limit - start) // 2
        cut = -1
        for mark in (";", ",", " — ", " – ", " - ", " "):
            at = text.rfind(mark, floor, limit)
            if at >= 0:
                cut = at + len(mark.rstrip())
                break
        if cut <= start:
            cut = limit
        piece = _trim(text, start, cut)
        if piece[0] < piece[1]:
            yield piece
        start, _ = _trim(text, cut, end)
        if start >= end:
            return


def _trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraphs(text: str) -> list[Span]:
    """The trimmed paragraphs of ``text`` as `content_spans` reads them, cruft included."""
    return list(_paragraphs(text))


def cruft_rule(paragraph: str) -> str | None:
    """The cruft rule one paragraph matches ("label", "legal", "byline", ...), or None."""
    return _cruft_rule(paragraph)


def pull_quotes(text: str, blocks: list[Span]) -> list[Span]:
    """The blocks `content_spans` drops as pull quotes (repeated further down)."""
    kept = set(_drop_pull_quotes(text, blocks))
    return [block for block in blocks if block not in kept]


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    """The sentences of one paragraph ``text[start:end]``, as `split_sentences` cuts them."""
    return [span for span in _sentence_spans(text, start, end) if span[0] < span[1]]
