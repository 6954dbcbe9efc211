"""`lens analyze`: drain the queue in the foreground, in this process or in N worker processes.

Each process runs its own app.worker.Worker (its own models, its own connections), so this is
the worker loop, run until nothing is left to claim instead of until a signal. A shared budget
makes ``--limit`` hold across processes. On SIGINT/SIGTERM every process finishes (or hands
back) the batch in hand, then stops.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import SpawnContext
from types import FrameType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analyzer
from app.core.config import Settings
from app.worker import Worker

Loader = Callable[[Settings], Analyzer]
# What a process tells the one that draws the bar: ("loaded", 0) once, then ("settled", n).
Message = tuple[str, int]


class Budget:
    """How many more articles may be claimed, shared by every process (None: no limit)."""

    def __init__(self, limit: int | None, context: SpawnContext | None = None) -> None:
        self._value: Any = (context or multiprocessing.get_context("spawn")).Value(
            "q", -1 if limit is None else limit
        )

    def take(self, wanted: int) -> int:
        with self._value.get_lock():
            left = int(self._value.value)
            if left < 0:
                return wanted
            granted = min(wanted, left)
            self._value.value = left - granted
            return granted

    def give_back(self, unused: int) -> None:
        with self._value.get_lock():
            if self._value.value >= 0:
                self._value.value += unused


def drain(
    worker: Worker, stop: threading.Event, budget: Budget, on_settled: Callable[[int], None]
) -> int:
    """Claim and analyse batches until the queue has nothing claimable, the budget is spent or
    ``stop`` is set; returns the number of articles settled (done, or charged a failed attempt).
    """
    batch_size = worker.settings.worker_batch_size
    total = 0
    while not stop.is_set():
        granted = budget.take(batch_size)
        if granted == 0:
            break
        if granted != worker.settings.worker_batch_size:
            worker.settings = worker.settings.model_copy(update={"worker_batch_size": granted})
        handled = worker.run_once(stop)
        budget.give_back(granted - handled)
        if handled == 0:
            break
        total += handled
        on_settled(handled)
    return total


def run_here(
    session_factory: sessionmaker[Session],
    analyzer: Analyzer,
    settings: Settings,
    budget: Budget,
    on_settled: Callable[[int], None],
) -> int:
    """Drain in this process; Ctrl-C or SIGTERM stops after the batch in hand."""
    stop = threading.Event()
    with on_signals(stop.set):
        return drain(Worker(session_factory, analyzer, settings), stop, budget, on_settled)


@dataclass(slots=True)
class Pool:
    """N worker processes draining together; messages arrive on ``messages``."""

    processes: Sequence[multiprocessing.process.BaseProcess]
    messages: Any

    @classmethod
    def start(
        cls, count: int, settings: Settings, analyzer_spec: str | None, budget: Budget
    ) -> Pool:
        settings = child_settings(settings, count)
        # spawn, not fork: each child starts clean (no copied connections or torch threads).
        context = multiprocessing.get_context("spawn")
        messages = context.Queue()
        processes = [
            context.Process(
                target=_child,
                args=(settings, analyzer_spec, budget, messages),
                name=f"lens-analyze-{index}",
            )
            for index in range(count)
        ]
        for process in processes:
            process.start()
        return cls(processes, messages)

    def receive(self, timeout: float) -> Message | None:
        try:
            message: Message = self.messages.get(timeout=timeout)
        except queue_module.Empty:
            return None
        return message

    def alive(self) -> bool:
        return any(p.is_alive() for p in self.processes)

    def stop(self) -> None:
        """Ask every process to finish the batch in hand and stop (SIGTERM)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()

    def join(self) -> list[int]:
        """Exit codes of the processes, once they have all ended."""
        for process in self.processes:
            process.join()
        return [p.exitcode if p.exitcode is not None else 1 for p in self.processes]


def child_settings(settings: Settings, count: int) -> Settings:
    """The settings of each of ``count`` worker processes: the cores shared out between them
    (`Settings.threads_for`) unless LENS_TORCH_THREADS says otherwise.

    Each process would otherwise take every core for its models' threads: on two cores, two
    processes of two threads each analysed 1.3 articles/s, two of one thread 3.5, one process
    1.9 with one thread or two (docs/benchmarks.md, scripts/bench/bench_workers.py).
    """
    return settings.threads_for(count)


def _child(settings: Settings, analyzer_spec: str | None, budget: Budget, messages: Any) -> None:
    from app.analysis.loader import load_analyzer_from
    from app.core.db import create_db_engine, create_session_factory

    # Ctrl-C reaches the whole process group, and the parent forwards SIGTERM: either way,
    # finish the batch in hand, like `lens worker`.
    stop = threading.Event()
    with on_signals(stop.set):
        analyzer = load_analyzer_from(settings, analyzer_spec)
        messages.put(("loaded", 0))
        engine = create_db_engine(settings.database_url)
        try:
            worker = Worker(create_session_factory(engine), analyzer, settings)
            drain(worker, stop, budget, lambda n: messages.put(("settled", n)))
        finally:
            engine.dispose()


@contextmanager
def on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """Call ``stop`` on SIGINT or SIGTERM while inside; the previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop()

    previous = {
        signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
