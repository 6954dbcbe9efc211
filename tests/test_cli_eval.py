"""`lens eval topics` input: AG News's CSV layout, the two label-map formats, and an editor's
filing whose records name their articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from app.cli.eval import _label_map, read_labelled_csv, with_article_texts

DATA = Path(__file__).resolve().parents[1] / "app/analysis/data"


def test_a_csv_of_label_title_description_becomes_text_and_label(tmp_path: Path) -> None:
    path = tmp_path / "test.csv"
    path.write_text(
        '"3","Wall St. Bears Claw Back","Reuters - Short-sellers are seeing green."\n'
        '"2","Phelps wins again","ATHENS: another gold\\medal."\n',
        encoding="utf-8",
    )
    records = read_labelled_csv(path)
    assert records == [
        {
            "label": "3",
            "text": "Wall St. Bears Claw Back\nReuters - Short-sellers are seeing green.",
        },
        {"label": "2", "text": "Phelps wins again\nATHENS: another gold medal."},
    ]
    assert len(read_labelled_csv(path, limit=1)) == 1


def test_a_header_row_is_skipped_and_a_short_row_refused(tmp_path: Path) -> None:
    path = tmp_path / "test.csv"
    path.write_text('Class Index,Title,Description\n1,"A","B"\n', encoding="utf-8")
    assert read_labelled_csv(path) == [{"label": "1", "text": "A\nB"}]
    path.write_text("1,only a title\n", encoding="utf-8")
    with pytest.raises(typer.BadParameter, match="expected label, title, description"):
        read_labelled_csv(path)


def test_the_ag_news_map_covers_its_four_classes() -> None:
    mapping = _label_map(DATA / "agnews_to_iptc.json", "topics")
    assert sorted(mapping) == ["1", "2", "3", "4"]
    assert mapping["2"] == ["medtop:15000000"]


def test_the_allsides_map_gives_topics_or_subtopics(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    tags = {
        "immigration": {"subtopic": "medtop:20000771", "topics": ["medtop:14000000", "p"]},
        "politics": {"subtopic": None, "topics": ["p"]},
    }
    path.write_text(json.dumps({"about": "x", "tags": tags}), encoding="utf-8")
    assert _label_map(path, "topics") == {
        "immigration": ["medtop:14000000", "p"],
        "politics": ["p"],
    }
    assert _label_map(path, "subtopics") == {"immigration": ["medtop:20000771"]}


def test_editor_records_take_their_text_from_the_articles_file(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "a:1", "text": "One."})
        + "\n"
        + json.dumps({"id": "a:2", "text": "Two."}),
        encoding="utf-8",
    )
    labels = tmp_path / "labels.jsonl"
    records = [
        {"source_id": "a:2", "primary": "p", "all": ["p"]},
        {"text": "Given.", "primary": "p", "all": ["p"]},
    ]
    joined = with_article_texts(records, articles, labels)
    assert [r["text"] for r in joined] == ["Two.", "Given."]
    assert joined[0]["primary"] == "p"
    with pytest.raises(typer.BadParameter, match="need --articles"):
        with_article_texts(records, None, labels)
    with pytest.raises(typer.BadParameter, match="no article 'a:3'"):
        with_article_texts([{"source_id": "a:3", "primary": "p", "all": []}], articles, labels)
