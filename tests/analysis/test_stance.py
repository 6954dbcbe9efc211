"""The stance cross-encoder's inputs and runtime, on a tiny random model built here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.analysis.encoder import bundled_encoder_path
from app.analysis.stance import StanceModel, collate, encode_pair
from tests.analysis.tiny_models import build_tiny_stance


@pytest.fixture(scope="module")
def tokenizer() -> object:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(bundled_encoder_path()))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_stance(tmp_path_factory.mktemp("stance") / "model")


def test_a_pair_reads_the_target_then_the_passage(tokenizer: object) -> None:
    passage = "Washington imposed sanctions on Moscow."
    pair = encode_pair(tokenizer, "United States", passage, [(0, 10)])
    pieces = tokenizer.convert_ids_to_tokens(list(pair.ids))  # type: ignore[attr-defined]
    assert pieces[:5] == ["[CLS]", "united", "states", "[SEP]", "washington"]
    assert pieces[-1] == "[SEP]"
    # the target segment and the mention "Washington" are pooled as the target
    assert [pieces[i] for i in pair.target] == ["united", "states", "washington"]


def test_a_long_passage_keeps_a_window_around_its_mentions(tokenizer: object) -> None:
    filler = "The weather was mild and the roads were quiet. " * 40
    passage = filler + "Critics blamed NATO for the crisis. " + filler
    start = passage.index("NATO")
    pair = encode_pair(tokenizer, "NATO", passage, [(start, start + 4)], max_pieces=48)
    assert len(pair.ids) == 48
    pieces = tokenizer.convert_ids_to_tokens(list(pair.ids))  # type: ignore[attr-defined]
    assert "blamed" in pieces
    assert sum(p == "nato" for p in pieces) == 2  # the target segment and the mention


def test_a_target_the_passage_never_names_still_reads_the_passage(tokenizer: object) -> None:
    pair = encode_pair(tokenizer, "gun control", "Nobody needs a weapon of war at home.")
    pieces = tokenizer.convert_ids_to_tokens(list(pair.ids))  # type: ignore[attr-defined]
    assert pieces[1:3] == ["gun", "control"]
    assert [pieces[i] for i in pair.target] == ["gun", "control"]


def test_collate_pads_and_masks(tokenizer: object) -> None:
    pairs = [encode_pair(tokenizer, "China", "China grew."), encode_pair(tokenizer, "EU", "Hi.")]
    batch = collate(pairs, 0)
    assert batch["input_ids"].shape == batch["attention_mask"].shape
    assert int(batch["attention_mask"][1].sum()) == len(pairs[1].ids)
    assert float(batch["target_mask"][1].sum()) == len(pairs[1].target)


def test_probabilities_are_rows_in_input_order(tiny: Path) -> None:
    model = StanceModel(tiny, runtime="torch")
    pairs = [model.pair("Russia", "Russia and China met."), model.pair("EU", "The EU said no.")]
    probs = model.probabilities(pairs)
    assert probs.shape == (2, 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    # a pair's result does not depend on the pairs beside it or their order
    assert np.allclose(model.probabilities(pairs[::-1])[::-1], probs, atol=1e-5)
    assert np.allclose(model.probabilities(pairs[1:]), probs[1:], atol=1e-5)
    assert model.probabilities([]).shape == (0, 3)
    assert model.version.startswith("minilm-l6-stance@")


def test_onnx_int8_gives_the_same_answers_one_by_one(tiny: Path, tmp_path: Path) -> None:
    torch_model = StanceModel(tiny, runtime="torch")
    onnx_model = StanceModel(tiny, runtime="onnx", quantize=True, cache_dir=tmp_path)
    assert onnx_model.onnx is not None
    assert onnx_model.version.endswith("+int8-onnx")
    texts = ["Russia and China met in Beijing on Monday.", "The EU said no.", "Fine."]
    pairs = [onnx_model.pair("Russia", t) for t in texts]
    alone = np.concatenate([onnx_model.probabilities([p]) for p in pairs])
    assert np.allclose(onnx_model.probabilities(pairs), alone, atol=1e-6)
    assert np.allclose(torch_model.probabilities(pairs), alone, atol=0.05)


NEWSMTSC = Path(__file__).resolve().parents[3] / "shared/data/train/sentiment_newsmtsc_train.jsonl"


@pytest.fixture(scope="module")
def bundled_stance() -> StanceModel:
    from app.analysis.model_profiles import stance
    from app.core.config import Settings

    # as the service runs it: ONNX Runtime, int8 weights, one pair at a time
    return stance(Settings()).model


def _read(model: StanceModel, target: str, text: str) -> str:
    start = text.index(target)
    [probs] = model.probabilities([model.pair(target, text, [(start, start + len(target))])])
    return ("negative", "neutral", "positive")[int(probs.argmax())]


@pytest.mark.slow
def test_the_bundled_stance_model_reads_clear_stances_and_passing_mentions(
    bundled_stance: StanceModel,
) -> None:
    assert _read(bundled_stance, "Smith", "Smith is an honest and capable leader.") == "positive"
    assert _read(bundled_stance, "Jones", "Jones is corrupt and incompetent.") == "negative"
    text = "The summit will be held in France next week."
    assert _read(bundled_stance, "France", text) == "neutral"


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="known gap (docs/quality.md): in one sentence that praises one target and condemns "
    "another, the bundled model gives both the sentence's stronger (negative) stance",
)
def test_the_bundled_stance_model_tells_targets_of_one_sentence_apart(
    bundled_stance: StanceModel,
) -> None:
    text = "Voters adored Smith, but they despised Jones for his corruption."
    assert _read(bundled_stance, "Smith", text) == "positive"
    assert _read(bundled_stance, "Jones", text) == "negative"


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(not NEWSMTSC.exists(), reason="../shared/data is absent")
def test_the_bundled_stance_model_meets_the_floor_on_the_newsmtsc_holdout(
    bundled_stance: StanceModel,
) -> None:
    import json

    from app.analysis.sentiment_eval import classification_report, newsmtsc_holdout
    from app.analysis.types import SENTIMENT_LABELS

    with NEWSMTSC.open() as handle:
        records = [json.loads(line) for line in handle]
    held_out = [r for r, held in zip(records, newsmtsc_holdout(records), strict=True) if held]
    pairs = [
        bundled_stance.pair(r["target"], r["text"], [(r["target_start"], r["target_end"])])
        for r in held_out
    ]
    predicted = bundled_stance.probabilities(pairs).argmax(axis=1).tolist()
    gold = [SENTIMENT_LABELS.index(r["label"]) for r in held_out]
    report = classification_report("newsmtsc", gold, predicted, [0, 1, 2])
    # The floor of the targeted-sentiment head it replaces in the analysis (docs/quality.md).
    assert report["macro_f1"] >= 0.70
