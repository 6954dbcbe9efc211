"""Article history: snapshots of replaced annotations, written and read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, aliased

from app.analysis import records
from app.models import (
    Actor,
    ActorRelation,
    Article,
    ArticleActor,
    ArticleHistory,
    ArticleSentiment,
    ArticleTopic,
)

# article id -> (analysis run id, analyzed_at) of its current annotations
Previous = Mapping[int, tuple[int, datetime | None]]


def annotated_runs(
    session: Session, article_ids: Sequence[int]
) -> dict[int, tuple[int, datetime | None]]:
    """The run and time of the annotations these articles carry now, for those that have some."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(Article.id, Article.analysis_run_id, Article.analyzed_at).where(
            Article.id.in_(article_ids), Article.analysis_run_id.is_not(None)
        )
    )
    return {article_id: (run_id, at) for article_id, run_id, at in rows if run_id is not None}


def snapshot(session: Session, previous: Previous, *, replaced_by: int, now: datetime) -> int:
    """Record the gist of these articles' current annotations before they are replaced."""
    ids = sorted(previous)
    if not ids:
        return 0
    gists = _gists(session, ids)
    revisions = dict(
        session.execute(select(Article.id, Article.revision).where(Article.id.in_(ids))).all()
    )
    rows = []
    for article_id in ids:
        gist = gists.get(article_id)
        if gist is None:
            continue  # nothing was stored for it (an analysis that failed after a requeue)
        run_id, analyzed_at = previous[article_id]
        rows.append(
            {
                "article_id": article_id,
                "analysis_run_id": run_id,
                "replaced_by_run_id": replaced_by,
                "analyzed_at": analyzed_at,
                "replaced_at": now,
                "reason": "reannotated",
                "revision": revisions.get(article_id, 1),
                **gist,
            }
        )
    if rows:
        session.execute(insert(ArticleHistory), rows)
    return len(rows)


def snapshot_revision(session: Session, article: Article, *, now: datetime) -> None:
    """Record the text a revision replaces, with the gist of its annotations if it had any."""
    gist = _gists(session, [article.id]).get(article.id) or {
        "sentiment_label": None,
        "sentiment_score": None,
        "sentiment_probabilities": None,
        "topics": [],
        "actors": [],
        "relations": [],
    }
    session.execute(
        insert(ArticleHistory),
        [
            {
                "article_id": article.id,
                "analysis_run_id": article.analysis_run_id,
                "replaced_by_run_id": None,
                "analyzed_at": article.analyzed_at,
                "replaced_at": now,
                "reason": "revised",
                "revision": article.revision,
                "title": article.title,
                "text": article.text,
                **gist,
            }
        ],
    )


def _gists(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Document sentiment, topics, actors and relations of the articles that have annotations."""
    sentiments = {
        row.article_id: row
        for row in session.scalars(
            select(ArticleSentiment).where(ArticleSentiment.article_id.in_(ids))
        )
    }
    topics: dict[int, list[dict[str, Any]]] = {}
    # columns, not entities: the rows are replaced in this transaction
    columns = [getattr(ArticleTopic, name) for name in records.TOPIC_FIELDS]
    for row in session.execute(
        select(ArticleTopic.article_id, *columns)
        .where(ArticleTopic.article_id.in_(ids))
        .order_by(ArticleTopic.article_id, ArticleTopic.score.desc(), ArticleTopic.id)
    ):
        topic = records.read(row, records.TOPIC_FIELDS)
        if topic["parent"] is None:
            del topic["parent"]  # subtopics (migration 0006) carry it; top-level rows as before
        topics.setdefault(row.article_id, []).append(topic)
    actors: dict[int, list[dict[str, Any]]] = {}
    for article_id, key, name, label, score in session.execute(
        select(
            ArticleActor.article_id,
            Actor.key,
            Actor.name,
            ArticleActor.sentiment_label,
            ArticleActor.sentiment_score,
        )
        .join(Actor, Actor.id == ArticleActor.actor_id)
        .where(ArticleActor.article_id.in_(ids))
        .order_by(ArticleActor.article_id, ArticleActor.salience.desc(), Actor.key)
    ):
        actors.setdefault(article_id, []).append(
            {"key": key, "name": name, "label": label, "score": score}
        )
    relations: dict[int, list[dict[str, Any]]] = {}
    speaker, target = aliased(Actor), aliased(Actor)
    for row in session.execute(
        select(
            ActorRelation.article_id,
            speaker.key.label("speaker"),
            target.key.label("target"),
            ActorRelation.negative,
            ActorRelation.neutral,
            ActorRelation.positive,
        )
        .join(speaker, speaker.id == ActorRelation.speaker_id)
        .join(target, target.id == ActorRelation.target_id)
        .where(ActorRelation.article_id.in_(ids))
        .order_by(ActorRelation.article_id, speaker.key, target.key)
    ):
        relations.setdefault(row.article_id, []).append(
            records.read(row, ("speaker", "target", "negative", "neutral", "positive"))
        )
    gists: dict[int, dict[str, Any]] = {}
    for article_id in ids:
        sentiment = sentiments.get(article_id)
        if sentiment is None and article_id not in topics and article_id not in actors:
            continue
        gists[article_id] = {
            "sentiment_label": sentiment.label if sentiment else None,
            "sentiment_score": sentiment.score if sentiment else None,
            "sentiment_probabilities": sentiment.probabilities if sentiment else None,
            "topics": topics.get(article_id, []),
            "actors": actors.get(article_id, []),
            "relations": relations.get(article_id, []),
        }
    return gists


def for_article(session: Session, article_id: int) -> list[ArticleHistory]:
    """An article's earlier analyses, the most recently replaced first."""
    return list(
        session.scalars(
            select(ArticleHistory)
            .where(ArticleHistory.article_id == article_id)
            .order_by(ArticleHistory.replaced_at.desc(), ArticleHistory.id.desc())
        )
    )
