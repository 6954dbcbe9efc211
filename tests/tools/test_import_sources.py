"""Reading dumps: each format yields its records with where they came from, bad rows included."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from app.services.import_sources import Source, SourceRecord, detect_format


def records(path: Path, fmt: str | None = None) -> list[SourceRecord]:
    source = Source(path, fmt or detect_format(path))  # type: ignore[arg-type]
    found = list(source.records())
    assert source.position == source.total  # the progress bar ends full
    return found


def test_json_lines_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text(
        '{"text": "One."}\n\n{not json\n[1, 2]\n{"text": "Two."}\n',
        encoding="utf-8",
    )

    found = records(path)

    assert [(r.where, r.line) for r in found] == [
        ("line 1", 1),
        ("line 3", 3),
        ("line 4", 4),
        ("line 5", 5),
    ]
    assert found[0].data == {"text": "One."}
    assert found[1].error is not None
    assert found[1].error.startswith("not JSON")
    assert found[2].error == "a JSON list, not an object"
    assert found[3].data == {"text": "Two."}


def test_gzipped_json_lines_and_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b'{"text": "caf\xc3\xa9"}\n{"text": "\xff"}\n')

    found = records(path)

    assert found[0].data == {"text": "café"}
    assert (found[1].line, found[1].error) == (2, "not UTF-8")


def test_json_array_reports_line_of_each_item(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text('[\n  {"text": "One."},\n  "oops",\n\n  {"text": "Two."}\n]\n')

    found = records(path)

    assert [(r.where, r.line) for r in found] == [
        ("item 1 (line 2)", 2),
        ("item 2 (line 3)", 3),
        ("item 3 (line 5)", 5),
    ]
    assert found[1].error == "a JSON str, not an object"
    assert found[2].data == {"text": "Two."}


def test_broken_json_array_stops_with_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text('[{"text": "One."},\n {"text": }]')

    found = list(Source(path, "json").records())

    assert found[0].data == {"text": "One."}
    assert found[1].line == 2
    assert found[1].error is not None
    assert "rest of the array" in found[1].error


def test_json_file_holding_json_lines_is_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text('{"text": "One."}\n{"text": "Two."}\n')

    assert detect_format(path) == "jsonl"
    assert [r.data for r in records(path)] == [{"text": "One."}, {"text": "Two."}]


def test_csv_counts_physical_lines_of_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    long_text = "x" * 200_000  # beyond the csv module's default field limit
    path.write_text(
        "title,text,source\n"
        'First,"Line one.\nLine two.",Daily\n'
        "Second,too,many,fields\n"
        f"Third,{long_text},Daily\n",
        encoding="utf-8",
    )

    found = records(path)

    assert [(r.where, r.line) for r in found] == [("line 2", 2), ("line 4", 4), ("line 5", 5)]
    assert found[0].data == {"title": "First", "text": "Line one.\nLine two.", "source": "Daily"}
    assert found[1].error == "1 more fields than the header has"
    assert found[2].data is not None
    assert len(found[2].data["text"]) == 200_000


def test_gzipped_csv(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\ufefftext,outlet\nHello.,Daily\n")

    assert [r.data for r in records(path)] == [{"text": "Hello.", "outlet": "Daily"}]


def test_txt_folder_first_line_is_the_title(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("A title\n\nThe body.\nMore.\n", encoding="utf-8")
    (tmp_path / "b" / "c.txt").write_text("Only a title", encoding="utf-8")
    (tmp_path / "b" / "bad.txt").write_bytes(b"\xff\xfe")
    (tmp_path / "ignored.md").write_text("not read")

    found = records(tmp_path)

    assert [r.where for r in found] == ["a.txt", "b/bad.txt", "b/c.txt"]
    assert found[0].data == {"title": "A title", "text": "The body.\nMore.\n"}
    assert found[1].error is not None
    assert found[1].error.startswith("not UTF-8")
    assert found[2].data == {"title": "Only a title", "text": ""}


def test_unknown_suffix_needs_format(tmp_path: Path) -> None:
    path = tmp_path / "dump.xml"
    path.write_text("<a/>")

    with pytest.raises(ValueError, match="--format"):
        detect_format(path)


def test_large_file_progress_moves(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(3000):
            handle.write(json.dumps({"text": f"Article {i} " + "word " * 50}) + "\n")
    source = Source(path, "jsonl")
    positions = [source.position for _ in source.records()]

    assert positions[0] < positions[-1] == source.total
