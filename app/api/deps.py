"""Dependency aliases for routes: the settings, and a session that commits when the request ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.db import writer_lock


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def _session(
    factory: Annotated[sessionmaker[Session], Depends(_session_factory)],
) -> Iterator[Session]:
    # Commits what is left when the request ends; everything below only flushes. Routes that
    # write commit themselves, through commit_in_route(), in the thread that wrote.
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """Run a route's writes and commit them in one thread call (see commit_in_route).

    On SQLite the writers of a process take turns (app.core.db.writer_lock).
    """
    bind = session.get_bind()
    with writer_lock(bind if isinstance(bind, Engine) else bind.engine):
        yield
        commit_in_route(session)


def commit_in_route(session: Session) -> None:
    """Commit a route's writes in the thread that made them, before the route returns.

    FastAPI runs a sync dependency's set-up, the route and the dependency's teardown as separate
    thread-pool calls. A write left for the teardown to commit keeps its transaction open
    between those calls, without a thread: on SQLite that holds the database's one write lock
    while the pool's threads are taken by other requests waiting for that very lock, until they
    time out with "database is locked" (the load test's 503s). Committing here keeps each write
    transaction within one call. A failed commit still becomes the answer (a 503 problem).
    """
    session.commit()


SettingsDep = Annotated[Settings, Depends(_settings)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(_session_factory)]
# scope="function": commit before the response is sent, so a failed commit is the answer.
SessionDep = Annotated[Session, Depends(_session, scope="function")]
