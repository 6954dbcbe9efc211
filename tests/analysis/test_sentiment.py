"""Sentiment heads: shapes and aggregation on hand-made inputs; the bundled model when slow."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from app.analysis.actors.sentiment import ACTOR_FEATURES, actor_features
from app.analysis.encoder import Encoded, FloatArray
from app.analysis.sentiment import (
    BUNDLED_DIR,
    HEADS_FILE,
    Head,
    SentimentModel,
    document_sentiment,
    sentence_sentiments,
    target_features,
)
from app.analysis.sentiment_eval import (
    classification_report,
    evaluate_sentiment,
    evaluate_targeted,
    newsmtsc_holdout,
)
from app.analysis.types import SentenceSentiment

DIM = 8
NEWSMTSC = Path(__file__).resolve().parents[3] / "shared/data/train/sentiment_newsmtsc_train.jsonl"


def _encoded(text: str, seed: int = 0) -> Encoded:
    """A fake encoder pass: one random vector per whitespace token, with its offsets."""
    rng = np.random.default_rng(seed)
    offsets = []
    position = 0
    for word in text.split():
        start = text.index(word, position)
        offsets.append((start, start + len(word)))
        position = start + len(word)
    tokens = rng.normal(size=(len(offsets), DIM)).astype(np.float32)
    sentence = tokens.mean(axis=0) if len(tokens) else np.zeros(DIM, dtype=np.float32)
    return Encoded(
        sentence=(sentence / (np.linalg.norm(sentence) or 1.0)).astype(np.float32),
        tokens=tokens,
        offsets=np.asarray(offsets, dtype=np.int64).reshape(-1, 2),
    )


def _random_head(n_inputs: int, hidden: int | None, seed: int) -> Head:
    rng = np.random.default_rng(seed)
    sizes = [n_inputs, *([hidden] if hidden else []), 3]
    return Head(
        mean=rng.normal(size=n_inputs).astype(np.float32),
        scale=(1 + rng.random(n_inputs)).astype(np.float32),
        weights=tuple(
            rng.normal(size=(a, b)).astype(np.float32) for a, b in itertools.pairwise(sizes)
        ),
        biases=tuple(rng.normal(size=b).astype(np.float32) for b in sizes[1:]),
    )


def _mention_mean_head() -> Head:
    """An actor head whose logits are 5 x the mean mention probabilities: it follows them."""
    n = len(ACTOR_FEATURES)
    weights = np.zeros((n, 3), dtype=np.float32)
    for column, name in enumerate(("mention_mean_neg", "mention_mean_neu", "mention_mean_pos")):
        weights[ACTOR_FEATURES.index(name), column] = 5.0
    return Head(
        mean=np.zeros(n, dtype=np.float32),
        scale=np.ones(n, dtype=np.float32),
        weights=(weights,),
        biases=(np.zeros(3, dtype=np.float32),),
    )


@pytest.fixture
def model(tmp_path: Path) -> SentimentModel:
    n_targeted = target_features(_encoded("a b c"), 0, 1).shape[0]
    arrays: dict[str, FloatArray] = {}
    arrays |= _random_head(DIM, None, 1).to_arrays("sentence/0")
    arrays |= _random_head(n_targeted, 5, 2).to_arrays("targeted/0")
    arrays |= _random_head(n_targeted, None, 3).to_arrays("targeted/1")
    arrays |= _mention_mean_head().to_arrays("actor/0")
    np.savez(tmp_path / HEADS_FILE, **arrays)  # type: ignore[arg-type]
    return SentimentModel(tmp_path)


def _rows(*rows: tuple[float, float, float]) -> FloatArray:
    return np.asarray(rows, dtype=np.float32)


def test_head_round_trips_and_gives_distributions() -> None:
    head = _random_head(DIM, 4, 0)
    again = Head.from_arrays(head.to_arrays("x"), "x")
    features = np.random.default_rng(1).normal(size=(6, DIM)).astype(np.float32)
    probs = again.probabilities(features)
    assert probs.shape == (6, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(probs, head.probabilities(features))


def test_target_features_read_the_span_and_its_context() -> None:
    encoded = _encoded("critics attacked Smith over the plan")
    features = target_features(encoded, 17, 22)
    assert features.shape == (4 * DIM + 3,)
    np.testing.assert_allclose(features[DIM : 2 * DIM], encoded.tokens[2])
    # relative position: two tokens before the target, three after, of six
    np.testing.assert_allclose(features[-3:-1], [2 / 6, 3 / 6], rtol=1e-6)
    # a span between tokens falls back on the nearest token instead of failing
    np.testing.assert_allclose(target_features(encoded, 16, 17)[DIM : 2 * DIM], encoded.tokens[2])
    assert not target_features(_encoded(""), 0, 0).any()


def test_model_shapes_and_probabilities(model: SentimentModel) -> None:
    encoded = [_encoded("one two three", 1), _encoded("four five", 2), _encoded("six", 3)]
    probs = model.sentence_probabilities(encoded)
    assert probs.shape == (3, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    sentiments = model.sentences(encoded)
    assert [s.sentence_index for s in sentiments] == [0, 1, 2]
    assert all(s.label == max(s.probabilities, key=s.probabilities.__getitem__) for s in sentiments)

    targeted = model.targeted([(encoded[0], 4, 7), (encoded[1], 0, 4)])
    assert targeted.shape == (2, 3)
    np.testing.assert_allclose(targeted.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(
        model.targeted_probabilities(encoded, [(0, 4, 7), (1, 0, 4)]), targeted
    )
    assert model.targeted([]).shape == (0, 3)
    assert model.sentence_probabilities([]).shape == (0, 3)
    assert model.version.startswith("lens-sentiment-heads@")


def test_sentence_sentiments_score_is_positive_minus_negative() -> None:
    (only,) = sentence_sentiments(_rows((0.1, 0.2, 0.7)))
    assert only.label == "positive"
    assert only.score == pytest.approx(0.6)
    assert sum(only.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_document_is_the_mean_with_drivers_strongest_first() -> None:
    probs = _rows((0.1, 0.2, 0.7), (0.1, 0.8, 0.1), (0.05, 0.05, 0.9), (0.6, 0.3, 0.1))
    document = document_sentiment(probs)
    assert document.label == "positive"
    assert document.probabilities["positive"] == pytest.approx(0.45)
    assert document.score == pytest.approx(0.45 - 0.2125)
    assert document.drivers == (2, 0)
    sentiments = sentence_sentiments(probs)
    assert document_sentiment(sentiments) == document


def test_mostly_neutral_document_stays_neutral() -> None:
    probs = _rows((0.1, 0.85, 0.05), (0.1, 0.8, 0.1), (0.1, 0.7, 0.2), (0.7, 0.2, 0.1))
    document = document_sentiment(probs, max_drivers=2)
    assert document.label == "neutral"
    assert document.drivers == (0, 1)


def test_empty_document_is_neutral() -> None:
    empty: list[SentenceSentiment] = []
    document = document_sentiment(empty)
    assert document.label == "neutral"
    assert document.score == 0.0
    assert document.drivers == ()


def test_actor_features_summarise_mentions_and_context() -> None:
    sentences = _rows((0.1, 0.8, 0.1), (0.7, 0.2, 0.1), (0.1, 0.8, 0.1), (0.1, 0.1, 0.8))
    mentions = _rows((0.9, 0.05, 0.05), (0.5, 0.3, 0.2))
    features = dict(zip(ACTOR_FEATURES, actor_features(mentions, [1, 1], sentences), strict=True))
    assert len(features) == len(ACTOR_FEATURES)
    assert features["mention_mean_neg"] == pytest.approx(0.7)
    assert features["mention_max_neg"] == pytest.approx(0.9)
    assert features["mention_min_pos"] == pytest.approx(0.05)
    assert features["first_mention_neg"] == pytest.approx(0.9)
    assert features["mention_sentences_neg"] == pytest.approx(0.7)
    # sentences 0..2 surround the mentions in sentence 1
    assert features["around_mentions_neg"] == pytest.approx(0.3)
    assert features["document_pos"] == pytest.approx(0.275)
    assert features["mention_share"] == pytest.approx(0.25)
    assert features["first_position"] == pytest.approx(0.25)
    assert features["has_mentions"] == 1.0


def test_actor_without_mentions_falls_back_on_the_document() -> None:
    sentences = _rows((0.1, 0.8, 0.1), (0.1, 0.2, 0.7))
    features = dict(
        zip(ACTOR_FEATURES, actor_features(np.zeros((0, 3)), [], sentences), strict=True)
    )
    assert features["has_mentions"] == 0.0
    assert features["mention_mean_pos"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="sentence index"):
        actor_features(_rows((0.2, 0.6, 0.2)), [5], sentences)


def test_actor_sentiment_follows_its_head_and_keeps_evidence(model: SentimentModel) -> None:
    sentences = _rows((0.1, 0.8, 0.1), (0.1, 0.8, 0.1), (0.3, 0.4, 0.3))
    mentions = _rows((0.8, 0.1, 0.1), (0.7, 0.2, 0.1), (0.6, 0.3, 0.1))
    actor = model.actor(mentions, [2, 0, 2], sentences)
    assert actor.label == "negative"
    assert actor.score < 0
    assert sum(actor.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert actor.evidence == (0, 2)
    assert model.actor(np.zeros((0, 3)), [], sentences).evidence == ()


def test_classification_report_counts() -> None:
    report = classification_report("sentiment", [0, 0, 1, 2, 2], [0, 1, 1, 2, 0], [0, 1, 2])
    assert report["n"] == 5
    assert report["accuracy"] == pytest.approx(0.6)
    assert report["per_label"]["negative"] == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
    }
    assert report["per_label"]["neutral"]["f1"] == pytest.approx(0.6667)
    assert report["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3, abs=1e-4)


class _FixedEncoder:
    """Stands in for `Encoder` in the evaluation tests: a fake pass per text."""

    def encode(self, texts: list[str]) -> list[Encoded]:
        return [_encoded(t, i) for i, t in enumerate(texts)]


def test_binary_files_are_scored_on_negative_and_positive(model: SentimentModel) -> None:
    records = [{"text": "good fun", "label": "positive"}, {"text": "dull", "label": "negative"}]
    report = evaluate_sentiment(records, model, _FixedEncoder())  # type: ignore[arg-type]
    assert set(report["per_label"]) == {"negative", "positive"}
    assert report["n"] == 2
    with pytest.raises(ValueError, match="label"):
        evaluate_sentiment([{"text": "x", "label": "mixed"}], model, _FixedEncoder())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def bundled() -> tuple[SentimentModel, object]:
    from app.analysis.model_profiles import bundled_encoder
    from app.core.config import Settings

    # the encoder as the service runs it (ONNX Runtime, int8 weights by default)
    return SentimentModel(), bundled_encoder(Settings())


@pytest.mark.slow
def test_bundled_model_reads_clear_sentences(bundled: tuple[SentimentModel, object]) -> None:
    model, encoder = bundled
    texts = ["This is a disaster and a shameful failure.", "A wonderful, inspiring success."]
    labels = [s.label for s in model.sentences(encoder.encode(texts))]  # type: ignore[attr-defined]
    assert labels == ["negative", "positive"]
    assert (BUNDLED_DIR / HEADS_FILE).exists()


@pytest.mark.slow
def test_bundled_targeted_model_tells_targets_apart(
    bundled: tuple[SentimentModel, object],
) -> None:
    model, encoder = bundled
    text = "Voters adored Smith, but they despised Jones for his corruption."
    (encoded,) = encoder.encode([text])  # type: ignore[attr-defined]
    smith, jones = model.targeted([(encoded, 14, 19), (encoded, 39, 44)])
    # Relative, not absolute: the sentence's negative tone still makes Smith's label negative
    # (0.53 negative, 0.39 positive when written), a known limit of frozen encoder features.
    assert smith[2] > 5 * jones[2]
    assert jones[0] > smith[0] + 0.2


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(not NEWSMTSC.exists(), reason="../shared/data is absent")
def test_bundled_targeted_model_meets_the_floor_on_the_newsmtsc_holdout(
    bundled: tuple[SentimentModel, object],
) -> None:
    model, encoder = bundled
    with NEWSMTSC.open() as handle:
        records = [json.loads(line) for line in handle]
    held_out = [r for r, held in zip(records, newsmtsc_holdout(records), strict=True) if held]
    report = evaluate_targeted(held_out, model, encoder)  # type: ignore[arg-type]
    assert report["macro_f1"] >= 0.70
