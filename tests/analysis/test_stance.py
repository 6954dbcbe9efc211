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
