"""Annotate: check an analysis against its text, then store a batch of them in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from sqlalchemy.orm import Session

from app.analysis import records
from app.analysis.types import SENTIMENT_LABELS, ActorKind, Analysis, Analyzer, EntityLabel
from app.core.config import Settings
from app.repositories import actors as actor_rows
from app.repositories import analysis_runs, history, queue
from app.repositories import annotations as annotation_rows
from app.repositories import quotations as quotation_rows
from app.repositories.actors import ActorSpec
from app.services import following

_KINDS = frozenset(get_args(ActorKind))
_ENTITY_LABELS = frozenset(get_args(EntityLabel))
# the widths of the columns these strings go into (see app/models)
_MAX_KEY, _MAX_NAME, _MAX_CODE, _MAX_TOPIC_LABEL = 200, 300, 100, 200


class InvalidAnalysisError(ValueError):
    """The analyzer broke the contract of app/analysis/types.py for one text."""


@dataclass(frozen=True, slots=True)
class RunIdentity:
    """What identifies an analysis run: its models and settings, and their fingerprint."""

    fingerprint: str
    models: dict[str, str]
    config: dict[str, Any]


def run_identity(models: Mapping[str, str], config: Mapping[str, object]) -> RunIdentity:
    """The same for every process with these models and settings (`lens reannotate` uses it)."""
    stored_models = dict(models)
    # The config may hold paths or numpy numbers; what is stored is their JSON rendering.
    stored_config = json.loads(json.dumps(config, sort_keys=True, default=str))
    fingerprint = hashlib.sha256(
        json.dumps({"models": stored_models, "config": stored_config}, sort_keys=True).encode()
    ).hexdigest()
    return RunIdentity(fingerprint, stored_models, stored_config)


def ensure_run(session: Session, analyzer: Analyzer, now: datetime) -> int:
    """The analysis run of this analyzer's models and settings, recorded if new."""
    return record_run(session, run_identity(analyzer.models, analyzer.config), now)


def record_run(session: Session, identity: RunIdentity, now: datetime) -> int:
    """The id of the run with this identity, recorded now if it is new."""
    return analysis_runs.ensure(
        session,
        fingerprint=identity.fingerprint,
        models=identity.models,
        config=identity.config,
        now=now,
    )


def check(analysis: Analysis, text: str) -> None:
    """Raise InvalidAnalysisError unless every label is known and every offset lies in ``text``."""
    n = len(text)

    def span(start: int, end: int, what: str) -> None:
        if not 0 <= start <= end <= n:
            raise InvalidAnalysisError(f"{what} [{start}, {end}) is outside the text (length {n})")

    for sentence in analysis.sentences:
        span(sentence.start, sentence.end, f"sentence {sentence.index}")
    labels = [analysis.sentiment.label]
    labels += [s.label for s in analysis.sentence_sentiments]
    labels += [a.sentiment.label for a in analysis.actors]
    if bad := set(labels) - set(SENTIMENT_LABELS):
        raise InvalidAnalysisError(f"unknown sentiment labels {sorted(bad)}")
    for topic in analysis.topics:
        too_long = len(topic.code) > _MAX_CODE or len(topic.label) > _MAX_TOPIC_LABEL
        if not topic.code or too_long or len(topic.parent or "") > _MAX_CODE:
            raise InvalidAnalysisError(f"topic code or label empty or too long: {topic.code!r}")
    keys = [a.key for a in analysis.actors]
    if len(set(keys)) != len(keys):
        raise InvalidAnalysisError("an actor key appears twice")
    for actor in analysis.actors:
        if actor.part_of is not None and (
            actor.part_of.kind not in _KINDS
            or not actor.part_of.key
            or actor.part_of.key == actor.key
            or len(actor.part_of.key) > _MAX_KEY
            or len(actor.part_of.name) > _MAX_NAME
        ):
            raise InvalidAnalysisError(f"actor {actor.key!r} is part of an invalid actor")
        if actor.kind not in _KINDS:
            raise InvalidAnalysisError(f"actor {actor.key!r} has unknown kind {actor.kind!r}")
        if not actor.key or len(actor.key) > _MAX_KEY or len(actor.name) > _MAX_NAME:
            raise InvalidAnalysisError(f"actor key or name empty or too long: {actor.key!r}")
        for mention in actor.mentions:
            span(mention.start, mention.end, f"mention {mention.text!r}")
            if mention.label not in _ENTITY_LABELS:
                raise InvalidAnalysisError(f"mention label {mention.label!r} is unknown")
    for quote in analysis.quotations:
        span(quote.start, quote.end, "quotation")
        named = {quote.speaker_key} | {t.key for t in quote.targets}
        if unknown := named - {None, *keys}:
            raise InvalidAnalysisError(f"quotation names actors not in the analysis: {unknown}")
        if {t.label for t in quote.targets} - set(SENTIMENT_LABELS):
            raise InvalidAnalysisError("unknown sentiment label of a quotation's target")


