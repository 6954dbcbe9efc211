"""Bulk loading into PostgreSQL for scripts/bench/bench_query.py: indexes built once, two writers.

A fresh load of a million articles spends its time in three places: per-row maintenance of the
indexes (random inserts into B-trees far larger than shared_buffers, each a full-page image in the
WAL after every checkpoint), per-row foreign key checks, and the ``articles.search_vector``
generated column (to_tsvector of every text, CPU-bound in the backend). So:

- :func:`defer_indexes` drops the indexes, primary keys, unique and foreign key constraints of the
  tables about to be filled (saving their definitions from the catalogue); :func:`rebuild` puts
  them back afterwards, each built in one pass (sorted, parallel B-tree builds), foreign keys
  validated against all rows. The schema ends as the migrations made it.
- :func:`copy_chunks` writes the articles through two connections at once, so two backends
  compute tsvectors on the two cores, and the rows that refer to them through a third, in load
  order, while this process generates the next chunks.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Generic
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn
from rich.progress import MofNCompleteColumn
from rich.progress import Progress
from rich.progress import TaskProgressColumn
from rich.progress import TextColumn
from rich.progress import TimeElapsedColumn
from rich.progress import TimeRemainingColumn
from sqlalchemy import Engine

WRITERS = 2
# per session: index builds sort in memory; the hash joins of the foreign key checks fit
_BUILD_SETTINGS = (
    "SET maintenance_work_mem = '1GB'",
    "SET max_parallel_maintenance_workers = 2",
    "SET work_mem = '256MB'",
)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Deferred:
    """What :func:`defer_indexes` dropped, as the statements that recreate it, in three steps."""

    indexes: list[tuple[str, str]]  # (table, CREATE INDEX): all of them, keys' indexes too
    attach: list[str]  # ADD the primary keys and unique constraints (USING their index), and
    # the foreign keys NOT VALID: catalogue changes, quick
    validate: list[tuple[str, str]]  # (table, VALIDATE CONSTRAINT): the foreign keys' checks


def defer_indexes(connection: Any, tables: Sequence[str]) -> Deferred:
    """Drop every index and key of ``tables`` (and the foreign keys that reference them), in one
    transaction; return the statements that recreate them."""
    cursor = connection.cursor()
    names = list(tables)
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' "
        "AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) ORDER BY 1, 2",
        (names, names),
    )
    references = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid), "
        "contype, condeferrable, conindid::regclass::text, pg_get_indexdef(conindid) "
        "FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid = ANY(%s::regclass[]) "
        "ORDER BY 1, 2",
        (names,),
    )
    constraints = cursor.fetchall()
    cursor.execute(  # the indexes that back no constraint
        "SELECT x.indrelid::regclass::text, x.indexrelid::regclass::text, "
        "pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
        "AND c.conrelid = x.indrelid) ORDER BY 1, 2",
        (names,),
    )
    indexes = [(table, definition) for table, _name, definition in cursor.fetchall()]
    attach = []
    for table, name, definition, kind, deferrable, index, index_definition in constraints:
        if deferrable or index != name:  # built by ADD CONSTRAINT itself, as the migration did
            attach.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            continue
        indexes.append((table, index_definition))
        key = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        attach.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {key} USING INDEX {index}")
    attach += [f"ALTER TABLE {t} ADD CONSTRAINT {n} {d} NOT VALID" for t, n, d in references]
    for table, name, *_ in references + constraints:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    cursor.execute(  # what is left
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = ANY(%s::regclass[])",
        (names,),
    )
    for (index,) in cursor.fetchall():
        cursor.execute(f"DROP INDEX {index}")
    connection.commit()
    return Deferred(
        indexes=indexes,
        attach=attach,
        validate=[(t, f"ALTER TABLE {t} VALIDATE CONSTRAINT {n}") for t, n, _ in references],
    )


def rebuild(engine: Engine, deferred: Deferred) -> None:
    """Recreate what :func:`defer_indexes` dropped. Each index is built in one pass (sorted;
    B-trees by parallel workers), two at a time on two connections (CREATE INDEX runs beside
    another on the same table), the GIN index, the slowest, first and the others largest table
    first; then the keys are attached to their indexes, and the foreign keys added and checked
    against all rows, also two at a time."""
    started = time.perf_counter()
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        tables = sorted({t for t, _ in deferred.indexes + deferred.validate})
        cursor.execute(
            "SELECT t, pg_table_size(t::regclass) FROM unnest(%s::text[]) AS t", (tables,)
        )
        sizes = dict(cursor.fetchall())
        connection.commit()

        def order(item: tuple[str, str]) -> tuple[bool, int]:
            table, statement = item
            return ("USING gin" not in statement, -sizes.get(table, 0))

        _run_all(engine, sorted(deferred.indexes, key=order), "indexes")
        print(f"adding {len(deferred.attach)} constraints", flush=True)
        for statement in deferred.attach:
            cursor.execute(statement)
        connection.commit()
        _run_all(engine, sorted(deferred.validate, key=order), "foreign key checks")
    finally:
        connection.close()
    print(f"rebuilt in {time.perf_counter() - started:.0f} s", flush=True)


def _run_all(engine: Engine, statements: list[tuple[str, str]], what: str) -> None:
    print(f"{len(statements)} {what}", flush=True)
    pending: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
    for item in statements:
        pending.put(item)

    def work(connection: Any) -> None:
        cursor = connection.cursor()
        while True:
            try:
                _table, statement = pending.get_nowait()
            except queue.Empty:
                return
            began = time.perf_counter()
            cursor.execute(statement)
            connection.commit()
            print(f"  {time.perf_counter() - began:7.1f} s  {statement}", flush=True)

    _in_threads(engine, [work] * min(WRITERS, len(statements)), _BUILD_SETTINGS)


@dataclass(slots=True)
class _Job(Generic[T]):
    chunk: T
    settled: threading.Event = field(default_factory=threading.Event)  # its first part is
    written: bool = False  # committed, or skipped: the load stops

    def settle(self, written: bool) -> None:
        self.written = written
        self.settled.set()


def copy_chunks(
    engine: Engine,
    chunks: Iterable[T],
    first: Callable[[Any, T], int],
    rest: Callable[[Any, T], None],
    total: int,
) -> None:
    """Write each chunk in two parts, each committed: ``first(cursor, chunk)`` (the articles, the
    costly part; it returns their number) through ``WRITERS`` connections at once, ``rest`` (the
    rows that refer to them) through one more connection, chunk after chunk and each once its
    first part is in. That connection appends to its tables in the order of a sequential load, so
    they end up laid out as such a load lays them out (a roll-up's floating-point sums follow that
    order). A load cut short stops at whole chunks. This thread generates."""
    jobs: queue.Queue[_Job[T] | None] = queue.Queue(maxsize=WRITERS)
    ordered: queue.Queue[_Job[T] | None] = queue.Queue(maxsize=2 * WRITERS)
    stop = threading.Event()
    progress = _Progress(total)
    firsts: list[threading.Thread] = []

    def write_first(connection: Any) -> None:
        cursor = connection.cursor()
        while (job := jobs.get()) is not None:
            if stop.is_set():
                job.settle(False)  # drain, so that the producer never blocks
                continue
            try:
                articles = first(cursor, job.chunk)
                connection.commit()
            except BaseException:
                stop.set()
                job.settle(False)
                raise
            job.settle(True)
            progress.advance(articles)

    def write_rest(connection: Any) -> None:
        cursor = connection.cursor()
        while (job := ordered.get()) is not None:
            # when stopping, still the rest of the chunks whose articles are in
            while not job.settled.wait(0.5):
                if stop.is_set() and not any(thread.is_alive() for thread in firsts):
                    break
            if not job.written:
                continue
            try:
                rest(cursor, job.chunk)
                connection.commit()
            except BaseException:
                stop.set()
                raise

    settings = ("SET synchronous_commit = off",)
    with progress:
        firsts[:], errors = _start(engine, [write_first] * WRITERS, settings)
        rests, more = _start(engine, [write_rest], settings)
        try:
            for chunk in chunks:
                job = _Job(chunk)
                if not _put(ordered, job, stop):
                    break
                if not _put(jobs, job, stop):
                    job.settle(False)
                    break
            _end(jobs, firsts)
            _end(ordered, rests)
        except BaseException:
            stop.set()  # the writers finish the chunk they are writing, then drain their queues
            _end(jobs, firsts)
            _end(ordered, rests)
            raise
        if errors or more:
            raise (errors + more)[0]


def _put(jobs: queue.Queue[_Job[T] | None], job: _Job[T], stop: threading.Event) -> bool:
    """Queue the job, unless the load stops (its writers may be gone)."""
    while not stop.is_set():
        try:
            jobs.put(job, timeout=0.5)
        except queue.Full:
            continue
        return True
    return False


def _end(jobs: queue.Queue[_Job[T] | None], threads: list[threading.Thread]) -> None:
    # a None ends a writer; one that failed takes none
    while any(thread.is_alive() for thread in threads):
        with contextlib.suppress(queue.Full):
            jobs.put(None, timeout=0.5)
    for thread in threads:
        thread.join()


def _in_threads(
    engine: Engine, workers: list[Callable[[Any], None]], settings: Sequence[str]
) -> None:
    threads, errors = _start(engine, workers, settings)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _start(
    engine: Engine, workers: list[Callable[[Any], None]], settings: Sequence[str]
) -> tuple[list[threading.Thread], list[BaseException]]:
    """One thread and one connection for each worker; the exceptions they end with."""
    errors: list[BaseException] = []

    def run(worker: Callable[[Any], None]) -> None:
        try:
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                for setting in settings:
                    cursor.execute(setting)
                connection.commit()
                worker(connection)
            finally:
                connection.invalidate()  # closed, not pooled: it carries the settings
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    return threads, errors


class _Progress:
    """A progress bar with the rate on a terminal; a line per chunk with the rates otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self.last = (self.started, 0)
        self.lock = threading.Lock()
        self.console = Console()
        self.bar: Progress | None = None
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("copying"),
                BarColumn(bar_width=30),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[rate]} articles/s"),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self.task = self.bar.add_task("copy", total=total, rate="-")

    def __enter__(self) -> _Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, failed: object, *_exc: object) -> None:
        if self.bar:
            self.bar.stop()
        elapsed = time.perf_counter() - self.started
        print(
            f"{'stopped after' if failed else 'copied'} {self.done} articles in {elapsed:.0f} s "
            f"({self.done / max(elapsed, 1e-9):.0f} articles/s)",
            flush=True,
        )

    def advance(self, articles: int) -> None:
        with self.lock:
            self.done += articles
            now = time.perf_counter()
            rate = self.done / max(now - self.started, 1e-9)
            if self.bar:
                self.bar.update(self.task, advance=articles, rate=f"{rate:.0f}")
                return
            then, before = self.last
            self.last = (now, self.done)
            recent = (self.done - before) / max(now - then, 1e-9)
            left = (self.total - self.done) / max(rate, 1e-9)
            print(
                f"  {self.done:>9} articles  {rate:6.0f}/s overall, {recent:6.0f}/s lately, "
                f"{now - self.started:6.0f} s, eta {left:5.0f} s",
                flush=True,
            )
