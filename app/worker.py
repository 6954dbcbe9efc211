"""The analysis worker: claim pending articles, analyse them, commit their annotations.

The database is the queue (see app/repositories/queue.py). Models are loaded once per process,
before the loop starts. Only this loop and the request dependency commit.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.loader import AnalyzerLoader
from app.analysis.types import Analysis, Analyzer
from app.core import metrics, search_index
from app.core.config import Settings
from app.core.db import utcnow
from app.errors import describe
from app.repositories import queue
from app.repositories.queue import Claimed
from app.services import annotate, deliveries, search
from app.services.health import MODELS_LOADED

logger = logging.getLogger(__name__)


def worker_id() -> str:
    """Unique per worker: host, process and a random part (several threads may share a pid)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Drains the queue with one analyzer; safe to run many side by side on PostgreSQL."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        analyzer: Analyzer,
        settings: Settings,
        *,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.analyzer = analyzer
        self.settings = settings
        self.owner = owner or worker_id()
        self.clock = clock
        self._run_id: int | None = None
        self._synced = -math.inf

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; the batch in hand is finished or released first.

        The subscriptions' webhooks go out from a thread of their own (deliver_loop), so a slow
        receiver never holds up the analysis, nor a long batch the webhooks.
        """
        logger.info("worker %s started", self.owner)
        sender = threading.Thread(
            target=self.deliver_loop, args=(stop,), name="lens-deliveries", daemon=True
        )
        sender.start()
        try:
            self._analysis_loop(stop)
        finally:
            stop.set()
            sender.join()
        logger.info("worker %s stopped", self.owner)

    def deliver_loop(self, stop: threading.Event) -> None:
        """Send due webhooks until ``stop`` is set; wait a poll interval when none were due."""
        while not stop.is_set():
            if self.deliver_safely() < self.settings.webhook_batch_size:
                stop.wait(self.settings.worker_poll_seconds)

    def _analysis_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                handled = self.run_once(stop)
            except (DBAPIError, PoolTimeoutError) as exc:
                # The database is down or restarting: our leases expire, nothing is lost.
                logger.warning("worker %s: database error, retrying: %s", self.owner, exc.args[0])
                handled = 0
            except Exception:
                # A bug must not silently end the loop; the batch's leases expire and it is retried.
                logger.exception("worker %s: batch failed", self.owner)
                handled = 0
            self.sync_search_index()
            if handled == 0:
                stop.wait(self.settings.worker_poll_seconds)

    def sync_search_index(self) -> None:
        """Add newly stored articles to the search index (LENS_SEARCH_INDEX), every few seconds.

        Its errors are logged, never fatal: the index is derived data, and the next sync (or
        `lens search-index sync`) catches up.
        """
        folder = self.settings.search_index
        if folder is None or time.monotonic() - self._synced < search_index.SYNC_SECONDS:
            return
        self._synced = time.monotonic()
        try:
            added = search.sync_index(search_index.open_index(folder), self.session_factory)
        except Exception:
            logger.exception("worker %s: search index sync failed", self.owner)
            return
        if added:
            logger.info("worker %s: %d articles added to the search index", self.owner, added)

    def deliver_safely(self) -> int:
        """deliver_once(), its errors logged: the deliveries stay leased and are sent again."""
        try:
            return self.deliver_once()
        except (DBAPIError, PoolTimeoutError) as exc:
            logger.warning("worker %s: database error, retrying: %s", self.owner, exc.args[0])
        except Exception:
            logger.exception("worker %s: deliveries failed", self.owner)
        return 0

    def deliver_once(self) -> int:
        """Send the subscriptions' due webhooks: claim, POST (outside a transaction), record."""
        with self.session_factory() as session, session.begin():
            batch = deliveries.claim(session, self.settings, owner=self.owner, now=self.clock())
        if not batch:
            return 0
        sent = deliveries.send(self.settings, batch, self.clock())
        with self.session_factory() as session, session.begin():
            deliveries.record(session, sent, owner=self.owner, now=self.clock())
        metrics.WEBHOOKS_SENT.inc(len(sent))
        return len(batch)

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim, analyse and store one batch; returns how many articles it settled."""
        batch, given_up = self.claim()
        if not batch:
            return given_up
        if stop is not None and stop.is_set():
            self.release(batch)
            return given_up
        metrics.WORKER_BATCH_SIZE.observe(len(batch))
        start = time.perf_counter()
        results, errors = self.analyze(batch)
        per_article = (time.perf_counter() - start) / len(batch)
        for _ in batch:
            metrics.ANALYSIS_SECONDS.observe(per_article)
        self.store(results, errors)
        return given_up + len(batch)

    def claim(self) -> tuple[list[Claimed], int]:
        """Lease a batch in a short write transaction of its own."""
        now = self.clock()
        with self.session_factory() as session, session.begin():
            return queue.claim(
                session,
                owner=self.owner,
                now=now,
                lease_until=now + timedelta(seconds=self.settings.worker_lease_seconds),
                limit=self.settings.worker_batch_size,
                max_attempts=self.settings.max_attempts,
            )

    def release(self, batch: list[Claimed]) -> None:
        with self.session_factory() as session, session.begin():
            queue.release(session, owner=self.owner, article_ids=[c.article_id for c in batch])

    def analyze(self, batch: list[Claimed]) -> tuple[dict[int, Analysis], dict[int, str]]:
        """Analyses by article id, and errors for those that failed.

        If the batch call fails, each text is retried alone, so only the article at fault is
        charged the attempt.
        """
        try:
            outputs = self.analyzer.analyze([c.text for c in batch], [c.title for c in batch])
            if len(outputs) != len(batch):
                raise RuntimeError(
                    f"analyze returned {len(outputs)} results for {len(batch)} texts"
                )
        except Exception as exc:
            if len(batch) == 1:
                return {}, {batch[0].article_id: describe(exc)}
            logger.warning("batch of %d failed (%s); analysing one by one", len(batch), exc)
            results: dict[int, Analysis] = {}
            errors: dict[int, str] = {}
            for claimed in batch:
                one, error = self.analyze([claimed])
                results.update(one)
                errors.update(error)
            return results, errors
        results, errors = {}, {}
        for claimed, analysis in zip(batch, outputs, strict=True):
            try:
                annotate.check(analysis, claimed.text)
            except annotate.InvalidAnalysisError as exc:
                errors[claimed.article_id] = describe(exc)
            else:
                results[claimed.article_id] = analysis
        return results, errors

    def store(self, results: dict[int, Analysis], errors: dict[int, str]) -> None:
        """One transaction: annotations of the batch written and marked done, failures charged."""
        now = self.clock()
        try:
            with self.session_factory() as session, session.begin():
                run_id = self._run_id or annotate.ensure_run(session, self.analyzer, now)
                written = annotate.store(
                    session,
                    owner=self.owner,
                    run_id=run_id,
                    now=now,
                    results=results,
                    settings=self.settings,
                )
                for article_id, error in errors.items():
                    logger.warning("article %d: analysis failed: %s", article_id, error)
                    queue.fail(
                        session,
                        owner=self.owner,
                        article_id=article_id,
                        error=error,
                        max_attempts=self.settings.max_attempts,
                    )
        except Exception:
            # The cached run row may be what failed: a database restored from a backup, or
            # failed over to a replica that had not received it. Look it up again next time,
            # or the worker would fail every batch until restarted.
            self._run_id = None
            raise
        # Cached only once committed: a rolled-back run row must be recorded again.
        self._run_id = run_id
        metrics.ARTICLES_ANALYSED.inc(len(written))
        metrics.ANALYSIS_FAILURES.inc(len(errors))
        if lost := set(results) - written:
            logger.warning(
                "worker %s: leases taken over, not written: %s", self.owner, sorted(lost)
            )


class EmbeddedWorker:
    """The API process's own worker thread (the embedded default): load models, then drain."""

    def __init__(
        self, settings: Settings, session_factory: sessionmaker[Session], load: AnalyzerLoader
    ) -> None:
        self.state = "loading"
        # shared with POST /v1/analyze once loaded (app/services/analyze.py)
        self.analyzer: Analyzer | None = None
        self._settings = settings
        self._session_factory = session_factory
        self._load = load
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="lens-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to stop and wait for the batch in hand (its lease bounds the wait)."""
        self._stop.set()
        self._thread.join(timeout if timeout is not None else self._settings.worker_lease_seconds)

    def _main(self) -> None:
        try:
            with metrics.MODEL_LOAD_SECONDS.time():
                analyzer = self._load(self._settings)
        except Exception as exc:
            self.state = f"failed: {describe(exc)}"
            logger.exception("the analysis models failed to load; articles stay pending")
            return
        self.analyzer = analyzer
        self.state = MODELS_LOADED
        Worker(self._session_factory, analyzer, self._settings).run(self._stop)
