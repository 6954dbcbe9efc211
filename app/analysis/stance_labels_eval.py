"""`lens eval actor-sentiment` on the in-domain labels (``stance_actor_labels.jsonl.gz``): the
author's stance toward each labelled actor of an article, through the product's path.

Each record is one article: ``text``, ``sample``, ``split`` and ``actors``, each with ``name``,
``label`` and ``passages`` (``start``, ``end``, ``label``). The article is analysed as the worker
would; each labelled actor is looked up among its actors (`ActorLookup`: by name, as the labels
were made on the product's own actors; then, where the resolver has changed since, among an
actor's aliases or by its key, so "Paul Ryan" is found as "Paul D. Ryan", ``person:paul ryan``),
and scored:

- ``level="article"``: the actor's label against the article-level label;
- ``level="passage"``: each labelled passage that is one of the actor's passages, as the stance
  model alone reads it (quotations blanked as the product does), against the passage label.

A labelled actor the analysis no longer lists counts as predicted neutral at the article level
(the product says nothing of it) and is reported apart (``actors_not_found``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

from app.analysis.sentiment_eval import classification_report
from app.analysis.types import SENTIMENT_LABELS, ActorAnalysis, Analysis

_INDEX: dict[str, int] = {label: i for i, label in enumerate(SENTIMENT_LABELS)}
_BATCH = 8
Level = Literal["article", "passage"]


class PassageReader(Protocol):
    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]: ...

    def passage_stances(
        self, text: str, analysis: Analysis, actor: str, spans: Sequence[tuple[int, int]]
    ) -> list[str | None]: ...


class ActorLookup:
    """A labelled actor's name among an article's actors: the same name; else an alias (a name
    the resolver now writes more fully); else the key's name part (``person:paul ryan`` for a
    person the article now names "Paul D. Ryan"). Case is ignored after the exact name."""

    def __init__(self, actors: Sequence[ActorAnalysis]) -> None:
        self._by_name = {a.name: a for a in actors}
        self._by_alias = {n.casefold(): a for a in actors for n in a.aliases}
        self._by_key = {a.key.partition(":")[2].casefold(): a for a in actors}

    def find(self, name: str) -> ActorAnalysis | None:
        folded = name.casefold()
        return self._by_name.get(name) or self._by_alias.get(folded) or self._by_key.get(folded)


def _split_of(record: Mapping[str, Any], split: str | None) -> bool:
    return split is None or record.get("split") == split


def evaluate_actor_labels(
    analyzer: PassageReader,
    records: Sequence[Mapping[str, Any]],
    level: Level = "article",
    split: str | None = "dev",
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Macro F1 and per-label scores, over all and per ``sample`` (mixed, opinion, world)."""
    chosen = [r for r in records if _split_of(r, split)]
    for number, record in enumerate(chosen, start=1):
        for actor in record["actors"]:
            labels = [actor["label"], *(p["label"] for p in actor["passages"])]
            if any(label not in _INDEX for label in labels):
                raise ValueError(f"record {number}: a label is not one of {SENTIMENT_LABELS}")
    gold: list[int] = []
    predicted: list[int] = []
    samples: list[str] = []
    not_found = passages_not_found = 0
    for b in range(0, len(chosen), _BATCH):
        chunk = chosen[b : b + _BATCH]
        for record, analysis in zip(
            chunk,
            analyzer.analyze([r["text"] for r in chunk], [r.get("title") for r in chunk]),
            strict=True,
        ):
            lookup = ActorLookup(analysis.actors)
            for actor in record["actors"]:
                found = lookup.find(actor["name"])
                if found is None:
                    not_found += 1
                if level == "article":
                    gold.append(_INDEX[actor["label"]])
                    predicted.append(_INDEX[found.sentiment.label] if found else 1)
                    samples.append(str(record.get("sample", "")))
                    continue
                if found is None:
                    passages_not_found += len(actor["passages"])
                    continue
                spans = [(int(p["start"]), int(p["end"])) for p in actor["passages"]]
                # the actor as found (a fuller name, an alias, a key), not the label's name
                read = analyzer.passage_stances(record["text"], analysis, found.name, spans)
                for passage, label in zip(actor["passages"], read, strict=True):
                    if label is None:
                        passages_not_found += 1
                        continue
                    gold.append(_INDEX[passage["label"]])
                    predicted.append(_INDEX[label])
                    samples.append(str(record.get("sample", "")))
            if progress is not None:
                progress(1)
    task = f"actor-sentiment ({level} level, {split or 'all'} split)"
    result = classification_report(task, gold, predicted, [0, 1, 2])
    result["actors_not_found"] = not_found
    if level == "passage":
        result["passages_not_found"] = passages_not_found
    result["by_sample"] = {
        sample: classification_report(
            f"{task}: {sample}",
            [g for g, s in zip(gold, samples, strict=True) if s == sample],
            [p for p, s in zip(predicted, samples, strict=True) if s == sample],
            [0, 1, 2],
        )
        for sample in sorted(set(samples))
    }
    return result
