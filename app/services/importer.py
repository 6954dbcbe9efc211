"""Bulk import: read a dump, map and validate each row, load the good ones in chunks.

Rows go either straight into the database, through the ingest service's bulk path
(`ingest.ingest_many`: the API's validation, normalisation and idempotency), or to a running
server's POST /v1/articles/batch. A bad row is set aside with its line number and reasons; it
never stops the import. Loading is idempotent: a re-run stores nothing twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.schemas.ingest import ArticleIn
from app.services import ingest
from app.services.import_records import FieldMap, convert
from app.services.import_sources import Source, SourceRecord

# What a sink did with one article: True stored, False already stored, str why it was refused.
Outcome = bool | str

_API_MAX_BYTES = 4 * 1024 * 1024  # half the server's default body limit
_API_RETRIES = 4
_PROGRESS_EVERY = 100


class ImportAbortedError(RuntimeError):
    """The destination cannot take any more rows (database or server down, key refused)."""


class Sink(Protocol):
    def send(self, articles: Sequence[ArticleIn]) -> list[Outcome]: ...


@dataclass(frozen=True, slots=True)
class Reject:
    where: str
    line: int | None
    reasons: list[str]
    id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"where": self.where, "line": self.line, "id": self.id, "reasons": self.reasons}


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    rejects: list[Reject] = field(default_factory=list)
    # (where, what was tidied): e.g. a date kept as unknown
    notes: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return self.created + self.duplicates


ProgressCallback = Callable[[ImportReport], None]


def run_import(
    source: Source,
    fields: FieldMap,
    sink: Sink,
    settings: Settings,
    *,
    chunk_size: int = 500,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Read every record of ``source`` and load the valid ones through ``sink``."""
    report = ImportReport()
    started = time.perf_counter()
    chunk: list[tuple[SourceRecord, ArticleIn]] = []
    for record in source.records():
        report.rows += 1
        article = _prepare(record, fields, settings, report)
        if article is not None:
            chunk.append((record, article))
        sent = len(chunk) >= chunk_size
        if sent:
            _send(sink, chunk, report)
            chunk = []
        if on_progress is not None and (sent or report.rows % _PROGRESS_EVERY == 0):
            report.seconds = time.perf_counter() - started
            on_progress(report)
    if chunk:
        _send(sink, chunk, report)
    report.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress(report)
    return report


class DatabaseSink:
    """Loads through ingest.ingest_many; like the worker loop, it owns its transactions.

    One transaction per chunk: a crash loses at most the chunk in hand, and a re-run skips
    what was committed.
    """

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings) -> None:
        self.session_factory = session_factory
        self.settings = settings

    def send(self, articles: Sequence[ArticleIn]) -> list[Outcome]:
        try:
            with self.session_factory() as session, session.begin():
                results = ingest.ingest_many(session, self.settings, articles)
                return [r.error if r.error is not None else r.created for r in results]
        except (IntegrityError, DataError) as exc:
            # A row the database refuses although it passed validation: halve until it is alone.
            if len(articles) == 1:
                return [f"refused by the database: {str(exc.orig).strip().splitlines()[0]}"]
            middle = len(articles) // 2
            return self.send(articles[:middle]) + self.send(articles[middle:])