def store(
    session: Session,
    *,
    owner: str,
    run_id: int,
    now: datetime,
    results: Mapping[int, Analysis],
    settings: Settings,
) -> set[int]:
    """Write the analyses of the articles ``owner`` still leases and mark them done.

    Returns the ids written. Old annotations are replaced in the same transaction, so a reader
    sees the old set or the new one, never a mix; the subscriptions the articles start to match
    get their deliveries in it too (app/services/following.py).
    """
    # Read before finish() records the new run: the annotations about to be replaced are kept
    # in the history, so users can see what a model change did.
    previous = history.annotated_runs(session, sorted(results))
    followers = following.Followers.load(session, settings)
    # what the annotations about to be replaced matched: those matches are not new
    matched_before = followers.matches(session, sorted(previous))
    written = queue.finish(
        session, owner=owner, article_ids=sorted(results), run_id=run_id, now=now
    )
    if not written:
        return written
    ids = sorted(written)
    replaced = {i: previous[i] for i in ids if i in previous}
    history.snapshot(session, replaced, replaced_by=run_id, now=now)
    annotation_rows.delete_for(session, ids)  # the quotations with them
    actor_ids = actor_rows.ensure(session, _actor_specs([results[i] for i in ids]))
    rows: dict[str, list[dict[str, Any]]] = {
        "sentiments": [],
        "topics": [],
        "actors": [],
        "mentions": [],
    }
    for article_id in ids:
        _rows(article_id, results[article_id], actor_ids, rows)
    annotation_rows.add(session, **rows)
    quotation_rows.add(session, *_quotation_rows(ids, results, actor_ids))
    annotation_rows.set_detected_genres(
        session,
        {
            i: (genre.label, float(genre.score))
            for i in ids
            if (genre := results[i].genre) is not None
        },
    )
    followers.record(session, ids, matched_before, now)
    return written


def _actor_specs(analyses: list[Analysis]) -> list[ActorSpec]:
    # One spec per key across the batch; aliases seen in any article are all kept. The actor an
    # institution is part of is ensured with it, mentioned or not.
    names: dict[str, tuple[str, str]] = {}
    aliases: dict[str, set[str]] = {}
    parents: dict[str, str] = {}
    for analysis in analyses:
        for actor in analysis.actors:
            names.setdefault(actor.key, (actor.name, actor.kind))
            aliases.setdefault(actor.key, set()).update(actor.aliases)
            if actor.part_of is not None:
                parents.setdefault(actor.key, actor.part_of.key)
                names.setdefault(actor.part_of.key, (actor.part_of.name, actor.part_of.kind))
                aliases.setdefault(actor.part_of.key, set())
    return [
        ActorSpec(
            key=k, name=n, kind=kind, aliases=tuple(sorted(aliases[k])), part_of=parents.get(k)
        )
        for k, (n, kind) in names.items()
    ]


def _rows(
    article_id: int,
    analysis: Analysis,
    actor_ids: Mapping[str, int],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    rows["sentiments"].append(
        {
            "article_id": article_id,
            **records.document_sentiment(analysis),
            "sentences": records.sentences(analysis),
        }
    )
    rows["topics"] += [{"article_id": article_id, **t} for t in records.topics(analysis)]
    for actor in analysis.actors:
        ids = {"article_id": article_id, "actor_id": actor_ids[actor.key]}
        rows["actors"].append({**ids, **records.actor(actor)})
        rows["mentions"] += [{**ids, **m} for m in records.mentions(actor)]


def _quotation_rows(
    ids: list[int], results: Mapping[int, Analysis], actor_ids: Mapping[str, int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The quotation rows (each with its targets) and relation rows of these articles."""
    quotations: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    for article_id in ids:
        analysis = results[article_id]
        for record in records.quotations(analysis):
            key = record.pop("speaker_key")
            targets = record.pop("targets")
            quotations.append(
                {
                    "article_id": article_id,
                    **record,
                    "cue": None if record["cue"] is None else record["cue"][:40],
                    "speaker_name": None
                    if record["speaker_name"] is None
                    else record["speaker_name"][:_MAX_NAME],
                    "speaker_id": None if key is None else actor_ids[key],
                    "targets": [
                        {"actor_id": actor_ids[t["key"]], "label": t["label"], "score": t["score"]}
                        for t in targets
                    ],
                }
            )
        for edge in records.relations(analysis):
            relations.append(
                {
                    "article_id": article_id,
                    "speaker_id": actor_ids[edge["speaker_key"]],
                    "target_id": actor_ids[edge["target_key"]],
                    "negative": edge["negative"],
                    "neutral": edge["neutral"],
                    "positive": edge["positive"],
                }
            )
    return quotations, relations
