"""Engine, sessions, the declarative Base, and the schema migrations that build it."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Engine,
    Integer,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Made by the migrations in SQL that differs by backend (full-text search, a covering index; see
# migration 0002), so left out when the models are compared with a database.
MIGRATION_ONLY_NAMES = frozenset(
    {"search_vector", "ix_articles_search_vector", "ix_article_actors_actor_published"}
)
_MIGRATION_ONLY_PREFIXES = ("articles_fts",)

# SQLite only auto-increments an INTEGER PRIMARY KEY, never a BIGINT one.
BigId = BigInteger().with_variant(Integer(), "sqlite")

_SQLITE_BUSY_TIMEOUT_MS = 10_000


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset: we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every ORM class; its metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def include_in_comparison(name: str | None, _type: str, _parents: dict[str, Any]) -> bool:
    """Alembic's ``include_name`` hook: skip what only the migrations describe."""
    return name is None or not (
        name in MIGRATION_ONLY_NAMES or name.startswith(_MIGRATION_ONLY_PREFIXES)
    )


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


# The API runs sync routes on AnyIO's thread pool (40 threads): with fewer connections, requests
# beyond the pool wait for one and fail after the pool timeout under load, although the database
# is fine. Enough connections for every thread (plus the embedded worker) makes them queue on
# the thread pool instead, which costs latency, not errors.
POOL_SIZE = 10
POOL_MAX_OVERFLOW = 35


def create_db_engine(url: str) -> Engine:
    """An engine that survives a database restart (pre-ping) and tunes SQLite on each connect."""
    connect_args: dict[str, Any] = {}
    pool_args: dict[str, Any] = {}
    if url.startswith("sqlite"):
        # The embedded worker thread and the API's threadpool share the pool.
        connect_args["check_same_thread"] = False
    in_memory = url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:")
    if not in_memory:  # an in-memory SQLite database has one connection per thread, no pool
        pool_args = {"pool_size": POOL_SIZE, "max_overflow": POOL_MAX_OVERFLOW}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **pool_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_SQLITE_WRITERS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_SQLITE_WRITERS_GUARD = threading.Lock()


def writer_lock(engine: Engine) -> AbstractContextManager[object]:
    """What a write transaction holds: on SQLite one lock per engine, elsewhere nothing.

    SQLite has one write lock per database. Without this, concurrent writers of a process wait
    for it in SQLite's busy handler, which sleeps and polls (up to 100 ms a time) and gives up
    after the busy timeout with "database is locked"; here they queue on a Python lock instead
    and start the moment the writer before them commits. PostgreSQL writes concurrently.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(engine, threading.Lock())


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets readers proceed while the worker writes; busy_timeout makes writers queue
        # instead of failing at once with "database is locked".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)


def migrations_dir() -> Path:
    """The Alembic scripts: ``migrations/`` beside the ``app`` package (a source checkout)."""
    return Path(__file__).resolve().parents[2] / "migrations"


def migrate(url: str, revision: str = "head", *, downgrade: bool = False) -> None:
    """Run the Alembic migrations against ``url``, from any working directory."""
    from alembic import command
    from alembic.config import Config

    scripts = migrations_dir()
    if not (scripts / "env.py").is_file():
        raise RuntimeError(
            f"migrations not found at {scripts}: install the project from its source tree "
            "(pip install -e .)"
        )
    config = Config()
    config.set_main_option("script_location", str(scripts))
    # ConfigParser interpolation would read '%' in a URL as a reference.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if downgrade:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)
