"""The author's sentiment toward an actor in an article, from the sentiment of its mentions.

A plain average of mention-level sentiment scores poorly (about 0.4 macro F1 on PerSenT): most
mentions are neutral reporting, and the author's stance shows in a few sentences, in the sentences
around the mentions (pronouns: "He ...") and in the article's overall tone. So a tiny learned
aggregator (multinomial logistic regression, trained by
``scripts/train/train_sentiment.py`` on PerSenT dev) reads summary features of all of those.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.analysis.encoder import FloatArray

ACTOR_FEATURES: tuple[str, ...] = (
    *(f"mention_mean_{c}" for c in ("neg", "neu", "pos")),
    "mention_max_neg",
    "mention_max_pos",
    "mention_min_neg",
    "mention_min_pos",
    *(f"first_mention_{c}" for c in ("neg", "neu", "pos")),
    *(f"mention_sentences_{c}" for c in ("neg", "neu", "pos")),
    *(f"around_mentions_{c}" for c in ("neg", "neu", "pos")),
    *(f"document_{c}" for c in ("neg", "neu", "pos")),
    "document_max_neg",
    "document_max_pos",
    "mention_share",
    "log_mentions",
    "first_position",
    "has_mentions",
    "log_sentences",
)


def actor_features(
    mention_probabilities: FloatArray,
    mention_sentences: Sequence[int],
    sentence_probabilities: FloatArray,
) -> FloatArray:
    """The aggregator's inputs for one actor of one article, in `ACTOR_FEATURES` order.

    ``mention_probabilities`` has one (negative, neutral, positive) row per mention, in text
    order, and ``mention_sentences`` the sentence index of each; ``sentence_probabilities`` has
    one row per sentence of the article. An actor without mentions (or an article without
    sentences) falls back on the article's tone, flagged by ``has_mentions``.
    """
    n = len(sentence_probabilities)
    document = sentence_probabilities.mean(axis=0) if n else np.full(3, 1 / 3, dtype=np.float32)
    has_mentions = len(mention_probabilities) > 0 and n > 0
    if has_mentions:
        mentions = mention_probabilities
        where = np.asarray(mention_sentences, dtype=np.int64)
        if len(where) != len(mentions) or where.min() < 0 or where.max() >= n:
            raise ValueError("mention_sentences must give a valid sentence index per mention")
    else:
        mentions = document[None, :]
        where = np.zeros(1, dtype=np.int64)
    sentences = sentence_probabilities if n else document[None, :]
    unique = np.unique(where)
    around = np.unique(np.clip(np.concatenate([unique - 1, unique, unique + 1]), 0, max(n - 1, 0)))
    parts = [
        mentions.mean(axis=0),
        mentions.max(axis=0)[[0, 2]],
        mentions.min(axis=0)[[0, 2]],
        mentions[0],
        sentences[unique].mean(axis=0),
        sentences[around].mean(axis=0),
        document,
        sentences.max(axis=0)[[0, 2]],
        np.array(
            [
                len(unique) / max(n, 1),
                np.log1p(len(mention_probabilities)),
                where[0] / max(n, 1),
                float(has_mentions),
                np.log1p(n),
            ]
        ),
    ]
    out: FloatArray = np.concatenate(parts).astype(np.float32)
    return out
