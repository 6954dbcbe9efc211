"""Real processes for the fault tests: `lens worker` and the API, each with a fake analyzer.

They run as the product runs (own interpreter, own connections, real signals), configured only
through LENS_* variables, with a short lease and poll interval so a test takes seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
LENS = Path(sys.executable).with_name("lens")
LEASE_SECONDS = 5  # the smallest the settings allow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def lens_env(database_url: str, log_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of a child process: the database, fast timings, no real models."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LENS_")}
    env.update(
        {
            "LENS_DATABASE_URL": database_url,
            "LENS_EMBEDDED_WORKER": "false",
            "LENS_WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
            "LENS_WORKER_POLL_SECONDS": "0.1",
            "LENS_WORKER_BATCH_SIZE": "4",
            # the clients of these tests are one host sending hundreds of requests a minute
            "LENS_RATE_LIMIT": "0",
            "LENS_ANALYZER_FACTORY": "tests.faults.analyzers:quick",
            "FAKE_ANALYZER_LOG": str(log_dir / "analyzed.log"),
            # the factories live in tests/, which the console script would not find otherwise
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(overrides)
    return env


class Child:
    """A child process whose output goes to a file, shown when an assertion fails."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def signal(self, signum: signal.Signals) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout)

    def output(self) -> str:
        # Only the child writes to the file (unbuffered by us), so reading it is always current.
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


def start_worker(name: str, env: dict[str, str], log_dir: Path) -> Child:
    return Child(name, [str(LENS), "worker", "--no-migrate"], env, log_dir)


def start_api(name: str, env: dict[str, str], log_dir: Path, port: int) -> Child:
    """The API under uvicorn, as `lens serve` runs it, with the analyzer the env names."""
    command = [sys.executable, "-m", "tests.faults.app_server", "--port", str(port)]
    return Child(name, command, env, log_dir)


def wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, child: Child | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if child is not None and child.process.poll() is not None:
            raise AssertionError(
                f"{child.name} exited early while waiting for {what}:\n" + child.output()[-3000:]
            )
        if time.monotonic() > deadline:
            detail = f"\n{child.name} output:\n{child.output()[-3000:]}" if child else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(0.05)


def wait_until_serving(base_url: str, child: Child, timeout: float = 30) -> None:
    def healthy() -> bool:
        try:
            return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(healthy, timeout=timeout, what="the API to answer /healthz", child=child)


def analyzed(log_dir: Path) -> list[tuple[str, str, str]]:
    """What the fake analyzers logged: (pid, event, text) for each text started or finished."""
    path = log_dir / "analyzed.log"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [(pid, event, text) for pid, event, text in (line.split("\t", 2) for line in lines)]
