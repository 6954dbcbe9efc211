"""`lens export`: the filtered articles with their annotations, as a file and its manifest.

The articles are found by the API's search (app/services/search.py: the same filters, resolved
and checked the same way) and read in keyset chunks, so memory stays flat whatever the size.
The manifest records what is needed to reproduce or audit the data set: the filters, the
counts, every analysis run (models and settings) that produced the annotations, the database's
schema revision and the file's sha256.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO

from sqlalchemy.orm import Session

from app import __version__
from app.analysis import records
from app.core.config import Settings
from app.core.db import utcnow
from app.models import Article, Quotation
from app.models.article import Sort
from app.repositories import article_search, dataset
from app.repositories.article_search import Position
from app.services import search

ExportFormat = Literal["ndjson", "csv", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("ndjson", "csv", "parquet")
_CHUNK = 500
_CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "outlet",
    "authors",
    "published",
    "published_time_known",
    "language",
    "genre",
    "status",
    "analysis_run_id",
    "analyzed_at",
    "sentiment_label",
    "sentiment_score",
    "sentiment_probabilities",
    "topics",
    "subtopics",
    "actors",
    "quotations",
    "text",
)


# the parts of the annotation records (app/analysis/records.py) an export carries
_TOP_TOPIC_FIELDS = tuple(f for f in records.TOPIC_FIELDS if f != "parent")
_ACTOR_FIELDS = ("salience", "sentiment_label", "sentiment_score")


class ExportError(RuntimeError):
    """The export cannot be written (e.g. Parquet without pyarrow)."""


@dataclass(slots=True)
class ExportSummary:
    articles: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_run: Counter[int] = field(default_factory=Counter)


class _Writer(Protocol):
    def write(self, rows: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


def export(
    session: Session,
    settings: Settings,
    query: search.ArticleQuery,
    fmt: ExportFormat,
    out: Path,
    *,
    include_text: bool = True,
    max_id: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Write the matching articles to ``out`` and the manifest beside it; returns the manifest.

    ``max_id`` (a manifest's ``max_article_id``) leaves out articles stored after it.
    """
    started = utcnow()
    prepared = search.prepare(session, settings, query)
    newest = article_search.max_article_id(session)
    max_id = newest if max_id is None else min(max_id, newest)
    filters = replace(prepared.filters, max_id=max_id)
    writer = _open(fmt, out, include_text)
    summary = ExportSummary()
    try:
        after: Position | None = None
        while True:
            # Oldest first (undated last), then by id: the same file for the same data.
            found = article_search.search(session, filters, Sort.oldest, after, _CHUNK)
            articles = dataset.load(session, [p.id for p in found])
            writer.write([_row(a, include_text, summary) for a in articles])
            session.expunge_all()  # else the identity map keeps every article written so far
            if on_progress is not None:
                on_progress(summary.articles)
            if len(found) < _CHUNK:
                break
            after = found[-1]
    finally:
        writer.close()
    manifest = _manifest(session, query, fmt, out, include_text, summary, max_id, started)
    manifest_path(out).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.json")


def _row(article: Article, include_text: bool, summary: ExportSummary) -> dict[str, Any]:
    summary.articles += 1
    summary.by_status[article.status.value] += 1
    if article.analysis_run_id is not None:
        summary.by_run[article.analysis_run_id] += 1
    sentiment = article.sentiment
    row: dict[str, Any] = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet.name if article.outlet else None,
        "authors": article.author_names,
        "published": article.published,
        "published_time_known": article.published_known,
        "language": article.language,
        "genre": article.genre.value,
        "status": article.status.value,
        "analysis_run_id": article.analysis_run_id,
        "analyzed_at": article.analyzed_at,
        "sentiment_label": sentiment.label if sentiment else None,
        "sentiment_score": sentiment.score if sentiment else None,
        "sentiment_probabilities": sentiment.probabilities if sentiment else None,
        "topics": [records.read(t, _TOP_TOPIC_FIELDS) for t in article.topics if t.parent is None],
        "subtopics": [
            records.read(t, records.TOPIC_FIELDS) for t in article.topics if t.parent is not None
        ],
        "actors": [
            {
                **records.read(a.actor, ("key", "name", "kind")),
                "mentions": a.mention_count,
                **records.read(a, _ACTOR_FIELDS),
            }
            for a in article.actors
        ],
        "quotations": [_quotation(q) for q in article.quotations],
    }
    if include_text:
        row["text"] = article.text
    return row


