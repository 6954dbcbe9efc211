"""The passages behind the author's stance toward one actor, for a handful of articles.

One read for a page of articles: each article's row for the actor (label, score, stored
passages, evidence sentences), the actor's mention offsets and the article's text, never the
rest of its analysis (other actors, every mention, topics), which a whole article would load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Article, ArticleActor, ArticleSentiment, ArticleStatus, Mention


@dataclass(slots=True)
class PassageRow:
    """One article's stance toward the actor, with what is needed to quote its passages."""

    article_id: int
    label: str
    score: float
    probabilities: dict[str, float]
    evidence: list[int]
    passages: list[dict[str, Any]]
    text: str
    sentences: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)


def for_actor(session: Session, actor_id: int, article_ids: Sequence[int]) -> list[PassageRow]:
    """Rows for the analysed articles among ``article_ids`` that name the actor, in that order."""
    if not article_ids:
        return []
    found = session.execute(
        select(
            ArticleActor.article_id,
            ArticleActor.sentiment_label,
            ArticleActor.sentiment_score,
            ArticleActor.sentiment_probabilities,
            ArticleActor.evidence,
            ArticleActor.passages,
            Article.text,
        )
        .join(Article, Article.id == ArticleActor.article_id)
        .where(
            ArticleActor.actor_id == actor_id,
            ArticleActor.article_id.in_(article_ids),
            Article.status == ArticleStatus.done,
        )
    ).all()
    rows = {
        r.article_id: PassageRow(
            article_id=r.article_id,
            label=r.sentiment_label,
            score=r.sentiment_score,
            probabilities=r.sentiment_probabilities,
            evidence=list(r.evidence or ()),
            passages=list(r.passages or ()),
            text=r.text,
        )
        for r in found
    }
    if not rows:
        return []
    # Articles analysed before the stance model have evidence sentences but no passages.
    older = [i for i, row in rows.items() if not row.passages and row.evidence]
    if older:
        for article_id, sentences in session.execute(
            select(ArticleSentiment.article_id, ArticleSentiment.sentences).where(
                ArticleSentiment.article_id.in_(older)
            )
        ):
            rows[article_id].sentences = list(sentences or ())
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for article_id, start, end in session.execute(
        select(Mention.article_id, Mention.start, Mention.end)
        .where(Mention.actor_id == actor_id, Mention.article_id.in_(list(rows)))
        .order_by(Mention.article_id, Mention.start)
    ):
        spans[article_id].append((start, end))
    for article_id, row in rows.items():
        row.mentions = spans[article_id]
    return [rows[i] for i in dict.fromkeys(article_ids) if i in rows]
