"""The layout of pasted articles: parts found by general shapes, fields read from them, and the
body the Analyzer reads without them. Texts are made up here; the sample op-ed is checked last."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.layout import Byline, body_sentences, byline_names, read_layout
from app.analysis.text import split_sentences

OP_ED = Path(__file__).resolve().parents[3] / "shared/data/samples/china-daily-trenin-op-ed.txt"

NEWS_PASTE = """The Guardian

Why the climate talks failed again

By Jane Doe and John Roe, Reuters

Delegates left Glasgow on Saturday without an agreement on coal. The talks ran two days over.

Negotiators said they would meet again in June.

Share this article
"""

COLUMN_PASTE = """OPINION

Europe cannot afford another decade of drift

Maria Rossi

For ten years I have watched Brussels promise reform and deliver committees. We deserve better.

We should ask more of our leaders, and of ourselves.

Maria Rossi is a senior fellow at the European Council on Foreign Relations.
"""

DASH_NOTE_PASTE = "\n\n".join(
    [
        "Harbour Times",
        "Ports must plan for higher seas",
        "Of course, the cost of waiting is higher than the cost of building now.",
        "- Ana Lima The writer is a professor of engineering at the University of Porto. "
        "The views don't necessarily reflect those of Harbour Times.",
        "Sea levels along the coast rose faster in the last decade than in the one before. "
        "Engineers say the old walls will not hold.",
        "Of course, the cost of waiting is higher than the cost of building now. "
        "Cities that act early pay less.",
        "ANA LIMA / HARBOUR TIMES",
        "Newspapers in English",
    ]
)

CLEAN_BODY = "\n\n".join(
    [
        "Delegates left Glasgow on Saturday without an agreement on coal. The talks ran over.",
        "John Smith is a professor at Yale who advised the delegation, and he said it was poor.",
        "Negotiators said they would meet again in June.",
    ]
)


def kinds(text: str) -> list[tuple[str, str]]:
    layout = read_layout(text)
    return [(p.kind, text[p.start : p.end]) for p in layout.parts]


def test_a_pasted_news_story_gives_outlet_headline_and_byline() -> None:
    layout = read_layout(NEWS_PASTE)

    assert layout.outlet == "The Guardian"
    assert layout.title == "Why the climate talks failed again"
    assert layout.authors == (Byline("Jane Doe", "Reuters"), Byline("John Roe", "Reuters"))
    assert layout.opinion_marks == ()
    assert ("chrome", "Share this article") in kinds(NEWS_PASTE)
    body = [s.text for s in body_sentences(NEWS_PASTE, layout)]
    assert body[0].startswith("Delegates left Glasgow")
    assert not any("Guardian" in s or "Share" in s or "Jane Doe" in s for s in body)


def test_a_column_gives_its_author_with_affiliation_and_the_opinion_marks() -> None:
    layout = read_layout(COLUMN_PASTE)

    assert layout.title == "Europe cannot afford another decade of drift"
    assert layout.outlet is None
    assert layout.authors == (Byline("Maria Rossi", "European Council on Foreign Relations"),)
    assert set(layout.opinion_marks) == {"section", "author_note"}
    body = [s.text for s in body_sentences(COLUMN_PASTE, layout)]
    assert body[-1] == "We should ask more of our leaders, and of ourselves."


def test_a_dash_byline_note_and_disclaimer_are_split_into_parts() -> None:
    layout = read_layout(DASH_NOTE_PASTE)
    found = kinds(DASH_NOTE_PASTE)

    assert layout.outlet == "Harbour Times"
    assert layout.title == "Ports must plan for higher seas"
    assert layout.authors == (Byline("Ana Lima", "University of Porto"),)
    assert ("byline", "- Ana Lima") in found
    note = "The writer is a professor of engineering at the University of Porto."
    assert ("author_note", note) in found
    assert (
        "disclaimer",
        "The views don't necessarily reflect those of Harbour Times.",
    ) in found
    # the pull quote above the byline goes; its copy in the body stays
    assert found[2] == ("pull_quote", "Of course, the cost of waiting is higher than the cost "
                        "of building now.")  # fmt: skip
    body = [s.text for s in body_sentences(DASH_NOTE_PASTE, layout)]
    assert "Of course, the cost of waiting is higher than the cost of building now." in body
    assert not any("LIMA" in s or "Newspapers" in s or "views" in s for s in body)


def test_a_clean_body_has_no_layout_and_a_name_inside_it_is_no_author() -> None:
    layout = read_layout(CLEAN_BODY)

    assert layout.parts == ()
    assert (layout.title, layout.outlet, layout.authors) == (None, None, ())
    assert body_sentences(CLEAN_BODY, layout) == split_sentences(CLEAN_BODY)


@pytest.mark.parametrize(
    "first_line",
    [
        "The president failed to deliver what he promised",  # no full stop, yet prose
        "Robert E. Lee monument in Richmond, Va. (Jay Paul/Reuters)",  # a caption
        "Senate passes border bill",  # a headline alone proves nothing
    ],
)
def test_a_first_line_without_a_header_around_it_stays_body(first_line: str) -> None:
    text = f"{first_line}\n\nThe Senate on Tuesday passed a bill that would tighten the border.\n"

    assert read_layout(text).title is None
    assert body_sentences(text)[0].text.startswith(first_line[:20])


def test_a_title_cased_headline_needs_nothing_else() -> None:
    text = "Why The Climate Talks Failed Again\n\nDelegates left Glasgow without a deal.\n"

    assert read_layout(text).title == "Why The Climate Talks Failed Again"


def test_offsets_point_into_the_text_as_received() -> None:
    for text in (NEWS_PASTE, COLUMN_PASTE, DASH_NOTE_PASTE):
        layout = read_layout(text)
        for sentence in body_sentences(text, layout):
            assert text[sentence.start : sentence.end] == sentence.text
            assert not any(p.start < sentence.end and sentence.start < p.end for p in layout.parts)


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Jane Doe", [Byline("Jane Doe")]),
        ("JANE DOE, Associated Press", [Byline("Jane Doe", "Associated Press")]),
        ("Jane Doe, Staff Writer", [Byline("Jane Doe")]),
        (
            "Dana A. Ford, James S.A. Corey, and Tom Watkins, CNN",
            [
                Byline("Dana A. Ford", "CNN"),
                Byline("James S.A. Corey", "CNN"),
                Byline("Tom Watkins", "CNN"),
            ],
        ),
        ("Leigh Ann Caldwell CNN", [Byline("Leigh Ann Caldwell", "CNN")]),
    ],
)
def test_byline_names(byline: str, expected: list[Byline]) -> None:
    assert byline_names(byline) == expected


@pytest.mark.shared_data
def test_the_sample_op_ed() -> None:
    if not OP_ED.exists():
        pytest.skip("../shared/data is absent")
    text = OP_ED.read_text(encoding="utf-8")
    layout = read_layout(text)

    assert layout.title == "China, Russia have to forge closer ties"
    assert layout.outlet == "China Daily"
    assert layout.authors == (Byline("Dmitri Trenin", "Carnegie Moscow Center"),)
    assert set(layout.opinion_marks) == {"author_note", "disclaimer"}
    body = [s.text for s in body_sentences(text, layout)]
    assert body[0].startswith("Russian Foreign Minister Sergei Lavrov’s visit to Beijing")
    chrome = ("China Daily", "Trenin", "Newspapers", "JIN DING", "views don’t")
    assert not any(word in s for s in body for word in chrome)
