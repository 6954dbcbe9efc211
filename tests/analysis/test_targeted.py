"""Fine-tuned targeted sentiment: span-to-piece mapping, windows, batching; the bundle when slow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.analysis.targeted import (
    Window,
    bundled_targeted_path,
    collate,
    sentence_windows,
    span_pieces,
    windows,
)


def test_span_pieces_maps_characters_to_the_overlapping_pieces() -> None:
    offsets = [(0, 3), (4, 9), (9, 11), (12, 15)]  # "The Kremlin's man"-like pieces
    assert span_pieces(offsets, 4, 11) == (1, 3)
    assert span_pieces(offsets, 5, 6) == (1, 2)  # inside one piece
    assert span_pieces(offsets, 0, 15) == (0, 4)
    # a span over whitespace only takes the nearest piece
    assert span_pieces(offsets, 11, 12) in {(2, 3), (3, 4)}
    with pytest.raises(ValueError, match="without word pieces"):
        span_pieces([], 0, 1)


def test_a_short_input_is_one_window_with_every_target() -> None:
    (window,) = windows(list(range(10)), [(0, 2), (5, 6)], max_pieces=12)
    assert window.ids == list(range(10))
    assert window.targets == [(0, 0, 2), (1, 5, 6)]


def test_long_inputs_are_windowed_and_every_target_is_kept_whole() -> None:
    ids = list(range(100, 200))  # 100 pieces
    targets = [(0, 1), (48, 50), (97, 100), (60, 61)]
    found = windows(ids, targets, max_pieces=22)  # windows of 20 pieces, stepping by 10
    assert all(len(w.ids) <= 20 for w in found)
    placed = {k: (w, a, b) for w in found for k, a, b in w.targets}
    assert sorted(placed) == [0, 1, 2, 3]
    for k, (start, end) in enumerate(targets):
        window, a, b = placed[k]
        # the same pieces, relative to the window
        assert window.ids[a:b] == ids[start:end]
    # the middle target sits near its window's centre, with context on both sides
    window, a, b = placed[1]
    assert a >= 5
    assert b <= len(window.ids) - 5


def test_a_target_longer_than_a_window_keeps_its_first_pieces() -> None:
    found = windows(list(range(50)), [(10, 40)], max_pieces=12)
    ((index, a, b),) = [t for w in found for t in w.targets]
    (window,) = [w for w in found if w.targets]
    assert index == 0
    assert (a, b) == (0, len(window.ids))
    assert window.ids[0] == 10


def test_collate_marks_each_target_after_the_cls_piece() -> None:
    batch = collate(
        [Window([7, 8, 9], [(0, 1, 3)]), Window([5], [(0, 0, 1), (1, 0, 1)])],
        cls_id=101,
        sep_id=102,
        pad_id=0,
    )
    assert batch["input_ids"].tolist() == [[101, 7, 8, 9, 102], [101, 5, 102, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    assert batch["rows"].tolist() == [0, 1, 1]
    assert batch["span_mask"].tolist() == [
        [0, 0, 1, 1, 0],
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
    ]


@pytest.fixture(scope="module")
def tiny_targeted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised two-layer model saved like the bundle (without word embeddings)."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig

    from app.analysis.encoder import WORD_EMBEDDINGS
    from app.analysis.targeted import TargetedNet

    torch.manual_seed(0)
    # hidden size 384: the word embeddings are restored from the encoder package
    config = BertConfig(
        vocab_size=30522,
        hidden_size=384,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    config.max_pieces = 12
    model = TargetedNet(config)
    path = tmp_path_factory.mktemp("targeted")
    state = {k: v.to(torch.float16) for k, v in model.state_dict().items() if k != WORD_EMBEDDINGS}
    save_file(state, str(path / "model.safetensors"))
    config.save_pretrained(str(path))
    return path


def test_tiny_model_scores_every_span_in_order(tiny_targeted: Path) -> None:
    from app.analysis.targeted import TargetedModel

    model = TargetedModel(tiny_targeted, batch_size=2)
    assert model.max_pieces == 12
    long = "Moscow and Beijing " + "talked at length about many things " * 6 + "with Washington."
    sentences = ["Russia praised China.", "Nothing here.", long]
    spans = [[(0, 6), (15, 20)], [], [(0, 6), (11, 18), (len(long) - 11, len(long) - 1)]]
    assert len(model.tokenizer(long, add_special_tokens=False)["input_ids"]) > 10
    probs = model.probabilities(sentences, spans)
    assert probs.shape == (5, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # a span's row does not depend on what else is batched with it
    alone = model.probabilities([long], [[(len(long) - 11, len(long) - 1)]])
    np.testing.assert_allclose(alone[0], probs[4], atol=1e-5)
    first = model.probabilities(["Russia praised China."], [[(15, 20)]])
    np.testing.assert_allclose(first[0], probs[1], atol=1e-5)
    assert model.probabilities([], []).shape == (0, 3)
    with pytest.raises(ValueError, match="outside"):
        model.probabilities(["short"], [[(3, 10)]])


def test_sentence_windows_use_the_tokenizers_offsets(tiny_targeted: Path) -> None:
    from app.analysis.targeted import TargetedModel

    tokenizer = TargetedModel(tiny_targeted).tokenizer
    text = "The Kremlin welcomed Washington's sanctions relief."
    (window,) = sentence_windows(tokenizer, text, [(4, 11), (21, 31)], max_pieces=96)
    pieces = tokenizer.convert_ids_to_tokens(window.ids)
    assert ["".join(pieces[a:b]).replace("##", "") for _k, a, b in window.targets] == [
        "kremlin",
        "washington",
    ]


@pytest.mark.slow
@pytest.mark.skipif(
    not (bundled_targeted_path() / "model.safetensors").exists(), reason="no bundled model"
)
def test_bundled_targeted_model_tells_targets_apart() -> None:
    from app.analysis.targeted import TargetedModel

    model = TargetedModel()
    text = "Voters adored Smith, but they despised Jones for his corruption."
    smith, jones = model.probabilities([text], [[(14, 19), (39, 44)]])
    assert smith[2] > smith[0]
    assert jones[0] > jones[2]


def test_targets_keep_the_order_of_the_triples(tiny_targeted: Path) -> None:
    from app.analysis.targeted import TargetedModel

    model = TargetedModel(tiny_targeted)
    texts = ["Russia praised China.", "Moscow met Beijing."]
    triples = [(1, 11, 18), (0, 0, 6), (1, 0, 6), (0, 15, 20)]
    rows = model.targets(texts, triples)
    by_sentence = model.probabilities(texts, [[(0, 6), (15, 20)], [(11, 18), (0, 6)]])
    np.testing.assert_allclose(rows, by_sentence[[2, 0, 3, 1]], atol=1e-6)
    assert model.targets(texts, []).shape == (0, 3)
