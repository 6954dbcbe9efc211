"""`lens keys create|list|revoke`, and `lens serve`'s warning when it is open to the network."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cli.keys import cli as keys_cli
from app.core.config import get_settings
from app.core.db import create_db_engine, create_session_factory
from app.services import api_keys

runner = CliRunner()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("LENS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def keys(*args: str) -> Any:
    return runner.invoke(keys_cli, list(args))


def test_create_prints_the_key_once_and_stores_its_hash(database_file: str) -> None:
    result = keys("create", "importer", "--scope", "write")

    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("lens_")
    assert "cannot be shown again" in result.stderr
    engine = create_db_engine(database_file)
    try:
        with create_session_factory(engine)() as session:
            key = api_keys.authenticate(session, secret)
            assert key is not None
            assert (key.name, key.scope.value) == ("importer", "write")
    finally:
        engine.dispose()


def test_list_shows_everything_but_the_secret(database_file: str) -> None:
    created = json.loads(keys("create", "dashboard", "--json").stdout)
    assert created["scope"] == "read"

    table = keys("list")
    listed = json.loads(keys("list", "--json").stdout)

    assert table.exit_code == 0
    assert "dashboard" in table.stdout
    assert created["prefix"] in table.stdout
    assert created["key"] not in table.stdout
    assert listed == [{k: v for k, v in created.items() if k != "key"}]
    assert created["prefix"] == created["key"][:13] + "…"


def test_revoke_by_id_or_prefix(database_file: str) -> None:
    first = json.loads(keys("create", "one", "--json").stdout)
    second = json.loads(keys("create", "two", "--json").stdout)

    assert keys("revoke", str(first["id"])).stdout.strip().endswith("revoked")
    again = keys("revoke", second["prefix"])
    assert again.exit_code == 0
    assert "(two, lens_" in again.stdout
    assert "already revoked" in keys("revoke", "1").stdout

    listed = json.loads(keys("list", "--json").stdout)
    assert all(key["revoked_at"] for key in listed)


def test_usage_and_missing_keys_exit_codes(database_file: str) -> None:
    assert keys("revoke", "42").exit_code == 1
    assert keys("create", "x", "--scope", "admin").exit_code == 2
    assert keys("create", " ").exit_code == 2
    assert "no API keys" in keys("list").stdout


def test_help_has_examples() -> None:
    for command in ("create", "list", "revoke"):
        result = runner.invoke(keys_cli, [command, "--help"])
        assert result.exit_code == 0
        assert "lens keys " + command in result.stdout


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_serve_warns_when_open_beyond_loopback(
    database_file: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    host: str,
    warned: bool,
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    # serve's own logging set-up would replace the handler caplog listens with.
    monkeypatch.setattr("app.cli._configure_logging", lambda **kwargs: None)
    with caplog.at_level(logging.WARNING, logger="app.cli"):
        assert runner.invoke(cli, ["serve", "--host", host]).exit_code == 0
    assert ("WITH NO API KEYS" in caplog.text) is warned

    caplog.clear()
    keys("create", "guard", "--scope", "write")
    with caplog.at_level(logging.WARNING, logger="app.cli"):
        assert runner.invoke(cli, ["serve", "--host", host]).exit_code == 0
    assert "WITH NO API KEYS" not in caplog.text