def _quotation(quotation: Quotation) -> dict[str, Any]:
    """A quotation as exported: offsets into the text, its speaker (key and name, or the name
    written where the speaker is no actor, or null) and the speaker's stance toward each
    target."""
    speaker = quotation.speaker
    return {
        **records.read(quotation, ("start", "end", "kind", "cue", "how")),
        "speaker_key": speaker.key if speaker else None,
        "speaker": speaker.name if speaker else quotation.speaker_name,
        "targets": [
            {"key": t.actor.key, "name": t.actor.name, "label": t.label, "score": t.score}
            for t in quotation.targets
        ],
    }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Dates as in the API: a bare date when the time of day is unknown, else ISO 8601 UTC."""
    published: datetime | None = row["published"]
    rendered = dict(row)
    if published is not None:
        known = row["published_time_known"]
        rendered["published"] = published.isoformat() if known else published.date().isoformat()
    analyzed: datetime | None = row["analyzed_at"]
    rendered["analyzed_at"] = analyzed.isoformat() if analyzed else None
    return rendered


class _NdjsonWriter:
    def __init__(self, out: Path) -> None:
        self.handle: TextIO = out.open("w", encoding="utf-8")

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.handle.writelines(
            json.dumps(_jsonable(row), ensure_ascii=False) + "\n" for row in rows
        )

    def close(self) -> None:
        self.handle.close()


class _CsvWriter:
    """One row per article; lists and objects as JSON text in their cells."""

    def __init__(self, out: Path, include_text: bool) -> None:
        self.handle: TextIO = out.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.columns = [c for c in _CSV_COLUMNS if include_text or c != "text"]
        self.writer.writerow(self.columns)

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            rendered = _jsonable(row)
            self.writer.writerow([_cell(rendered[column]) for column in self.columns])

    def close(self) -> None:
        self.handle.close()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _open(fmt: ExportFormat, out: Path, include_text: bool) -> _Writer:
    if fmt == "ndjson":
        return _NdjsonWriter(out)
    if fmt == "csv":
        return _CsvWriter(out, include_text)
    try:
        from app.services.export_parquet import ParquetWriter
    except ImportError as exc:
        raise ExportError("Parquet needs pyarrow: pip install 'commentary-lens[parquet]'") from exc
    return ParquetWriter(out, include_text)


def _manifest(
    session: Session,
    query: search.ArticleQuery,
    fmt: ExportFormat,
    out: Path,
    include_text: bool,
    summary: ExportSummary,
    max_id: int,
    started: datetime,
) -> dict[str, Any]:
    runs = dataset.runs(session, sorted(summary.by_run))
    return {
        "file": out.name,
        "format": fmt,
        "bytes": out.stat().st_size,
        "sha256": _sha256(out),
        "created_at": started.isoformat(),
        "lens_version": __version__,
        "schema_revision": dataset.schema_revision(session),
        "filters": {
            "actor": list(query.actors),
            "outlet": list(query.outlets),
            "from": query.published_from.isoformat() if query.published_from else None,
            "to": query.published_to.isoformat() if query.published_to else None,
            "status": [s.value for s in query.statuses],
        },
        "order": "published, oldest first (undated last), then id",
        "includes_text": include_text,
        # articles stored after this id were not considered: re-running with it reproduces this
        "max_article_id": max_id,
        "counts": {"articles": summary.articles, "by_status": dict(summary.by_status)},
        "analysis_runs": [
            {
                "id": run.id,
                "fingerprint": run.fingerprint,
                "models": run.models,
                "config": run.config,
                "created_at": run.created_at.isoformat(),
                "articles": summary.by_run[run.id],
            }
            for run in runs
        ],
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
