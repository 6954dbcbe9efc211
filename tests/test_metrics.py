"""GET /metrics: request counts and latencies by route template, queue depth, worker metrics."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from functools import partial
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client import start_http_server
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from app.analysis.types import Analyzer
from app.core import metrics
from app.core.config import Settings
from app.main import create_app
from app.services.health import queue_depth
from app.worker import Worker
from tests.conftest import article_payload, make_settings
from tests.fakes import FakeAnalyzer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    before = scrape(client)

    client.get("/v1/articles/101")
    client.get("/v1/articles/202")
    client.get("/no/such/page/4711")
    after = scrape(client)

    template = {"method": "GET", "route": "/v1/articles/{article_id}"}
    assert (
        value(after, "lens_http_requests_total", status="404", **template)
        - value(before, "lens_http_requests_total", status="404", **template)
        == 2
    )
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert value(after, "lens_http_requests_total", **unmatched) >= 1
    assert not any("4711" in str(labels) or "101" in str(labels) for _, labels in after)
    count = "lens_http_request_duration_seconds_count"
    assert value(after, count, **template) - value(before, count, **template) == 2
    bucket = {"le": "+Inf", **template}
    assert value(after, "lens_http_request_duration_seconds_bucket", **bucket) >= 2


def test_the_queue_depth_is_counted_in_the_database(client: TestClient) -> None:
    for i in range(3):
        client.post("/v1/articles", json=article_payload(text=f"Moscow and Beijing, take {i}."))

    samples = scrape(client)

    assert value(samples, "lens_queue_articles", status="pending") == 3
    assert value(samples, "lens_queue_articles", status="done") == 0
    assert value(samples, "lens_queue_articles", status="failed") == 0


def test_worker_metrics_follow_an_analysed_and_a_failed_article(
    client: TestClient, session_factory: sessionmaker[Session], database_url: str
) -> None:
    client.post("/v1/articles", json=article_payload(text="India met NATO."))
    client.post("/v1/articles", json=article_payload(text="FAIL-ME, said Moscow."))
    before = scrape(client)

    settings = make_settings(database_url, max_attempts=1)
    assert Worker(session_factory, FakeAnalyzer(), settings).run_once() == 2
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lens_articles_analysed_total") == 1
    assert delta("lens_article_analysis_failures_total") == 1
    assert delta("lens_analysis_seconds_per_article_count") == 2
    assert delta("lens_worker_batch_size_count") == 1
    assert delta("lens_worker_batch_size_sum") == 2
    assert value(after, "lens_queue_articles", status="done") == 1
    assert value(after, "lens_queue_articles", status="failed") == 1


def test_the_embedded_worker_reports_its_model_load_time(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    def slow_load(_settings: Settings) -> Analyzer:
        time.sleep(0.2)
        return FakeAnalyzer()

    settings = make_settings(database_url, embedded_worker=True)
    with TestClient(create_app(settings, load_analyzer=slow_load)) as client:
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        samples = scrape(client)

    assert 0.2 <= value(samples, "lens_model_load_seconds") < 10


def test_metrics_are_left_out_of_the_openapi_page(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_a_standalone_worker_serves_the_same_registry(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    server, thread = start_http_server(
        0, "127.0.0.1", metrics.scrape_registry(partial(queue_depth, session_factory))
    )
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            samples = parse(response.read().decode())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

    assert value(samples, "lens_queue_articles", status="pending") == 0
    assert ("lens_model_load_seconds", frozenset()) in samples
    assert any(name == "process_cpu_seconds_total" for name, _ in samples)


def test_lens_worker_serves_metrics_on_its_port_and_logs_json(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "LENS_DATABASE_URL": database_url, "PYTHONPATH": str(root)}
    env.pop("LENS_LOG_FORMAT", None)
    command = [str(Path(sys.executable).with_name("lens")), "worker", "--no-migrate"]
    command += ["--metrics-port", str(port), "--analyzer", "tests.tools.analyzers:fake_v1"]
    worker = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        samples: Samples = {}
        deadline = time.monotonic() + 60
        while not samples and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    samples = parse(r.read().decode())
            except OSError:
                time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=60)

    assert worker.returncode == 0, stderr
    assert ("lens_queue_articles", frozenset({("status", "pending")})) in samples
    assert ("lens_worker_batch_size_count", frozenset()) in samples
    lines = [json.loads(line) for line in stderr.splitlines()]
    assert any(line["message"].startswith("metrics on http://127.0.0.1:") for line in lines)
    assert {line["logger"] for line in lines} >= {"app.cli", "app.worker"}
