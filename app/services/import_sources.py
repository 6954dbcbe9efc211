"""What `lens import` reads: JSON Lines, JSON arrays, CSV, or a folder of .txt and .html files.

Each record says where it came from (a line number, or a file name), so a rejected row can be
found and fixed. A row that cannot be parsed is yielded as an error; the rest of the file is
still read, except where the format makes that impossible (a broken JSON array, bytes that are
not UTF-8 in a CSV file).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

Format = Literal["jsonl", "json", "csv", "txt"]
_HTML_SUFFIXES = (".html", ".htm")
FORMATS: tuple[Format, ...] = ("jsonl", "json", "csv", "txt")

_JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One input row: its fields, or why they could not be read."""

    where: str
    line: int | None
    data: dict[str, Any] | None = None
    error: str | None = None


class Source:
    """Records of one file or folder, with a progress measure (bytes or files) for the bar."""

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path = path
        self.format = fmt
        self.total = _size(path, fmt)
        self.position = 0

    def records(self) -> Iterator[SourceRecord]:
        if self.format == "txt":
            yield from self._txt()
            return
        with self.path.open("rb") as raw:
            stream = _decompressed(raw, self.path)
            if self.format == "jsonl":
                yield from self._jsonl(stream, raw)
            elif self.format == "json":
                yield from self._json(stream, raw)
            else:
                yield from self._csv(stream, raw)

    def _jsonl(self, stream: io.BufferedIOBase, raw: io.BufferedIOBase) -> Iterator[SourceRecord]:
        for number, line in enumerate(stream, start=1):
            self.position = raw.tell()
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                value = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield SourceRecord(where, number, error="not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield SourceRecord(where, number, error=f"not JSON ({exc.msg})")
                continue
            yield _object(where, number, value)

    def _json(self, stream: io.BufferedIOBase, raw: io.BufferedIOBase) -> Iterator[SourceRecord]:
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield SourceRecord("file", None, error=f"not UTF-8 ({exc.reason})")
            return
        self.total = len(text)
        decoder = json.JSONDecoder()
        position, line, item = _skip(text, 0), 1, 0
        if not text.startswith("[", position):
            yield SourceRecord("line 1", 1, error="not a JSON array (use --format jsonl?)")
            return
        position = _skip(text, position + 1)
        while position < len(text) and text[position] != "]":
            line += text.count("\n", self.position, position)
            self.position = position
            item += 1
            where = f"item {item} (line {line})"
            try:
                value, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                yield SourceRecord(
                    where, line, error=f"not JSON ({exc.msg}); the rest of the array is unreadable"
                )
                return
            yield _object(where, line, value)
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
        self.position = len(text)

    def _csv(self, stream: io.BufferedIOBase, raw: io.BufferedIOBase) -> Iterator[SourceRecord]:
        # Article bodies are far longer than the csv module's default field limit (128 KiB).
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        # Closing the wrapper closes ``stream`` too, which its owner would do anyway.
        with io.TextIOWrapper(cast(BinaryIO, stream), encoding="utf-8-sig", newline="") as text:
            yield from self._csv_rows(csv.DictReader(text), raw)

    def _csv_rows(
        self, reader: csv.DictReader[str], raw: io.BufferedIOBase
    ) -> Iterator[SourceRecord]:
        start = 2  # the header is line 1
        try:
            for row in reader:
                self.position = raw.tell()
                where = f"line {start}"
                extra = row.pop(None, None)
                if extra:
                    yield SourceRecord(
                        where, start, error=f"{len(extra)} more fields than the header has"
                    )
                else:
                    yield SourceRecord(where, start, data=dict(row))
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            yield SourceRecord(
                f"line {start}", start, error=f"not UTF-8 ({exc.reason}); the rest is unreadable"
            )
        except csv.Error as exc:
            yield SourceRecord(f"line {start}", start, error=f"bad CSV ({exc})")

    def _txt(self) -> Iterator[SourceRecord]:
        for path in _txt_files(self.path):
            name = path.relative_to(self.path).as_posix()
            self.position += 1
            try:
                content = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                yield SourceRecord(name, None, error=f"not UTF-8 ({exc.reason})")
                continue
            if path.suffix.lower() in _HTML_SUFFIXES:
                # a saved page: extracted on load, like POST /v1/articles with `html`
                yield SourceRecord(name, None, data={"html": content})
                continue
            title, _, body = content.partition("\n")
            # The body starts after the title line and the blank lines that set it apart.
            yield SourceRecord(
                name, None, data={"title": title.strip(), "text": body.lstrip("\r\n")}
            )


def detect_format(path: Path) -> Format:
    """The format from the path: a folder is .txt files, else the file name's suffix."""
    if path.is_dir():
        return "txt"
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json"):
        # Some exports call JSON Lines ".json": an array starts with "[".
        with path.open("rb") as raw:
            stream = _decompressed(raw, path)
            head = stream.read(4096).decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
        return "json" if head.startswith("[") else "jsonl"
    raise ValueError(
        f"cannot tell the format of {path.name}: name it .jsonl, .json, .csv (optionally .gz), "
        "or pass --format"
    )


def _object(where: str, line: int, value: Any) -> SourceRecord:
    if not isinstance(value, dict):
        return SourceRecord(where, line, error=f"a JSON {type(value).__name__}, not an object")
    return SourceRecord(where, line, data=value)


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position


def _decompressed(raw: io.BufferedIOBase, path: Path) -> io.BufferedIOBase:
    return gzip.GzipFile(fileobj=raw) if _gzipped(path) else raw


def _gzipped(path: Path) -> bool:
    with path.open("rb") as raw:
        return raw.read(2) == b"\x1f\x8b"


def _txt_files(folder: Path) -> list[Path]:
    suffixes = (".txt", *_HTML_SUFFIXES)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def _size(path: Path, fmt: Format) -> int:
    return len(_txt_files(path)) if fmt == "txt" else path.stat().st_size
