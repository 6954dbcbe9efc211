"""ONNX Runtime path: exported once, cached, checked against PyTorch, same outputs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from app.analysis.runtime import onnx_model, route_forward
from tests.analysis.tiny_models import NER_LABELS, build_tiny_models, tiny_config

pytest.importorskip("onnxruntime")


def _tiny_encoder(seed: int) -> Any:
    from transformers import BertModel

    torch.manual_seed(seed)
    return BertModel(tiny_config()).eval()


def _padded_batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    ids = rng.integers(1000, 20000, (4, 37), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[1, 20:] = 0
    mask[3, 5:] = 0
    return ids, mask


def _torch_hidden(model: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
    hidden: np.ndarray = out.last_hidden_state.numpy()
    return hidden


def test_export_matches_pytorch_on_shapes_it_was_not_traced_with(tmp_path: Path) -> None:
    model = _tiny_encoder(0)
    runner = onnx_model(model, version="tiny@a", output="last_hidden_state", cache_dir=tmp_path)
    assert runner is not None
    ids, mask = _padded_batch()

    got, expected = runner(ids, mask), _torch_hidden(model, ids, mask)

    real = mask.astype(bool)
    assert got.shape == expected.shape
    assert np.abs(got[real] - expected[real]).max() < 1e-4


def test_the_export_is_cached_and_reused(tmp_path: Path) -> None:
    model = _tiny_encoder(0)
    assert onnx_model(model, version="tiny@a", output="last_hidden_state", cache_dir=tmp_path)
    [file] = tmp_path.glob("*.onnx")
    stamp = file.stat().st_mtime_ns

    again = onnx_model(model, version="tiny@a", output="last_hidden_state", cache_dir=tmp_path)

    assert again is not None
    assert again.path == file
    assert file.stat().st_mtime_ns == stamp  # opened, not exported again


def test_a_cached_file_that_does_not_match_the_weights_is_exported_again(tmp_path: Path) -> None:
    first = _tiny_encoder(0)
    assert onnx_model(first, version="same@v", output="last_hidden_state", cache_dir=tmp_path)
    other = _tiny_encoder(1)  # different weights claiming the same version

    runner = onnx_model(other, version="same@v", output="last_hidden_state", cache_dir=tmp_path)

    assert runner is not None
    ids, mask = _padded_batch()
    real = mask.astype(bool)
    assert np.abs(runner(ids, mask)[real] - _torch_hidden(other, ids, mask)[real]).max() < 1e-4


def test_int8_export_stays_close_and_is_a_separate_file(tmp_path: Path) -> None:
    model = _tiny_encoder(0)
    runner = onnx_model(
        model, version="tiny@a", output="last_hidden_state", cache_dir=tmp_path, quantize=True
    )
    assert runner is not None
    assert runner.path.name.endswith(".int8.onnx")
    ids, mask = _padded_batch()
    real = mask.astype(bool)
    a, b = runner(ids, mask)[real], _torch_hidden(model, ids, mask)[real]
    cosine = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    assert cosine.min() > 0.95


def test_a_failed_export_leaves_the_model_on_pytorch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _tiny_encoder(0)
    with caplog.at_level(logging.WARNING, logger="app.analysis.runtime"):
        runner = onnx_model(model, version="tiny@a", output="no_such_output", cache_dir=tmp_path)
    assert runner is None
    assert "runs on PyTorch" in caplog.text
    assert list(tmp_path.glob("*.onnx")) == []


def test_the_pipeline_finds_the_same_entities_through_onnx(tmp_path: Path) -> None:
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    path = build_tiny_models(tmp_path / "models")["ner"]
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    reference = AutoModelForTokenClassification.from_pretrained(str(path)).eval()
    routed = AutoModelForTokenClassification.from_pretrained(str(path)).eval()
    with torch.no_grad():  # make the random tagger call some words entities
        for model in (reference, routed):
            model.classifier.bias[NER_LABELS.index("B-ORG")] += 0.5
    runner = onnx_model(routed, version="tiny-ner@1", output="logits", cache_dir=tmp_path)
    assert runner is not None
    route_forward(routed, runner)
    texts = ["NATO and the European Union met in Brussels on Tuesday.", "Short one.", "x " * 300]

    def run(model: Any) -> list[Any]:
        tagger = pipeline(
            "token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="first"
        )
        found = tagger(texts, batch_size=2)
        return [[(e["entity_group"], e["start"], e["end"]) for e in doc] for doc in found]

    expected = run(reference)
    assert any(expected)
    assert run(routed) == expected


@pytest.mark.slow
def test_bundled_encoder_gives_the_same_vectors_on_both_runtimes(tmp_path: Path) -> None:
    from app.analysis.encoder import Encoder

    texts = ["Moscow and Beijing share a view of the world.", "Short.", "word " * 600]
    on_torch = Encoder(runtime="torch").encode(texts)
    onnx = Encoder(runtime="onnx", cache_dir=tmp_path)
    assert onnx.onnx is not None
    for a, b in zip(on_torch, onnx.encode(texts), strict=True):
        assert a.tokens.shape == b.tokens.shape
        assert (a.offsets == b.offsets).all()
        assert np.abs(a.tokens - b.tokens).max() < 1e-3
        assert float(a.sentence @ b.sentence) > 0.99999


@pytest.mark.slow
def test_bundled_tagger_finds_the_same_entities_on_both_runtimes(tmp_path: Path) -> None:
    from app.analysis.entities import EntityModel

    text = "Analysis. Sergei Lavrov said in Beijing that NATO had broken its promises to Russia."
    spans = [[(0, 9), (10, len(text))]]
    onnx = EntityModel(runtime="onnx", cache_dir=tmp_path)
    assert onnx.version == EntityModel().version  # same weights, same version
    [got] = onnx.find([text], spans)
    [expected] = EntityModel(runtime="torch").find([text], spans)
    assert [(m.text, m.label, m.start, m.end) for m in got] == [
        (m.text, m.label, m.start, m.end) for m in expected
    ]
    assert max(abs(a.score - b.score) for a, b in zip(got, expected, strict=True)) < 1e-3


def test_an_unwritable_cache_exports_to_a_temporary_folder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="app.analysis.runtime"):
        runner = onnx_model(
            _tiny_encoder(0), version="tiny@a", output="last_hidden_state", cache_dir=blocked / "x"
        )
    assert runner is not None
    assert not runner.path.is_relative_to(blocked)
    assert "is not writable" in caplog.text


def test_int8_results_do_not_depend_on_the_rest_of_the_batch(tmp_path: Path) -> None:
    # Dynamic int8 scales activations by the whole input's range: batched, a text's vectors
    # would change with its neighbours and their padding.
    runner = onnx_model(
        _tiny_encoder(0),
        version="tiny@a",
        output="last_hidden_state",
        cache_dir=tmp_path,
        quantize=True,
    )
    assert runner is not None
    ids, mask = _padded_batch()
    ids[2, :] = 29000  # a neighbour with unusual tokens
    together = runner(ids, mask)
    for row in range(len(ids)):
        n = int(mask[row].sum())
        alone = runner(ids[row : row + 1, :n], mask[row : row + 1, :n])
        assert np.array_equal(alone[0], together[row, :n])
        assert not together[row, n:].any()  # padding positions stay zero
