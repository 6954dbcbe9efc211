"""Cleaning and sentence splitting: cruft never becomes a sentence, offsets stay exact."""

from __future__ import annotations

import gzip
import json
import re
import time
from itertools import islice, pairwise
from pathlib import Path

import pytest

from app.analysis.text import (
    MAX_SENTENCE_CHARS,
    MAX_SENTENCE_PIECES,
    content_spans,
    split_sentences,
)
from app.analysis.types import Sentence

SHARED = Path(__file__).resolve().parents[3] / "shared/data"
OP_ED = SHARED / "samples/china-daily-trenin-op-ed.txt"
ALLSIDES = SHARED / "articles/allsides-10k.jsonl.gz"


def pieces(sentence: Sentence) -> int:
    """Words and punctuation marks, the unit the window limit counts."""
    return len(re.findall(r"\w+|[^\w\s]", sentence.text))


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def assert_exact(text: str, sentences: list[Sentence]) -> None:
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
        assert s.text
    assert all(a.end <= b.start for a, b in pairwise(sentences))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5 in the U.S. Capitol. They talked.",
            [
                "Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5 in the U.S. Capitol.",
                "They talked.",
            ],
        ),
        (
            "The U.S. is big. He lives in Washington, D.C. But not for long.",
            ["The U.S. is big.", "He lives in Washington, D.C.", "But not for long."],
        ),
        (
            'He said, "Go home." Then he left. Gen. Mattis agreed. St. Louis is nice.',
            ['He said, "Go home."', "Then he left.", "Gen. Mattis agreed.", "St. Louis is nice."],
        ),
        (
            "Robert E. Lee and J. Scott Applewhite were there. Growth was 3.5 percent.",
            ["Robert E. Lee and J. Scott Applewhite were there.", "Growth was 3.5 percent."],
        ),
        (
            "“Is it true?” he asked. “Yes!” She smiled.",
            ["“Is it true?” he asked.", "“Yes!”", "She smiled."],
        ),
        (
            "Roe v. Wade was decided in 1973. It stands.",
            ["Roe v. Wade was decided in 1973.", "It stands."],
        ),
        ("2. The Clintons paid. No. 1 seed won.", ["2. The Clintons paid.", "No. 1 seed won."]),
    ],
)
def test_abbreviations_quotes_decimals_and_initials(text: str, expected: list[str]) -> None:
    assert texts(text) == expected
    assert_exact(text, split_sentences(text))


def test_a_paragraph_break_always_ends_a_sentence() -> None:
    text = "  The talks ended without a deal\n\nOfficials will meet again in May.  \n"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "The talks ended without a deal",
        "Officials will meet again in May.",
    ]
    assert_exact(text, sentences)


def test_a_hard_wrapped_line_continues_its_sentence() -> None:
    text = "The minister said the deal\nwould be signed in May. It was not."
    assert texts(text) == ["The minister said the deal\nwould be signed in May.", "It was not."]


def test_a_very_long_sentence_is_cut_into_windows_at_commas() -> None:
    clause = "the committee reviewed another detailed proposal from the regional office"
    text = "In the end, " + ", ".join([clause] * 60) + "."
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert_exact(text, sentences)
    for s in sentences:
        assert pieces(s) <= MAX_SENTENCE_PIECES
        assert len(s.text) <= MAX_SENTENCE_CHARS
    assert all(s.text.endswith((",", ".")) for s in sentences)
    joined = " ".join(s.text for s in sentences)
    assert joined.split() == text.split()


def test_a_digit_dense_table_row_is_cut_too() -> None:
    text = "Totals: " + " ".join(f"${n},{n:03d}.5" for n in range(150))
    sentences = split_sentences(text)
    assert len(sentences) > 1
    assert max(pieces(s) for s in sentences) <= MAX_SENTENCE_PIECES
    assert_exact(text, sentences)


def test_a_long_run_without_commas_is_cut_at_spaces() -> None:
    text = " ".join(["word"] * 500)
    sentences = split_sentences(text)
    assert sum(len(s.text.split()) for s in sentences) == 500
    assert max(pieces(s) for s in sentences) <= MAX_SENTENCE_PIECES
    assert_exact(text, sentences)


