"""Alembic environment: runs the migrations online against the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from app import models  # noqa: F401  (registers every table on Base.metadata)
from app.core.config import get_settings
from app.core.db import Base, create_db_engine, include_in_comparison

# Any constant works; it only has to be the same in every process that migrates.
_MIGRATION_LOCK_KEY = 4_771_202_103


def _run() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_in_comparison,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # The api and every scaled worker migrate at start-up: one at a time.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
_run()