class ApiSink:
    """Loads through a running server's POST /v1/articles/batch."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        max_bytes: int = _API_MAX_BYTES,
        retries: int = _API_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.retries = retries
        self.sleep = sleep

    @classmethod
    def connect(cls, url: str, key: str | None, *, timeout: float = 120.0) -> ApiSink:
        # The API keys are a later issue; a bearer token is the header they are expected to use.
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)
        return cls(client, retries=_API_RETRIES)

    def close(self) -> None:
        self.client.close()

    def send(self, articles: Sequence[ArticleIn]) -> list[Outcome]:
        bodies = [a.model_dump(mode="json", exclude_unset=True) for a in articles]
        outcomes: list[Outcome] = []
        for start, end in _byte_batches(
            [len(json.dumps(b, ensure_ascii=False).encode()) for b in bodies], self.max_bytes
        ):
            outcomes += self._post(bodies[start:end])
        return outcomes

    def _post(self, bodies: list[dict[str, Any]]) -> list[Outcome]:
        response = self._request({"articles": bodies})
        if response.status_code in (200, 202):
            return [bool(item["created"]) for item in response.json()["items"]]
        if response.status_code == 422 and (refused := _refused(response.json(), len(bodies))):
            # The batch is all or nothing: set the refused articles aside, send the others again.
            outcomes: list[Outcome] = [f"refused by the server: {r}" for r in refused.values()]
            rest = [i for i in range(len(bodies)) if i not in refused]
            resent = self._post([bodies[i] for i in rest]) if rest else []
            by_index = dict(zip(refused, outcomes, strict=True)) | dict(
                zip(rest, resent, strict=True)
            )
            return [by_index[i] for i in range(len(bodies))]
        if response.status_code in (413, 422) and len(bodies) > 1:
            middle = len(bodies) // 2
            return self._post(bodies[:middle]) + self._post(bodies[middle:])
        if response.status_code in (413, 422):
            return [f"refused by the server ({response.status_code}): {_detail(response)}"]
        raise ImportAbortedError(
            f"the server answered {response.status_code} to POST /v1/articles/batch: "
            f"{_detail(response)}"
        )

    def _request(self, payload: dict[str, Any]) -> httpx.Response:
        delay = 1.0
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post("/v1/articles/batch", json=payload)
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise ImportAbortedError(f"cannot reach the server: {exc}") from exc
            else:
                if response.status_code not in (429, 502, 503, 504) or attempt == self.retries:
                    return response
                delay = float(response.headers.get("Retry-After", delay))
            self.sleep(delay)
            delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")


def _prepare(
    record: SourceRecord, fields: FieldMap, settings: Settings, report: ImportReport
) -> ArticleIn | None:
    if record.data is None:
        report.rejects.append(Reject(record.where, record.line, [record.error or "unreadable"]))
        return None
    converted = convert(record.data, fields, settings)
    report.notes += [(record.where, note) for note in converted.notes]
    if converted.article is None:
        report.rejects.append(
            Reject(record.where, record.line, converted.errors, _row_id(record.data))
        )
    return converted.article


def _send(sink: Sink, chunk: list[tuple[SourceRecord, ArticleIn]], report: ImportReport) -> None:
    outcomes = sink.send([article for _, article in chunk])
    for (record, _), outcome in zip(chunk, outcomes, strict=True):
        if outcome is True:
            report.created += 1
        elif outcome is False:
            report.duplicates += 1
        else:
            report.rejects.append(
                Reject(record.where, record.line, [outcome], _row_id(record.data or {}))
            )


def _row_id(data: dict[str, Any]) -> str | None:
    value = data.get("id")
    return str(value) if isinstance(value, str | int) else None


def _byte_batches(sizes: list[int], max_bytes: int) -> list[tuple[int, int]]:
    batches: list[tuple[int, int]] = []
    start, total = 0, 0
    for index, size in enumerate(sizes):
        if index > start and total + size > max_bytes:
            batches.append((start, index))
            start, total = index, 0
        total += size
    if start < len(sizes):
        batches.append((start, len(sizes)))
    return batches


def _refused(problem: Any, count: int) -> dict[int, str]:
    """Article index -> reasons, from a 422 problem's errors (loc body.articles.INDEX...)."""
    refused: dict[int, list[str]] = {}
    for error in problem.get("errors", []) if isinstance(problem, dict) else []:
        loc = error.get("loc", [])
        if loc[:2] == ["body", "articles"] and len(loc) >= 3 and loc[2] in range(count):
            where = ".".join(map(str, loc[3:])) or "article"
            refused.setdefault(loc[2], []).append(f"{where}: {error.get('msg', '')}")
    return {index: "; ".join(reasons) for index, reasons in refused.items()}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", body))[:500] if isinstance(body, dict) else str(body)[:200]
