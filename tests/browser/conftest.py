"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a seeded
database served by uvicorn on a free loopback port.

Part of the default `pytest` run (marker `browser`). Where Chromium is missing (a laptop
without `apt-get install chromium`) the tests skip and say why; with
LENS_REQUIRE_BROWSER=1, as .ci/run sets it, that is a failure instead. The browser is
LENS_CHROMIUM, else the first `chromium` or `chromium-browser` on PATH. Screenshots go to
LENS_TEST_ARTIFACTS/browser (default: artifacts/browser in the repository).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from app.main import create_app
from tests.browser.seed import Seeded, seed
from tests.conftest import make_settings
from tests.fakes import FakeAnalyzer

REPOSITORY = Path(__file__).resolve().parents[2]


def chromium_path() -> str | None:
    configured = os.environ.get("LENS_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("LENS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def artifacts() -> Path:
    folder = Path(os.environ.get("LENS_TEST_ARTIFACTS", REPOSITORY / "artifacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Server:
    """The app under uvicorn in a thread, on a port the OS chose."""

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> Server:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'lens.db'}"
    return seed(url, make_settings(url))


def _serve(seeded: Seeded, **overrides: Any) -> Iterator[str]:
    settings = make_settings(seeded.database_url, rate_limit="0", **overrides)
    app = create_app(settings, load_analyzer=lambda _settings: FakeAnalyzer())
    with Server(app) as server:
        yield server.url


@pytest.fixture(scope="session")
def base_url(seeded: Seeded) -> Iterator[str]:
    """The dashboard with open reads."""
    yield from _serve(seeded)


@pytest.fixture(scope="session")
def keyed_url(seeded: Seeded) -> Iterator[str]:
    """The same data where reads need a key (LENS_AUTH_READS)."""
    yield from _serve(seeded, auth_reads=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium, or set LENS_CHROMIUM)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@dataclass
class Console:
    """What the page reported: console errors and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def exception(self, error: Exception) -> None:
        self.errors.append(f"uncaught: {error}")


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, console: Console, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (its own session storage); a screenshot of where it ended is kept."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on("console", console.message)
    tab.on("pageerror", console.exception)
    yield tab
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")
    tab.screenshot(path=artifacts() / f"{name}.png", full_page=True)
    context.close()
