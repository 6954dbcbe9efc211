"""Re-annotation: queue again the articles that older models annotated.

"Older" is judged by the analysis run fingerprint (app/services/annotate.py's run_identity, the
one the worker records), so an article annotated by the current models is left alone. Requeued
articles keep serving their old annotations until the worker replaces them in one transaction,
which also files the old document sentiment, topics and actors in the article's history.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from app.analysis.actors.identity import current_identity
from app.analysis.types import Analyzer
from app.core.config import Settings
from app.errors import DomainError, RequestInvalidError, field_error
from app.models.article import ArticleStatus, Sort
from app.repositories import article_search, runs
from app.repositories.article_search import Position
from app.services import actor_identities, search
from app.services.actor_identities import Identify, Reconciled
from app.services.annotate import RunIdentity, run_identity

logger = logging.getLogger(__name__)

# The analysis package may offer this: the models' names and versions, and the settings that
# shape their output, read from files and settings without loading any weights.
DESCRIBE_HOOK = ("app.analysis.analyzer", "describe_models")
_CHUNK = 1000


class ModelsUnknownError(DomainError):
    status, slug, title = 409, "models-unknown", "Current models unknown"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles to consider; every filter given must match."""

    actors: Sequence[str] = ()
    outlets: Sequence[str] = ()
    published_from: date | None = None
    published_to: date | None = None
    # only the articles these runs annotated
    run_ids: Sequence[int] = ()
    # also those annotated by the current models
    everything: bool = False
    # also articles whose analysis failed
    include_failed: bool = False

    @property
    def filtered(self) -> bool:
        return bool(self.actors or self.outlets or self.published_from or self.published_to)


@dataclass(frozen=True, slots=True)
class Requeued:
    count: int
    dry_run: bool
    current: RunIdentity | None
    # None while no article has been annotated by the current models yet
    current_run_id: int | None
    # stored actors renamed or merged to today's identities (app/services/actor_identities.py)
    actors: Reconciled = field(default_factory=Reconciled)


def identity_of(analyzer: Analyzer) -> RunIdentity:
    return run_identity(analyzer.models, analyzer.config)


def described_identity(settings: Settings) -> RunIdentity | None:
    """The current models' identity without loading them, if the analysis package can tell."""
    module_name, function_name = DESCRIBE_HOOK
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
        describe: Callable[[Settings], tuple[Mapping[str, str], Mapping[str, object]]] | None
        describe = getattr(importlib.import_module(module_name), function_name, None)
        if describe is None:
            return None
        models, config = describe(settings)
    except Exception:
        # A broken hook must not take re-annotation down: the caller falls back (loads the
        # models, or asks for `all`), and the log says why.
        logger.exception("%s.%s failed", module_name, function_name)
        return None
    return run_identity(models, config)


def requeue(
    session: Session,
    settings: Settings,
    selection: Selection,
    current: RunIdentity | None,
    *,
    dry_run: bool = False,
    identify: Identify | None = current_identity,
) -> Requeued:
    """Queue again the selected articles not annotated by ``current`` (all with ``everything``).

    First the stored actors are renamed or merged to the identities ``identify`` gives them
    (None: left as they are), so the articles annotated again find their actors' ids.
    """
    if current is None and not (selection.everything or selection.run_ids):
        raise ModelsUnknownError(
            "The current models are not known to this process (no worker has loaded them). "
            "Pass `all` to queue every selected article, or `runs` to name the old runs."
        )
    if unknown := set(selection.run_ids) - runs.existing_ids(session, selection.run_ids):
        raise RequestInvalidError(
            f"There is no analysis run {', '.join(map(str, sorted(unknown)))}.",
            errors=[
                field_error(["body", "runs"], f"unknown run {i}", "unknown_run")
                for i in sorted(unknown)
            ],
        )
    current_id = runs.find_id(session, current.fingerprint) if current is not None else None
    statuses = [ArticleStatus.done]
    if selection.include_failed:
        statuses.append(ArticleStatus.failed)
    stale = runs.Stale(
        statuses=statuses,
        keep_run_id=None if selection.everything else current_id,
        only_run_ids=selection.run_ids,
    )
    apply = runs.count_stale if dry_run else runs.requeue_stale
    if not selection.filtered:
        count = apply(session, stale)
    else:
        count = sum(
            apply(session, stale, ids) for ids in _matching_ids(session, settings, selection)
        )
    actors = (
        Reconciled()
        if identify is None
        else actor_identities.reconcile(session, identify, dry_run=dry_run)
    )
    return Requeued(count, dry_run, current, current_id, actors)


def _matching_ids(
    session: Session, settings: Settings, selection: Selection
) -> Iterator[list[int]]:
    """The ids the article search finds for the selection's filters, in chunks."""
    query = search.ArticleQuery(
        actors=selection.actors,
        outlets=selection.outlets,
        published_from=selection.published_from,
        published_to=selection.published_to,
    )
    prepared = search.prepare(session, settings, query)
    filters = replace(prepared.filters, max_id=article_search.max_article_id(session))
    after: Position | None = None
    while True:
        found = article_search.search(session, filters, Sort.oldest, after, _CHUNK)
        if found:
            yield [position.id for position in found]
        if len(found) < _CHUNK:
            return
        after = found[-1]
