"""The `lens` command: help, migrations, serve's start-up, the worker's graceful stop, plugins."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from app import cli as cli_module
from app.analysis import loader as loader_module
from app.analysis.types import Analysis
from app.cli import cli, served_app
from app.core.config import get_settings
from app.core.db import create_db_engine, create_session_factory
from app.models import Article, ArticleStatus
from app.schemas.ingest import ArticleIn
from app.services import ingest
from tests.fakes import FakeAnalyzer

runner = CliRunner()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LENS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "requeue"):
        assert command in result.output
    assert "Example: lens serve" in runner.invoke(cli, ["serve", "--help"]).output


def test_db_upgrade_then_downgrade(database_file: str) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    engine = create_db_engine(database_file)
    assert "articles" in inspect(engine).get_table_names()

    assert runner.invoke(cli, ["db", "downgrade", "base"]).exit_code == 0
    assert "articles" not in inspect(engine).get_table_names()
    engine.dispose()


def test_serve_migrates_then_starts_uvicorn(
    database_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    logging_calls: list[tuple[str, str]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    # The real one would swap the root logger's handlers for the rest of the test session.
    monkeypatch.setattr(
        "app.core.logs.configure_logging", lambda fmt, level: logging_calls.append((fmt, level))
    )

    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    several = runner.invoke(cli, ["serve", "--workers", "3", "--no-migrate"])

    assert result.exit_code == 0, result.output
    assert several.exit_code == 0, several.output
    expected = {
        "app": "app.cli:served_app",
        "factory": True,
        "host": "0.0.0.0",
        "port": 9000,
        "log_config": None,
        "access_log": False,
        "workers": 1,
    }
    assert calls == [
        expected,
        expected | {"host": "127.0.0.1", "port": 8000, "workers": 3},
    ]
    assert logging_calls == [("json", "INFO")] * 2
    engine = create_db_engine(database_file)
    assert "articles" in inspect(engine).get_table_names()
    engine.dispose()


def test_served_app_sets_up_logging_in_each_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # uvicorn builds the app in each worker process: the factory configures that process's logs.
    logging_calls: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "app.core.logs.configure_logging", lambda fmt, level: logging_calls.append((fmt, level))
    )

    app = served_app()

    assert app.title == "Commentary Lens"
    assert logging_calls == [("json", "INFO")]


class _SigtermDuringAnalysis(FakeAnalyzer):
    """Sends the process SIGTERM while a batch is being analysed, as `docker stop` might."""

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        results = super().analyze(texts)
        os.kill(os.getpid(), signal.SIGTERM)
        return results


def test_worker_finishes_its_batch_then_stops_on_sigterm(
    database_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    engine = create_db_engine(database_file)
    factory = create_session_factory(engine)
    with factory() as session, session.begin():
        article_id = ingest.ingest_one(session, get_settings(), ArticleIn(text="Moscow.")).id
    analyzer = _SigtermDuringAnalysis()
    monkeypatch.setattr(loader_module, "load_default_analyzer", lambda _settings: analyzer)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        result = runner.invoke(cli, ["worker", "--no-migrate"])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    assert result.exit_code == 0, result.output
    with factory() as session:
        assert session.get_one(Article, article_id).status == ArticleStatus.done
    assert analyzer.batches == [1]
    engine.dispose()


def test_requeue_counts_articles(database_file: str) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(cli, ["requeue", "--done"])

    assert result.exit_code == 0
    assert result.output.strip() == "0 articles queued"


def test_plugins_add_command_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lens_demo_plugin.py").write_text(
        "import typer\n"
        "cli = typer.Typer()\n\n"
        "@cli.command()\n"
        "def hello() -> None:\n"
        "    print('hello from a plugin')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "registered_groups", list(cli.registered_groups))
    monkeypatch.setattr(
        cli_module, "_PLUGINS", (("lens_demo_plugin", "demo"), ("app.not_there", "absent"))
    )

    cli_module._add_plugins()

    result = runner.invoke(cli, ["demo", "hello"])
    assert result.exit_code == 0
    assert "hello from a plugin" in result.output
    assert "absent" not in runner.invoke(cli, ["--help"]).output