CRUFTY = """USA TODAY

WASHINGTON (AP) — The Senate passed the budget on Tuesday after a long debate.

Advertisement

Sign up for Daily Newsletters Manage Newsletters

(Photo: Jonathan Ernst/Reuters)

Senators from both parties praised the compromise. Mr. Smith called it historic.

Read more:

Follow us on Twitter @CNNOpinion.

The Associated Press contributed to this report.

___

Copyright © 2019 The Washington Times, LLC. Click here for reprint permission."""


def test_web_page_cruft_is_dropped_and_the_dateline_cut() -> None:
    assert texts(CRUFTY) == [
        "The Senate passed the budget on Tuesday after a long debate.",
        "Senators from both parties praised the compromise.",
        "Mr. Smith called it historic.",
    ]
    assert_exact(CRUFTY, split_sentences(CRUFTY))


def test_author_notes_are_dropped_only_where_they_are_notes() -> None:
    body = "The economy grew last year. Unemployment fell to a record low."
    note = "Jane Doe is a senior fellow at the Example Institute."
    text = f"{body}\n\n{note}\n\n— John Roe is a syndicated columnist."
    assert texts(text) == texts(body)
    # Mid-article, the same shape is a sentence of the story and stays.
    middle = f"{body}\n\n{note}\n\n{body.replace('last', 'this')}\n\nMore came.\n\nThe end came."
    assert note in texts(middle)
    # With an honorific it is news about someone, even at the end.
    news = "Mr. Smith is the author of the bill."
    assert texts(f"{body}\n\n{news}")[-1] == news


def test_content_that_mentions_cruft_words_is_kept() -> None:
    text = (
        "The administration hopes more people will sign up for health coverage now.\n\n"
        "Critics said the donors who donate heavily to the party were rewarded.\n\n"
        "Shafer wrote that his opinions are his own, and readers agreed."
    )
    assert len(content_spans(text)) == 3


def test_a_pull_quote_is_dropped_and_the_passage_kept_in_place() -> None:
    passage = "Trade between the two countries has doubled over the past five years alone."
    text = (
        f"{passage}\n\nThe ministers met on Monday. They agreed to meet again.\n\n"
        f"Officials were upbeat. {passage} Few expect that to change."
    )
    sentences = texts(text)
    assert sentences.count(passage) == 1
    assert sentences[0] == "The ministers met on Monday."
    assert sentences[-2] == passage


def test_a_short_repeated_line_is_not_a_pull_quote() -> None:
    text = "Yes we can.\n\nThe crowd chanted.\n\nYes we can."
    assert texts(text) == ["Yes we can.", "The crowd chanted.", "Yes we can."]


def test_empty_and_cruft_only_texts_give_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n ") == []
    assert split_sentences("Advertisement\n\n***\n\nNewspapers in English") == []


@pytest.mark.shared_data
@pytest.mark.skipif(not OP_ED.exists(), reason="../shared/data is absent")
def test_the_reference_op_ed_is_cleaned() -> None:
    text = OP_ED.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    assert_exact(text, sentences)
    joined = "\n".join(s.text for s in sentences)
    for cruft in ("CHINA DAILY", "JIN DING", "Newspapers", "The author is", "necessarily reflect"):
        assert cruft not in joined
    assert "China Daily" not in joined
    assert sentences[0].text == "China, Russia have to forge closer ties"
    assert sentences[1].text.startswith("Russian Foreign Minister Sergei Lavrov’s visit")
    # The pull quote near the top goes; the passage stays where it belongs, at the end.
    pull = "Of course, there are some particularly hard cases"
    assert [s.index for s in sentences if s.text.startswith(pull)] == [len(sentences) - 3]
    assert sentences[-1].text.startswith("Blunting the adversary’s coalition strategy")


@pytest.mark.shared_data
@pytest.mark.skipif(not ALLSIDES.exists(), reason="../shared/data is absent")
def test_allsides_articles_split_fast_with_exact_offsets() -> None:
    with gzip.open(ALLSIDES, "rt", encoding="utf-8") as handle:
        articles = [json.loads(line)["text"] for line in islice(handle, 200)]
    started = time.process_time()  # CPU time: other processes on a busy machine do not count
    results = [split_sentences(text) for text in articles]
    per_article = (time.process_time() - started) / len(articles)
    for text, sentences in zip(articles, results, strict=True):
        assert_exact(text, sentences)
        assert all(pieces(s) <= MAX_SENTENCE_PIECES for s in sentences)
    # ~2 ms of CPU per article here; the bound leaves room for slow CI machines.
    assert per_article < 0.010
