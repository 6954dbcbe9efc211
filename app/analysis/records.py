"""An analysis as plain records: one dict per row, numpy scalars made Python ints and floats.

The one mapping of an `Analysis` (app/analysis/types.py) to the shape its annotations take: the
annotation tables store these records (app/services/annotate.py adds the article and actor ids),
POST /v1/analyze shows them (app/schemas/analysis.py), and a stored row is read back into the
same record by `read` with the field names below (the article view, history and exports), so a
field of the analysis is mapped here once. tests/analysis/test_records.py checks that the
records, the field names and the annotation tables' columns agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.analysis.types import SENTIMENT_LABELS, ActorAnalysis, Analysis

Record = dict[str, Any]

# The fields of each record; a stored annotation row has a column of each name.
SENTENCE_FIELDS = ("index", "start", "end", "label", "score")
DOCUMENT_SENTIMENT_FIELDS = ("label", "score", "probabilities", "drivers")
TOPIC_FIELDS = ("code", "label", "score", "parent")
ACTOR_FIELDS = (
    "mention_count",
    "salience",
    "sentiment_label",
    "sentiment_score",
    "sentiment_probabilities",
    "evidence",
    "passages",
)
MENTION_FIELDS = ("text", "label", "start", "end", "sentence_index")
QUOTATION_FIELDS = ("start", "end", "kind", "cue", "how", "speaker_name", "text")
QUOTE_TARGET_FIELDS = ("label", "score")


def read(row: object, fields: Iterable[str]) -> Record:
    """A stored row (anything with these attributes) as the record it was written from."""
    return {name: getattr(row, name) for name in fields}


def probabilities(values: Mapping[str, Any]) -> dict[str, float]:
    # Models hand back numpy floats, which JSON cannot store.
    return {str(label): float(p) for label, p in values.items()}


def sentences(analysis: Analysis) -> list[Record]:
    """Each sentence's span with its sentiment (label and score None where it was not scored)."""
    scored = {s.sentence_index: s for s in analysis.sentence_sentiments}
    records = []
    for sentence in analysis.sentences:
        score = scored.get(sentence.index)
        records.append(
            {
                "index": int(sentence.index),
                "start": int(sentence.start),
                "end": int(sentence.end),
                "label": score.label if score else None,
                "score": float(score.score) if score else None,
            }
        )
    return records


def document_sentiment(analysis: Analysis) -> Record:
    """The document's sentiment, without its sentences (see `sentences`)."""
    document = analysis.sentiment
    return {
        "label": document.label,
        "score": float(document.score),
        "probabilities": probabilities(document.probabilities),
        "drivers": [int(i) for i in document.drivers],
    }


def topics(analysis: Analysis) -> list[Record]:
    return [
        {"code": t.code, "label": t.label, "score": float(t.score), "parent": t.parent}
        for t in analysis.topics
    ]


def actor(annotation: ActorAnalysis) -> Record:
    """An actor's place in the article and the author's sentiment toward it (the row's columns)."""
    sentiment = annotation.sentiment
    return {
        "mention_count": int(annotation.mention_count),
        "salience": float(annotation.salience),
        "sentiment_label": sentiment.label,
        "sentiment_score": float(sentiment.score),
        "sentiment_probabilities": probabilities(sentiment.probabilities),
        "evidence": [int(i) for i in sentiment.evidence],
        "passages": [
            {
                "start": int(p.start),
                "end": int(p.end),
                "label": p.label,
                "score": float(p.score),
                "weight": float(p.weight),
            }
            for p in sentiment.passages
        ],
    }


def mentions(annotation: ActorAnalysis) -> list[Record]:
    return [
        {
            "text": m.text,
            "label": m.label,
            "start": int(m.start),
            "end": int(m.end),
            "sentence_index": int(m.sentence_index),
        }
        for m in annotation.mentions
    ]


def quotations(analysis: Analysis) -> list[Record]:
    """Each quotation's fields, with ``speaker_key`` and its ``targets`` (each ``key``, ``name``
    and the QUOTE_TARGET_FIELDS) for the caller to turn into ids or views."""
    return [
        {
            "start": int(q.start),
            "end": int(q.end),
            "kind": q.kind,
            "cue": q.cue,
            "how": q.how,
            "speaker_name": q.speaker_name,
            "text": q.text,
            "speaker_key": q.speaker_key,
            "targets": [
                {"key": t.key, "name": t.name, "label": t.label, "score": float(t.score)}
                for t in q.targets
            ],
        }
        for q in analysis.quotations
    ]


def relations(analysis: Analysis) -> list[Record]:
    """The speaker -> target edges of the article: per pair of actors, its quotations' targets
    counted by the speaker's stance (``speaker_key``, ``target_key``, negative, neutral,
    positive), in order of first appearance."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for q in analysis.quotations:
        if q.speaker_key is None:
            continue
        for t in q.targets:
            if t.key == q.speaker_key:
                continue
            edge = counts.setdefault((q.speaker_key, t.key), dict.fromkeys(SENTIMENT_LABELS, 0))
            edge[t.label] += 1
    return [
        {"speaker_key": speaker, "target_key": target, **by_label}
        for (speaker, target), by_label in counts.items()
    ]
