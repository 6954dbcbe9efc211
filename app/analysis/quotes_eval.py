"""`lens eval quotes`: quotation speakers and the speaker's stance toward each target, against
the labels of ``data/labels/quotes`` (QUOTES_GUIDELINE.md).

The labelled quotations are the direct quotations the stance step found when the set was drawn
(``articles.jsonl``: each article's text and its quotations' ``start``/``end``); each label
(``labels_pass1.jsonl``) gives the speaker, how the article gives it (``how``), whether the marks
mark speech at all (``not_speech``) and the targets with the speaker's stance. Each article is
analysed as the worker does and each labelled quotation is looked up among the analysis's
quotations by its span:

- **speaker**: right when the predicted speaker names the labelled one (`same_speaker`); a
  quotation the analysis does not list has no speaker. Scored apart for the quotations whose
  speaker the article names (by ``how``: explicit, pronoun, title, context) and for those it does
  not (``how`` none, or not speech), where the right answer is no speaker.
- **targets**: each labelled target of a speech quotation is looked up among the predicted
  targets of that quotation by name; the stance macro F1 is over the targets found, and
  ``stance_model_read`` is the stance model reading each labelled quotation with each labelled
  target (whether the rules found it or not): the stance part alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from app.analysis.encoder import FloatArray
from app.analysis.sentiment_eval import classification_report
from app.analysis.stance import Pair
from app.analysis.types import SENTIMENT_LABELS, ActorAnalysis, Analysis, Quotation

_BATCH = 8
NAMED = ("explicit", "pronoun", "title", "context")
_INDEX = {label: i for i, label in enumerate(SENTIMENT_LABELS)}


class _PairModel(Protocol):
    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair: ...
    def probabilities(self, pairs: Sequence[Pair]) -> FloatArray: ...


class QuoteReader(Protocol):
    def analyze(self, texts: list[str]) -> list[Analysis]: ...


def _norm(name: str) -> str:
    return " ".join(name.replace("’", "'").replace(".", "").casefold().split())


def same_speaker(predicted: Sequence[str], gold: str) -> bool:
    """Whether any of ``predicted`` (an actor's name, aliases and mention texts, or a bare name)
    names ``gold``: equal, one inside the other as whole words ("Trump", "Donald Trump"), or
    two names of two words or more with the same last word ("Donald J. Trump")."""
    g = _norm(gold)
    for name in map(_norm, predicted):
        if not name:
            continue
        if name == g or f" {name} " in f" {g} " or f" {g} " in f" {name} ":
            return True
        if len(name.split()) > 1 and len(g.split()) > 1 and name.split()[-1] == g.split()[-1]:
            return True
    return False


def _names(actor: ActorAnalysis | None, name: str | None) -> list[str]:
    if actor is None:
        return [name] if name else []
    return [actor.name, *actor.aliases, *(m.text for m in actor.mentions)]


def evaluate_quotes(
    analyzer: QuoteReader,
    articles: Sequence[Mapping[str, Any]],
    labels: Sequence[Mapping[str, Any]],
    model: _PairModel | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Speaker accuracy by kind and target stance (see the module docstring)."""
    by_quote = {(int(label["article"]), str(label["q"])): label for label in labels}
    speakers: Counter[tuple[str, bool]] = Counter()
    gold_stances: list[int] = []
    found_stances: list[int] = []
    targets_gold = targets_found = predicted_targets = 0
    read_pairs: list[Pair] = []
    read_gold: list[int] = []
    for first in range(0, len(articles), _BATCH):
        batch = articles[first : first + _BATCH]
        analyses = analyzer.analyze([str(a["text"]) for a in batch])
        for article, analysis in zip(batch, analyses, strict=True):
            text = str(article["text"])
            spans = {(q.start, q.end): q for q in analysis.quotations if q.kind == "direct"}
            actors = {a.key: a for a in analysis.actors}
            for marked in article["quotes"]:
                label = by_quote.get((int(article["article"]), str(marked["q"])))
                if label is None:
                    continue
                quote = spans.get((int(marked["start"]), int(marked["end"])))
                speakers[_speaker_case(label), _speaker_right(quote, label, actors)] += 1
                if label["not_speech"]:
                    continue
                predicted = [] if quote is None else list(quote.targets)
                predicted_targets += len(predicted)
                words = text[int(marked["start"]) : int(marked["end"])]
                for target in label["targets"]:
                    targets_gold += 1
                    gold = _INDEX[target["stance"]]
                    if model is not None:
                        read_pairs.append(model.pair(str(target["actor"]), words))
                        read_gold.append(gold)
                    match = _matching(predicted, str(target["actor"]), actors)
                    if match is not None:
                        targets_found += 1
                        gold_stances.append(gold)
                        found_stances.append(_INDEX[match.label])
        if progress is not None:
            progress(len(batch))
    result: dict[str, Any] = {"task": "quotes", "n": sum(speakers.values())}
    result["speaker"] = _speaker_figures(speakers)
    result["targets"] = {
        "labelled": targets_gold,
        "found": targets_found,
        "recall": round(targets_found / targets_gold, 4) if targets_gold else 0.0,
        "predicted": predicted_targets,
    }
    result["stance"] = classification_report(
        "quote-stance", gold_stances, found_stances, range(len(SENTIMENT_LABELS))
    )
    if model is not None and read_pairs:
        rows = model.probabilities(read_pairs)
        read = [int(np.argmax(row)) for row in rows]
        result["stance_model_read"] = classification_report(
            "quote-stance-model", read_gold, read, range(len(SENTIMENT_LABELS))
        )
    return result


def _speaker_case(label: Mapping[str, Any]) -> str:
    if label["not_speech"] or label["speaker"] is None:
        return "null"
    return str(label["how"]) if label["how"] in NAMED else "null"


def _speaker_right(
    quote: Quotation | None, label: Mapping[str, Any], actors: Mapping[str, ActorAnalysis]
) -> bool:
    gold = None if label["not_speech"] else label["speaker"]
    name = None if quote is None else quote.speaker_name
    if gold is None or name is None:
        return gold is None and name is None
    actor = None if quote is None or quote.speaker_key is None else actors.get(quote.speaker_key)
    return same_speaker(_names(actor, name), str(gold))


def _matching(
    predicted: Sequence[Any], gold: str, actors: Mapping[str, ActorAnalysis]
) -> Any | None:
    for target in predicted:
        if same_speaker(_names(actors.get(target.key), target.name), gold):
            return target
    return None


def _speaker_figures(speakers: Counter[tuple[str, bool]]) -> dict[str, Any]:
    def share(cases: Sequence[str]) -> dict[str, Any]:
        right = sum(speakers[c, True] for c in cases)
        total = right + sum(speakers[c, False] for c in cases)
        return {"right": right, "n": total, "accuracy": round(right / total, 4) if total else 0.0}

    out = {case: share([case]) for case in (*NAMED, "null")}
    out["named"] = share(NAMED)
    out["pronoun_or_title"] = share(("pronoun", "title"))
    return out
