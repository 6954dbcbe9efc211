"""`lens search-index sync` and the index's line in `lens status`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import cli as cli_module
from app.cli import cli
from app.core.config import get_settings
from app.core.db import create_db_engine, create_session_factory
from app.core.search_index import open_index
from app.models import Article

runner = CliRunner()


@pytest.fixture(autouse=True)
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """`lens` as its console script builds it: the plugin groups added (undone afterwards)."""
    monkeypatch.setattr(cli, "registered_groups", list(cli.registered_groups))
    cli_module._add_plugins()


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LENS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    folder = tmp_path / "search"
    monkeypatch.setenv("LENS_SEARCH_INDEX", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def _store(count: int) -> None:
    engine = create_db_engine(get_settings().database_url)
    with create_session_factory(engine)() as session, session.begin():
        session.add_all(
            Article(
                title=f"Note {k}",
                text=f"Trade note {k}.",
                content_hash=f"{k:064d}",
                received_at=datetime.now(UTC),
            )
            for k in range(count)
        )
    engine.dispose()


def test_sync_builds_the_index_and_status_reports_its_lag(configured: Path) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    _store(3)
    behind = json.loads(runner.invoke(cli, ["status", "--json"]).output)["search_index"]
    assert behind["articles"] == 0
    assert behind["lag_ids"] == 3
    assert behind["ranks"] is False

    result = runner.invoke(cli, ["search-index", "sync"])

    assert result.exit_code == 0, result.output
    assert "3 articles added" in result.output
    assert len(open_index(configured)) == 3
    again = runner.invoke(cli, ["search-index", "sync"])
    assert "0 articles added" in again.output
    status = runner.invoke(cli, ["status"]).output
    assert "3 articles, 0 ids behind the database; ranks full text" in status


def test_sync_without_a_folder_says_how_to_name_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("LENS_SEARCH_INDEX", raising=False)
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["search-index", "sync"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 1
    assert "LENS_SEARCH_INDEX" in result.output
