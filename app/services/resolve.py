"""Filter terms (names, aliases, codes, ids) resolved to ids, or a 422 that names the unknown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from app.core.config import Settings
from app.errors import DomainError, UnknownActorError, UnknownNameError, field_error
from app.models import Author, Outlet
from app.repositories import actors, named, topics
from app.services.taxonomy import taxonomy

T = TypeVar("T")

_HINTS = {
    "actor": "List actors with GET /v1/actors?q=...",
    "outlet": "List outlets with GET /v1/outlets?q=...",
    "author": "List authors with GET /v1/authors?q=...",
    "topic": "List topics with GET /v1/topics.",
}


def actor_groups(
    session: Session, terms: Sequence[str], *, include_parts: bool = False
) -> list[frozenset[int]]:
    """One set of actor ids per term (an alias such as "Georgia" may name several); with
    ``include_parts``, each with the actors part of it (the White House of the United States)."""
    groups = _resolve(terms, lambda term: actors.resolve(session, term), "actor", UnknownActorError)
    return [actors.with_parts(session, g) for g in groups] if include_parts else groups


def outlet_ids(session: Session, terms: Sequence[str]) -> frozenset[int] | None:
    """The outlets named (any of them may match); None when no term is given."""
    found = _resolve(
        terms, lambda term: named.resolve(session, Outlet, term), "outlet", UnknownNameError
    )
    return frozenset().union(*found) if terms else None


def author_ids(session: Session, terms: Sequence[str]) -> frozenset[int] | None:
    found = _resolve(
        terms, lambda term: named.resolve(session, Author, term), "author", UnknownNameError
    )
    return frozenset().union(*found) if terms else None


def topic_codes(
    session: Session, settings: Settings, terms: Sequence[str]
) -> frozenset[str] | None:
    """Codes of the topics named by code or label, any case, in the taxonomy or the database."""

    def codes(term: str) -> frozenset[str]:
        needle = term.strip().casefold()
        known = {
            t.code for t in taxonomy(settings) if needle in (t.code.casefold(), t.label.casefold())
        }
        stored = topics.codes_named(session, term, by_label=not known)
        return frozenset(known) | stored

    found = _resolve(terms, codes, "topic", UnknownNameError)
    return frozenset().union(*found) if terms else None


def _resolve(
    terms: Sequence[str],
    lookup: Callable[[str], frozenset[T]],
    what: str,
    error: type[DomainError],
) -> list[frozenset[T]]:
    found = [lookup(term) for term in terms]
    unknown = [(i, term) for i, (term, ids) in enumerate(zip(terms, found, strict=True)) if not ids]
    if unknown:
        names = ", ".join(repr(term) for _, term in unknown)
        raise error(
            f"No {what} is called {names}. {_HINTS[what]}",
            errors=[
                field_error(["query", what, i], f"unknown {what} {term!r}", f"unknown_{what}")
                for i, term in unknown
            ],
        )
    return found
