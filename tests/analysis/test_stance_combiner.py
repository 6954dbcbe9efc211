"""The learned passages-to-actor step: features, the stored combiner, its use by the stance step,
and the evaluation on labelled actors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from app.analysis.actors.combiner import FEATURES, ActorContext, Combiner, features
from app.analysis.actors.stance import ActorStance, Passage, StanceInput, actor_sentiment
from app.analysis.stance import Pair
from app.analysis.stance_labels_eval import ActorLookup, evaluate_actor_labels
from app.analysis.text import split_sentences
from app.analysis.types import ActorSentiment, Analysis

NEUTRAL = [0.05, 0.9, 0.05]
NEGATIVE = [0.8, 0.15, 0.05]


def _context(**changes: object) -> ActorContext:
    base: dict[str, object] = {
        "mentions": 3,
        "passages": 2,
        "in_lead": True,
        "first_position": 0.1,
        "mention_share": 1.0,
        "opinion": 0.9,
        "quoted_share": 0.0,
        "mentions_quoted_share": 0.0,
        "evaluative": 0.4,
        "kind": "person",
    }
    base.update(changes)
    return ActorContext(**base)  # type: ignore[arg-type]


def _opinion_combiner() -> Combiner:
    """Negative when the passages lean negative in an opinion piece; else neutral."""
    width = len(FEATURES)
    coef = np.zeros((3, width))
    coef[0, FEATURES.index("opinion_x_mean_negative")] = 4.0
    return Combiner(np.zeros(width), np.ones(width), coef, [-1.0, 0.0, -5.0])


def test_features_follow_the_names_and_read_the_context() -> None:
    rows = np.array([NEGATIVE, NEUTRAL], dtype=np.float32)
    row = features(rows, _context())
    assert row.shape == (len(FEATURES),)
    value = dict(zip(FEATURES, row.tolist(), strict=True))
    assert value["mean_negative"] == pytest.approx(0.425)
    assert value["max_negative"] == pytest.approx(0.8)
    assert value["log_mentions"] == pytest.approx(np.log1p(3))
    assert value["opinion_x_mean_negative"] == pytest.approx(0.9 * 0.425)
    assert value["is_person"] == 1.0
    assert value["is_place"] == 0.0
    # no genre head: halfway between news and opinion
    assert dict(zip(FEATURES, features(rows, _context(opinion=None)), strict=True))[
        "opinion"
    ] == pytest.approx(0.5)


def test_the_same_passages_read_as_opinion_or_news() -> None:
    combiner = _opinion_combiner()
    rows = np.array([NEGATIVE, NEGATIVE], dtype=np.float32)
    assert combiner.label(features(rows, _context(opinion=0.95))) == 0
    assert combiner.label(features(rows, _context(opinion=0.05))) == 1
    probabilities = combiner.probabilities(features(rows, _context()))
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)


def test_the_bias_moves_the_label_and_the_probabilities_with_it() -> None:
    combiner = _opinion_combiner()
    row = features(np.array([NEGATIVE], dtype=np.float32), _context(opinion=0.5))
    before = combiner.probabilities(row)
    combiner.bias = np.array([-5.0, 0.0, 0.0])
    assert combiner.label(row) == 1
    after = combiner.probabilities(row)
    assert after[0] < before[0]
    assert int(np.argmax(after)) == combiner.label(row)


def test_a_stored_combiner_round_trips_and_a_foreign_one_is_refused(tmp_path: Path) -> None:
    combiner = _opinion_combiner()
    path = tmp_path / "combiner.json"
    path.write_text(json.dumps(combiner.to_json()))
    loaded = Combiner.load(path)
    row = features(np.array([NEGATIVE], dtype=np.float32), _context())
    assert loaded.label(row) == combiner.label(row)
    data = json.loads(path.read_text())
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="features"):
        Combiner.load(path)


class _Lookup:
    """Stands in for StanceModel: negative where the passage says "reckless"."""

    max_pieces = 64
    focus = 2.0
    neutral_bias = 1.0

    def __init__(self, combiner: Combiner | None) -> None:
        self.combiner = combiner
        self.seen: list[str] = []

    def pair(self, target: str, passage: str, mentions: Sequence[tuple[int, int]] = ()) -> Pair:
        self.seen.append(passage)
        return Pair(ids=(len(self.seen) - 1,), target=(), passage_start=1)

    def probabilities(self, pairs: Sequence[Pair]) -> np.ndarray:
        rows = [NEGATIVE if "reckless" in self.seen[p.ids[0]] else NEUTRAL for p in pairs]
        return np.array(rows, dtype=np.float32).reshape(-1, 3)


TEXT = (
    "NATO expanded again this year. The move was reckless.\n\n"
    "Officials met in Brussels on Thursday. NATO said little."
)


def _nato(text: str) -> list[tuple[int, int, int]]:
    out = []
    for s in split_sentences(text):
        start = s.text.find("NATO")
        if start >= 0:
            out.append((s.index, s.start + start, s.start + start + 4))
    return out


@pytest.mark.parametrize(("opinion", "label"), [(0.95, "negative"), (0.05, "neutral")])
def test_the_stance_step_uses_the_bundles_combiner_with_the_genre(
    opinion: float, label: str
) -> None:
    stance = ActorStance(_Lookup(_opinion_combiner()))  # type: ignore[arg-type]
    doc = StanceInput(
        TEXT, split_sentences(TEXT), [("NATO", _nato(TEXT))], opinion=opinion, kinds=["group"]
    )
    [[nato]] = stance.toward_actors([doc])
    assert nato.label == label
    # the evidence still comes with the label, the critical passage first
    assert nato.passages
    assert "reckless" in TEXT[nato.passages[0].start : nato.passages[0].end] or label == "neutral"


def test_the_context_counts_mentions_lead_and_quoted_words() -> None:
    text = 'NATO met.\n\nLater, "NATO is obsolete and useless," a critic said. NATO shrugged.'
    stance = ActorStance(_Lookup(None))  # type: ignore[arg-type]
    doc = StanceInput(text, split_sentences(text), [("NATO", _nato(text))], opinion=0.3)
    [(name, passages, context)] = stance.read(doc)
    assert name == "NATO"
    assert context.mentions == 3
    assert context.passages == len(passages) == 2
    assert context.in_lead
    assert context.mentions_quoted_share == pytest.approx(1 / 3)
    assert 0 < context.quoted_share < 1
    assert context.opinion == 0.3


def test_without_a_combiner_the_rule_decides() -> None:
    rows = np.array([NEUTRAL, NEUTRAL, NEGATIVE], dtype=np.float32)
    passages = [Passage(0, 5, (), (0,)), Passage(6, 9, (), (1,)), Passage(10, 15, (), (2,))]
    # the rule with its focus: the one critical passage decides
    assert actor_sentiment(rows, passages, focus=2.0).label == "negative"
    assert actor_sentiment(rows, passages, focus=2.0, context=_context()).label == "negative"
    # a combiner that reads the genre overrules it in news
    news = actor_sentiment(
        rows, passages, focus=2.0, combiner=_opinion_combiner(), context=_context(opinion=0.0)
    )
    assert news.label == "neutral"


class _Analysis:
    def __init__(self, actors: list[tuple[str, str]]) -> None:
        self.actors = [_Actor(name, label) for name, label in actors]
        self.sentences = ()


class _Actor:
    def __init__(self, name: str, label: str) -> None:
        self.name = name
        self.aliases = ("Brussels-Capital",) if name == "Brussels" else ()
        self.key = "person:paul ryan" if name == "Paul D. Ryan" else f"org:{name.casefold()}"
        self.sentiment = ActorSentiment(label=label, score=0.0, probabilities={})  # type: ignore[arg-type]


class _Reader:
    """Lists two actors of every text; reads every passage as negative."""

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        return [_Analysis([("NATO", "negative"), ("Brussels", "neutral")]) for _ in texts]  # type: ignore[misc]

    def passage_stances(
        self, text: str, analysis: Analysis, actor: str, spans: Sequence[tuple[int, int]]
    ) -> list[str | None]:
        return ["negative" if start >= 0 else None for start, _ in spans]


def _record(split: str, sample: str, labels: dict[str, str]) -> dict[str, object]:
    return {
        "text": TEXT,
        "split": split,
        "sample": sample,
        "actors": [
            {"name": name, "label": label, "passages": [{"start": 0, "end": 10, "label": label}]}
            for name, label in labels.items()
        ],
    }


def test_labelled_actors_are_scored_on_their_split_per_sample_and_level() -> None:
    records = [
        _record("dev", "opinion", {"NATO": "negative", "Brussels": "neutral"}),
        _record("dev", "mixed", {"NATO": "neutral", "Ghost": "neutral"}),
        _record("train", "mixed", {"NATO": "positive"}),
    ]
    alias = evaluate_actor_labels(
        _Reader(), [_record("dev", "world", {"brussels-capital": "neutral"})]
    )  # type: ignore[arg-type]
    assert alias["actors_not_found"] == 0
    articles = evaluate_actor_labels(_Reader(), records)  # type: ignore[arg-type]
    assert articles["n"] == 4  # the train record is not scored
    assert articles["actors_not_found"] == 1  # "Ghost": predicted neutral, counted apart
    assert articles["accuracy"] == pytest.approx(3 / 4)
    assert articles["by_sample"]["opinion"]["accuracy"] == 1.0
    passages = evaluate_actor_labels(_Reader(), records, level="passage")  # type: ignore[arg-type]
    assert passages["n"] == 3  # Ghost's passage cannot be read
    assert passages["passages_not_found"] == 1
    everything = evaluate_actor_labels(_Reader(), records, split=None)  # type: ignore[arg-type]
    assert everything["n"] == 5


def test_a_labelled_actor_is_found_by_name_then_alias_then_key() -> None:
    lookup = ActorLookup(
        [_Actor(n, "neutral") for n in ("NATO", "Brussels", "Paul D. Ryan")]  # type: ignore[misc]
    )
    assert lookup.find("NATO").name == "NATO"  # type: ignore[union-attr]
    assert lookup.find("brussels-capital").name == "Brussels"  # type: ignore[union-attr]
    # a person the resolver now names more fully keeps the key of the labelled name
    assert lookup.find("Paul Ryan").name == "Paul D. Ryan"  # type: ignore[union-attr]
    assert lookup.find("Ryan") is None  # a part of a name is not the person
    assert lookup.find("Ghost") is None


class _NamedReader(_Reader):
    """Reads passages only for the actor's name as the analysis writes it, as the analyzer does."""

    def analyze(
        self, texts: list[str], titles: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        return [_Analysis([("Paul D. Ryan", "negative")]) for _ in texts]  # type: ignore[misc]

    def passage_stances(
        self, text: str, analysis: Analysis, actor: str, spans: Sequence[tuple[int, int]]
    ) -> list[str | None]:
        return ["negative" if actor == "Paul D. Ryan" else None for _ in spans]


def test_passages_are_read_for_the_actor_as_found_not_as_labelled() -> None:
    records = [_record("dev", "mixed", {"Paul Ryan": "negative"})]
    passages = evaluate_actor_labels(_NamedReader(), records, level="passage")  # type: ignore[arg-type]
    assert (passages["n"], passages["passages_not_found"]) == (1, 0)


def test_a_label_outside_the_three_is_refused() -> None:
    record = _record("dev", "mixed", {"NATO": "hostile"})
    with pytest.raises(ValueError, match="not one of"):
        evaluate_actor_labels(_Reader(), [record])  # type: ignore[arg-type]
