"""Prometheus metrics: what the API and the workers count, and the registry /metrics serves.

The metric objects are module-level, as prometheus_client intends: a process has one set, and
the API's embedded worker and its HTTP middleware both write to it. The queue depth is not kept
in the process at all; it is counted in the database at scrape time (see QueueDepthCollector).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

logger = logging.getLogger(__name__)

# Ours alone (not prometheus_client's global REGISTRY), so imported libraries add nothing.
REGISTRY = CollectorRegistry()
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

# The query latency targets (50 ms pages, 250 ms timelines) are bucket edges.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_ANALYSIS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)

HTTP_REQUESTS = Counter(
    "lens_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "lens_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by method and route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
ARTICLES_ANALYSED = Counter(
    "lens_articles_analysed",
    "Articles whose analysis was committed (marked done) by this process's workers.",
    registry=REGISTRY,
)
ANALYSIS_FAILURES = Counter(
    "lens_article_analysis_failures",
    "Failed analysis attempts; the article is retried until LENS_MAX_ATTEMPTS, then failed.",
    registry=REGISTRY,
)
WEBHOOKS_SENT = Counter(
    "lens_webhook_attempts",
    "Webhook POSTs attempted by this process's workers (each retry counts).",
    registry=REGISTRY,
)
ANALYSIS_SECONDS = Histogram(
    "lens_analysis_seconds_per_article",
    "Model time per article: each batch's analysis time divided by its size.",
    buckets=_ANALYSIS_BUCKETS,
    registry=REGISTRY,
)
WORKER_BATCH_SIZE = Histogram(
    "lens_worker_batch_size",
    "Articles per claimed batch.",
    buckets=_BATCH_BUCKETS,
    registry=REGISTRY,
)
MODEL_LOAD_SECONDS = Gauge(
    "lens_model_load_seconds",
    "How long this process took to load its analysis models.",
    registry=REGISTRY,
)


class QueueDepthCollector(Collector):
    """Articles by status, counted in the database when scraped (one GROUP BY)."""

    def __init__(self, count_by_status: Callable[[], Mapping[str, int]]) -> None:
        self._count_by_status = count_by_status

    def collect(self) -> Iterable[Metric]:
        try:
            counts = self._count_by_status()
        except (DBAPIError, PoolTimeoutError) as exc:
            # The rest of the scrape is still worth having; the gap in this series says enough.
            logger.warning("queue depth not collected: %s", str(exc).splitlines()[0])
            return
        family = GaugeMetricFamily(
            "lens_queue_articles", "Articles in the database by status.", labels=["status"]
        )
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family


class _Forward(Collector):
    """Everything in another registry; lets a per-database registry include the process one."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self._registry.collect()


def scrape_registry(count_by_status: Callable[[], Mapping[str, int]]) -> CollectorRegistry:
    """The process's metrics plus the queue depth of this database (``count_by_status``, e.g.
    app/services/health.py's queue_depth): what /metrics serves."""
    registry = CollectorRegistry()
    # Neither collector has describe(), so registering them runs no query and checks no names.
    registry.register(_Forward(REGISTRY))
    registry.register(QueueDepthCollector(count_by_status))
    return registry
