"""The day-one commands are part of `lens`, each with examples in its --help."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app import cli as cli_module
from app.cli import cli

runner = CliRunner()
COMMANDS = ("import", "analyze", "status", "reannotate", "runs", "export")


def test_lens_has_the_day_one_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "registered_groups", list(cli.registered_groups))

    cli_module._add_plugins()

    listing = runner.invoke(cli, ["--help"]).output
    for command in COMMANDS:
        assert command in listing
        page = runner.invoke(cli, [command, "--help"])
        assert page.exit_code == 0
        assert f"lens {command}" in page.output  # an example
    assert "--analyzer" not in runner.invoke(cli, ["analyze", "--help"]).output  # tests only
