"""The migrations build the schema the models describe, and go down and up, on each backend."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.core.db import Base, create_db_engine, include_in_comparison, migrate, migrations_dir
from tests.conftest import BACKENDS


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_downgrade_upgrade(backend: str, fresh_database_url: Callable[[str], str]) -> None:
    url = fresh_database_url(backend)
    engine = create_db_engine(url)
    try:
        migrate(url)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(
                    connection, opts={"include_name": include_in_comparison}
                ),
                Base.metadata,
            )
        assert differences == [], "the models and the migrations disagree"

        migrate(url, "base", downgrade=True)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate(url)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_are_found_from_any_directory(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))

    assert (migrations_dir() / "env.py").is_file()
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'lens.db'}"
    migrate(url)
    migrate(url)  # idempotent: already at head
