"""Saving and loading models fine-tuned from the bundled encoder with frozen word embeddings."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoConfig, BertForTokenClassification

from app.analysis.encoder import (
    WORD_EMBEDDINGS,
    bundled_encoder_path,
    fine_tuned_state,
    save_fine_tuned_state,
)


def test_saved_state_leaves_out_the_word_embeddings_and_loads_back(tmp_path: Path) -> None:
    config = AutoConfig.from_pretrained(str(bundled_encoder_path()), num_labels=3)
    config.num_hidden_layers = 1  # small and quick; the names are those of the real model
    model = BertForTokenClassification(config)
    weights = tmp_path / "model.safetensors"

    save_fine_tuned_state(model, weights)

    stored = load_file(str(weights))
    assert WORD_EMBEDDINGS not in stored
    assert {t.dtype for t in stored.values()} == {torch.float16}
    loaded = fine_tuned_state(weights, "test model")
    assert set(loaded) == set(model.state_dict())
    # the frozen matrix comes back from the encoder package, the rest as saved (fp16-rounded)
    assert loaded[WORD_EMBEDDINGS].shape == model.state_dict()[WORD_EMBEDDINGS].shape
    name = "classifier.weight"
    assert torch.equal(loaded[name], model.state_dict()[name].half().float())
